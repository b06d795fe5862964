"""The extraction house rules of issue 7: one header-field table, one media-type rule, errors in one
tree that say where they happened, unreadable dates as warnings, one PDF settings object."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import jsonschema
import pytest

from imr.errors import DateValueError, ImrError, ParseError, UnresolvedItemError
from imr.extract.dates import parse_date
from imr.extract.document import Document
from imr.extract.entry import extract_bytes, extract_file, iter_input_files, parse_document
from imr.extract.header import GEOMETRY_NAMES, HeaderFields, header_fields
from imr.extract.media import is_letter_name, media_type_of
from imr.extract.normalize import normalize, split_text_pages
from imr.extract.pdf_settings import PDF_SETTINGS
from imr.extract.pdf_text import HEADER_LABELS
from imr.models import Letter
from tests.extract.letters import LETTER
from tests.helpers import assert_settings_validate

CONTRACT = Path(__file__).resolve().parents[2] / "imr" / "contract" / "letter-record.schema.json"


def test_header_fields_are_letter_fields_and_pdf_labels() -> None:
    names = [f.name for f in header_fields()]
    letter_fields = {f.name for f in dataclasses.fields(Letter)}
    assert set(names) <= letter_fields and len(names) == 7
    assert set(GEOMETRY_NAMES.values()) == set(names)
    assert set(HEADER_LABELS) == set(GEOMETRY_NAMES)
    assert HEADER_LABELS["Date of Injury"] == ("Date", "of", "Injury:")
    assert set(HeaderFields().values()) == set(names)


def test_media_type_and_letter_names() -> None:
    assert media_type_of("a.PDF") == "application/pdf"
    assert media_type_of("letter.txt", b"  %PDF-1.7 ...") == "application/pdf"
    assert media_type_of("letter.txt", b"Case Number: CM16-0000001") == "text/plain"
    assert is_letter_name("x.Txt") and not is_letter_name("~$x.pdf") and not is_letter_name("x.pdf.part")
    assert not is_letter_name(".hidden.pdf") and not is_letter_name("x.doc")


def test_iter_input_files_takes_what_the_drop_folders_take(tmp_path: Path) -> None:
    for name in ("a.pdf", "b.TXT", "~$lock.pdf", "c.pdf.part", ".d.txt", "e.doc", "sub/f.txt", ".git/g.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_input_files([tmp_path])]
    assert found == ["a.pdf", "b.TXT", "sub/f.txt"]


def test_date_value_error_is_in_the_tree() -> None:
    assert issubclass(DateValueError, ParseError) and issubclass(DateValueError, ValueError)
    with pytest.raises(DateValueError) as info:
        parse_date("13/45/2016", errors="raise")
    assert isinstance(info.value, ImrError) and info.value.code == "unreadable_date"
    assert parse_date("13/45/2016") is None


def test_unreadable_header_date_is_a_warning_on_a_parsed_record() -> None:
    text = LETTER.replace("Date of Injury: 01/15/2014", "Date of Injury: 13/45/2014")
    record = extract_bytes(text.encode(), "w.txt")
    assert record.status == "parsed" and record.letter is not None
    assert record.letter.date_of_injury is None and record.letter.date_assigned == dt.date(2015, 3, 2)
    assert [(e.code, e.message.split(":")[0]) for e in record.errors] == [("unreadable_date", "date_of_injury")]
    schema = __import__("json").loads(CONTRACT.read_text(encoding="utf-8"))
    jsonschema.validate(record.to_dict(), schema)


def test_parse_errors_carry_the_case_number() -> None:
    text = LETTER.replace(": Overturned", ": Perhaps").replace(": Upheld", ": Maybe")
    doc = normalize(Document(pages=split_text_pages(text), media_type="text/plain"))
    with pytest.raises(UnresolvedItemError) as info:
        parse_document(doc)
    assert info.value.case_number == "CM15-0123456"


def test_extract_file_reports_a_missing_file_with_its_media_type(tmp_path: Path) -> None:
    record = extract_file(tmp_path / "gone.pdf", pdf_engine="pdfium")
    assert record.status == "rejected" and record.source.media_type == "application/pdf"
    assert record.errors[0].code == "read_error"


def test_pdf_settings_validate_themselves() -> None:
    assert_settings_validate(
        PDF_SETTINGS,
        [
            ({"paragraph_gap_ratio": 0}, ValueError, "paragraph_gap_ratio must be positive"),
            ({"row_tolerance": -1}, ValueError, "row_tolerance must be non-negative"),
            ({"header_region_words": 8.5}, TypeError, "header_region_words must be an integer"),
        ],
    )

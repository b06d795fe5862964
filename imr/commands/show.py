"""Write one offline HTML page per letter: its extracted values beside its pages, each value's
evidence boxed on the page image (a PDF) or marked on its line (a text letter).

A FILE is extracted with evidence (as `imr extract` does, same --pdf-engine and --ocr) and shown.
A CASE number (CM13-0000001) is looked up in the warehouse: its letter as stored and the file
it was read from, where the ingest left it (the archive). A case whose letters are in review shows
each of them; --all-versions shows superseded letters too. Prints the path of each page written.
No Prefect, no Great Expectations; the warehouse is opened only for a case number.

Examples:
  imr show letters/CM13-0000001.pdf --out build/show
  imr show CM13-0000001 --out build/show --db postgresql+psycopg://etl@db:5432/imr
  xdg-open "$(imr show scan.pdf --out /tmp/show)"
Exit status: 0 when the pages were written; 2 for a file or case that cannot be shown (the line
says what to do); 1 when the warehouse cannot be read.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from imr.commands.common import CommandError, add_db_argument

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from imr.models import LetterRecord

HELP = "write an offline HTML page of a letter (file or case number): values beside the page with their boxes"

#: A case number as letters print it (``CM13-0000001``).
CASE_PATTERN = re.compile(r"CM\d{2}-\d{7}", re.IGNORECASE)


class NotShownError(Exception):
    """The file or case cannot be shown: one line that says what to do (exit status 2)."""


@dataclass
class CaseLetter:
    """A stored letter of a case: its record, its standing among the case's letters, where its
    files were left (its first file first), and the bytes of the first of those places that still
    holds its content with that place (None, None when none does)."""

    record: LetterRecord
    version_status: str
    paths: list[str]
    data: bytes | None = None
    found_at: str | None = None


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr show``."""
    p.add_argument("target", metavar="FILE_OR_CASE", help="a letter file (.pdf/.txt) or a case number (CM13-0000001)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the page(s) (created if missing)")
    add_db_argument(p)
    p.add_argument(
        "--all-versions", action="store_true", help="for a case number: every letter of the case, superseded too"
    )
    p.add_argument(
        "--pdf-engine",
        choices=["auto", "pdfium", "pdfplumber"],
        default=None,
        help="PDF text engine (default: IMR_PDF_ENGINE, else auto)",
    )
    p.add_argument(
        "--ocr",
        choices=["auto", "off"],
        default=None,
        help="OCR of PDF pages without a text layer (default: IMR_OCR, else auto)",
    )


def run(args: argparse.Namespace) -> int:
    """Write the page(s) and print their paths; see the module's exit statuses."""
    from imr.errors import ImrError

    target = str(args.target)
    try:
        if Path(target).is_file():
            pages = [_show_file(Path(target), args)]
        elif Path(target).exists():
            raise NotShownError(f"{target} is a folder: give one letter file or a case number")
        elif CASE_PATTERN.fullmatch(target.strip()):
            pages = _show_case(target.strip().upper(), args)
        else:
            raise NotShownError(f"no such file: {target} (give a letter file, or a case number like CM13-0000001)")
    except NotShownError as e:
        print(f"imr show: {e}", file=sys.stderr)
        return 2
    except (CommandError, ImrError) as e:
        print(f"imr show: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"imr show: cannot write the page into {args.out}: {e.strerror or e} (check the folder)", file=sys.stderr)
        return 1
    for page in pages:
        print(page)
    return 0


def _engine_and_ocr(args: argparse.Namespace) -> tuple[str, str]:
    engine, ocr = args.pdf_engine, args.ocr
    if engine is None or ocr is None:
        from imr.settings import get_settings

        engine = engine or get_settings().pdf_engine
        ocr = ocr or get_settings().ocr
    return str(engine), str(ocr)


def extract_with_evidence(path: Path, args: argparse.Namespace) -> LetterRecord:
    """The record of the file at ``path`` with the evidence of its values (``--pdf-engine``,
    ``--ocr``, else the settings, as ``imr extract``)."""
    import inspect

    from imr.extract.entry import extract_file

    engine, ocr = _engine_and_ocr(args)
    if "evidence" in inspect.signature(extract_file).parameters:  # until the extractor's evidence lands
        return extract_file(path, pdf_engine=engine, ocr=ocr, evidence=True)  # type: ignore[call-arg,unused-ignore]
    return extract_file(path, pdf_engine=engine, ocr=ocr)


def _show_file(path: Path, args: argparse.Namespace) -> Path:
    from imr.show import write_page

    try:
        data = path.read_bytes()
    except OSError as e:
        raise NotShownError(f"cannot read {path}: {e.strerror or e} (check its permissions)") from None
    return write_page(extract_with_evidence(path, args), data, args.out)


def _show_case(case_number: str, args: argparse.Namespace) -> list[Path]:
    from imr.commands.common import open_warehouse, warehouse_url
    from imr.show import write_page

    engine = open_warehouse(warehouse_url(args), create=False)
    try:
        found = letters_of_case(engine, case_number, all_versions=args.all_versions)
    finally:
        engine.dispose()
    if not found:
        raise NotShownError(
            f"no letter of case {case_number} in the warehouse (check the number with `imr export`, "
            "or show the letter's file: imr show FILE)"
        )
    for c in found:
        if c.data is None:
            where = ", ".join(c.paths) or "no recorded place"
            raise NotShownError(
                f"the file of case {case_number} is not at {where} any more (put the archived file back there, "
                "or show a copy of it: imr show FILE)"
            )
    pages = []
    for c in found:
        assert c.data is not None and c.found_at is not None
        record = c.record
        if record.evidence is None:  # stored without evidence: read it from the same file again
            record.evidence = extract_with_evidence(Path(c.found_at), args).evidence
        several = len(found) > 1 or c.version_status != "current"
        title = f"{case_number} ({c.version_status.replace('_', ' ')})" if several else None
        pages.append(write_page(record, c.data, args.out, title=title))
    return pages


def letters_of_case(engine: Engine, case_number: str, *, all_versions: bool = False) -> list[CaseLetter]:
    """The stored letters of ``case_number`` that count or wait for review (every letter with
    ``all_versions``), oldest decision date first, each with the bytes of a file it was read from:
    the first place among its files' recorded paths (its first file first) that holds its content
    (same sha256). Raises :class:`imr.errors.WarehouseUnavailableError` when unreachable."""
    import hashlib

    import sqlalchemy as sa

    import warehouse
    from warehouse import schema as s
    from warehouse.engine import reading
    from warehouse.versions import SUPERSEDED

    lt, sf = s.letters, s.source_files
    stmt = sa.select(lt.c.id, lt.c.version_status, lt.c.content_sha256, lt.c.decision_date, lt.c.first_file_id)
    stmt = stmt.where(lt.c.case_number == case_number)
    if not all_versions:
        stmt = stmt.where(lt.c.version_status != SUPERSEDED)
    with reading(engine) as conn:
        letters = conn.execute(stmt).all()
        files = conn.execute(
            sa.select(sf.c.id, sf.c.sha256, sf.c.current_path, sf.c.seen_at)
            .where(sf.c.sha256.in_([r.content_sha256 for r in letters]))
            .order_by(sf.c.seen_at, sf.c.id)
        ).all()
    out: list[CaseLetter] = []
    for row in sorted(letters, key=lambda r: (r.decision_date is not None, r.decision_date, r.content_sha256)):
        record = warehouse.export_record(engine, row.id)
        if record is None:  # removed between the two reads
            continue
        own = sorted((f for f in files if f.sha256 == row.content_sha256), key=lambda f: f.id != row.first_file_id)
        paths = list(dict.fromkeys(f.current_path for f in own if f.current_path))
        letter = CaseLetter(record, row.version_status, paths)
        for p in paths:
            try:
                data = Path(p).read_bytes()
            except OSError:
                continue
            if hashlib.sha256(data).hexdigest() == row.content_sha256:
                letter.data, letter.found_at = data, p
                break
        out.append(letter)
    return out

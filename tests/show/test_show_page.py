"""``imr.show.write_page``: one offline page per letter, each value beside its place in the file."""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from imr.extract.entry import extract_bytes
from imr.models import Evidence, LetterRecord, RecordError, Source
from imr.show import page_name, render_page, write_page
from imr.show.values import NOT_READ, field_rows, letter_values
from imr.synth import generate_letter, render_text
from imr.synth.pdf_render import PdfOptions, render_pdf
from tests.show.pages import StrictPage, pdf_evidence, text_evidence

DPI = 100


@pytest.fixture(scope="module")
def pdf_letter() -> tuple[bytes, LetterRecord]:
    """A generated two-page PDF letter, its record and hand-built evidence from its word boxes."""
    data = render_pdf(generate_letter(7, layout="D1"), PdfOptions(footer=True))
    record = extract_bytes(data, "syn_0007_D1.pdf", ocr="off")
    assert record.status == "parsed"
    record.evidence = pdf_evidence(data, record)
    assert len(record.evidence) >= 10
    return data, record


@pytest.fixture(scope="module")
def text_letter() -> tuple[bytes, LetterRecord]:
    data = render_text(generate_letter(11, layout="D2"), "crlf")
    record = extract_bytes(data, "syn_0011_D2.txt")
    assert record.status == "parsed"
    record.evidence = text_evidence(data.decode("utf-8").replace("\r\n", "\n"), record)
    assert len(record.evidence) >= 8
    return data, record


def _style_px(style: str, width_px: float, height_px: float) -> tuple[float, float, float, float]:
    share = {k: float(v) for k, v in re.findall(r"(left|top|width|height):([\d.]+)%", style)}
    return (
        share["left"] * width_px / 100,
        share["top"] * height_px / 100,
        share["width"] * width_px / 100,
        share["height"] * height_px / 100,
    )


def test_pdf_page_holds_every_value_and_a_box_per_evidence_at_its_scaled_bbox(
    pdf_letter: tuple[bytes, LetterRecord], tmp_path: Path
) -> None:
    data, record = pdf_letter
    path = write_page(record, data, tmp_path)
    assert path.parent == tmp_path and path.name == page_name(record)
    page = StrictPage(path.read_text(encoding="utf-8"))
    # every value of the letter has its row, showing the value
    letter = record.letter
    assert letter is not None
    rows = field_rows(letter.to_dict())
    assert {r.path for r in rows} >= {"case_number", "decision_date", "reviewer.specialties", "items[0].decision"}
    for row in rows:
        (tr,) = page.find("tr", data_path=row.path)
        assert (row.value if row.value is not None else NOT_READ) in tr.text
    assert letter.case_number in page.find("tr", data_path="case_number")[0].text
    # the pages, rendered at 100 dpi: a US letter page is 850 x 1100 pixels
    images = page.find("img")
    assert len(images) == record.source.pages == 2
    for img in images:
        assert img.attrs["src"].startswith("data:image/png;base64,")
        png = Image.open(io.BytesIO(base64.b64decode(img.attrs["src"].split(",", 1)[1])))
        assert png.size == (850, 1100) == (int(img.attrs["width"]), int(img.attrs["height"]))
    # one box per evidence entry, on its page, at its bbox scaled from points to pixels (x 100/72)
    boxes = page.find("a", cls="box")
    assert len(boxes) == len(record.evidence)
    for field_path, ev in record.evidence.items():
        (box,) = page.find("a", cls="box", data_path=field_path)
        assert ev.bbox is not None
        x0, top, x1, bottom = (v * DPI / 72 for v in ev.bbox)
        assert _style_px(box.attrs["style"], 850, 1100) == pytest.approx((x0, top, x1 - x0, bottom - top), abs=0.02)
        assert field_path in box.text  # labelled with its field path
        figure = next(e for e in page.find("figure") if f"page-{ev.page}" == e.attrs.get("id"))
        assert f'data-path="{field_path}"' in path.read_text(encoding="utf-8").split(figure.attrs["id"], 1)[1]
        # the value links to its box, the box back to the value's row
        (tr,) = page.find("tr", data_path=field_path)
        assert page.find("a", cls="value", href=f"#{box.attrs['id']}")
        assert box.attrs["href"] == f"#{tr.attrs['id']}"
    assert ":target" in page.find("style")[0].text


def test_boxes_sit_on_their_page(pdf_letter: tuple[bytes, LetterRecord]) -> None:
    data, record = pdf_letter
    html = render_page(record, data)
    figures = html.split('<figure class="page"')[1:]
    assert len(figures) == 2
    assert record.evidence is not None
    for path, ev in record.evidence.items():
        holding = [i + 1 for i, f in enumerate(figures) if f'data-path="{path}"' in f]
        assert holding == [ev.page], path


def test_text_letter_marks_and_labels_the_lines_holding_evidence(
    text_letter: tuple[bytes, LetterRecord], tmp_path: Path
) -> None:
    data, record = text_letter
    page = StrictPage(write_page(record, data, tmp_path).read_text(encoding="utf-8"))
    assert not page.find("img")
    lines = data.decode("utf-8").split("\r\n")
    if lines[-1] == "":
        lines.pop()
    shown = page.find("div", cls="line")
    assert [int(e.attrs["id"].removeprefix("line-")) for e in shown] == list(range(1, len(lines) + 1))
    assert record.evidence is not None
    held = {ev.line for ev in record.evidence.values()}
    for element, text in zip(shown, lines, strict=True):
        n = int(element.attrs["id"].removeprefix("line-"))
        assert text.strip() in element.text
        assert ("marked" in element.classes) == (n in held), n
    for field_path, ev in record.evidence.items():
        (tag,) = page.find("a", cls="tag", data_path=field_path)
        assert tag.text == field_path
        line = page.by_id(f"line-{ev.line}")
        assert field_path in line.text and "marked" in line.classes
        (tr,) = page.find("tr", data_path=field_path)
        assert f"line {ev.line}" in tr.text
        assert tag.attrs["href"] == f"#{tr.attrs['id']}"


def test_doubtful_values_stand_out_with_their_ocr_confidence(
    pdf_letter: tuple[bytes, LetterRecord], tmp_path: Path
) -> None:
    data, record = pdf_letter
    assert record.evidence is not None
    doubted = "items[0].request"
    evidence = dict(record.evidence)
    evidence[doubted] = Evidence(**{**evidence[doubted].__dict__, "confidence": 0.42})
    shown = LetterRecord(record.source, record.status, record.errors, record.letter, evidence)
    page = StrictPage(write_page(shown, data, tmp_path, doubtful=[doubted, "patient.age"]).read_text("utf-8"))
    (tr,) = page.find("tr", data_path=doubted)
    assert "doubt" in tr.classes and "in doubt · OCR 42 %" in tr.text
    (box,) = page.find("a", cls="box", data_path=doubted)
    assert "doubt" in box.classes and "OCR 42 %" in box.attrs["title"]
    assert "doubt" in page.find("tr", data_path="patient.age")[0].classes
    others = [e for e in page.find("tr") if "doubt" in e.classes]
    assert {e.attrs["data-path"] for e in others} == {doubted, "patient.age"}
    assert [b.attrs["data-path"] for b in page.find("a", cls="box") if "doubt" in b.classes] == [doubted]


def test_a_letter_set_aside_shows_what_was_read_and_what_was_not(tmp_path: Path) -> None:
    data = render_text(generate_letter(5, layout="D2"))
    parsed = extract_bytes(data, "syn_0005.txt")
    assert parsed.letter is not None
    partial = parsed.letter.to_dict()
    partial["items"][0]["decision"] = None
    partial["patient"]["age"] = None
    partial["_doubtful"] = ["items[0].decision"]
    record = LetterRecord(
        source=parsed.source,
        status="rejected",
        errors=[RecordError("unresolved_item", "the decision of item 1 could not be read")],
        partial=partial,
    )
    page = StrictPage(write_page(record, data, tmp_path).read_text("utf-8"))
    decision = page.find("tr", data_path="items[0].decision")[0]
    assert NOT_READ in decision.text and "doubt" in decision.classes and "in doubt" in decision.text
    assert NOT_READ in page.find("tr", data_path="patient.age")[0].text
    assert parsed.letter.case_number in page.find("tr", data_path="case_number")[0].text
    assert not page.find("tr", data_path="_doubtful")
    assert "unresolved_item" in page.find("ul", cls="errors")[0].text


def test_the_page_is_offline_and_well_formed(pdf_letter: tuple[bytes, LetterRecord]) -> None:
    data, record = pdf_letter
    html = render_page(record, data)
    page = StrictPage(html)
    assert page.doctype is not None and page.doctype.lower() == "doctype html"
    links = [(e.tag, k, v) for e in page.elements for k, v in e.attrs.items() if k in ("src", "href")]
    assert links
    assert all(v.startswith(("#", "data:image/png;base64,")) for _t, _k, v in links), links
    assert not re.search(r"(?i)\b(?:https?:)?//[a-z0-9]", re.sub(r'src="data:[^"]*"', "", html))
    assert not page.find("script") and not page.find("link") and "@import" not in html and "url(" not in html
    anchors = {e.attrs["id"] for e in page.elements if "id" in e.attrs}
    assert len(anchors) == len([e for e in page.elements if "id" in e.attrs]), "ids are unique"
    assert all(v[1:] in anchors for _t, k, v in links if k == "href"), "every link has its target"


HOSTILE = '<script>alert("x")</script> & "quoted" \'single\' </td></table>'


def test_text_from_the_file_is_escaped(pdf_letter: tuple[bytes, LetterRecord]) -> None:
    data, record = pdf_letter
    assert record.letter is not None and record.evidence is not None
    letter = type(record.letter).from_dict(record.letter.to_dict())
    letter.patient.occupation = HOSTILE
    evidence = dict(record.evidence)
    evidence["patient.occupation"] = Evidence(1, HOSTILE, (72.0, 72.0, 144.0, 84.0))
    evidence['items[0].x"><script>y</script>'] = Evidence(1, HOSTILE, None)
    source = Source(path="<script>.pdf", sha256=record.source.sha256, media_type="application/pdf", pages=2)
    html = render_page(LetterRecord(source, "parsed", [], letter, evidence), data, title=HOSTILE)
    page = StrictPage(html)
    assert not page.find("script") and "<script>" not in html
    assert HOSTILE in page.find("tr", data_path="patient.occupation")[0].text
    assert page.find("a", cls="box", data_path="patient.occupation")[0].attrs["title"].endswith(HOSTILE)
    assert page.find("h1")[0].text == HOSTILE
    assert page.find("tr", data_path='items[0].x"><script>y</script>')


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("<>&\"'\n/="), max_size=40),
    key=st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("<>&\"'[]."), min_size=1),
)
def test_any_text_shows_as_itself(value: str, key: str) -> None:
    """Whatever a letter or a stored record holds, the page shows it as text (never as markup)."""
    data = b"line one\nline two\n"
    record = LetterRecord(
        source=Source(path=value or "x.txt", sha256="0" * 64, media_type="text/plain"),
        status="rejected",
        partial={"case_number": value, "items": [{"request": value, "decision": None}]},
        evidence={key: Evidence(1, value, line=2)},
    )
    page = StrictPage(render_page(record, data))
    assert not page.find("script")
    assert page.find("tr", data_path="case_number")[0].text.startswith("case_number" + value)
    (tag,) = page.find("a", cls="tag", data_path=key)
    assert tag.text == key
    assert "marked" in page.by_id("line-2").classes


def test_evidence_the_page_cannot_place_is_listed(pdf_letter: tuple[bytes, LetterRecord]) -> None:
    data, record = pdf_letter
    assert record.evidence is not None
    evidence = {**record.evidence, "priority": Evidence(9, "Expedited", (1.0, 1.0, 2.0, 2.0))}
    evidence["decision_date"] = Evidence(1, "11/05/2014", None)
    page = StrictPage(render_page(LetterRecord(record.source, "parsed", [], record.letter, evidence), data))
    listed = page.find("div", cls="unplaced")[0].text
    assert "priority" in listed and "decision_date" in listed
    assert not page.find("a", cls="box", data_path="priority")
    assert len(page.find("a", cls="box")) == len(evidence) - 2


def test_a_pdf_pdfium_cannot_open_still_gets_its_values(tmp_path: Path) -> None:
    record = extract_bytes(b"%PDF-1.7\nnot really", "broken.pdf")
    assert record.status == "rejected"
    page = StrictPage(write_page(record, b"%PDF-1.7\nnot really", tmp_path).read_text("utf-8"))
    assert "could not be rendered" in page.find("section", cls="pages")[0].text
    assert record.errors[0].code in page.find("ul", cls="errors")[0].text


def test_page_names_keep_versions_apart(pdf_letter: tuple[bytes, LetterRecord]) -> None:
    _data, record = pdf_letter
    other = LetterRecord(Source("a/../b c.pdf", "f" * 64, "application/pdf"), "rejected")
    assert page_name(record) == f"{record.letter.case_number}-{record.source.sha256[:8]}.html"  # type: ignore[union-attr]
    assert page_name(other) == "b_c-ffffffff.html"
    assert letter_values(other) is None


def test_the_page_is_written_whole_with_the_umask_modes(tmp_path: Path) -> None:
    record = LetterRecord(
        source=Source(path="x.txt", sha256="a" * 64, media_type="text/plain"),
        status="rejected",
        partial={"case_number": "CM13-0000001", "patient": {"occupation": "bad \udcff byte"}},
    )
    first = write_page(record, b"one\n", tmp_path / "new")
    again = write_page(record, b"one\ntwo\n", tmp_path / "new")
    assert first == again and [p.name for p in (tmp_path / "new").iterdir()] == [first.name]
    assert 'id="line-2"' in again.read_text(encoding="utf-8")
    umask = os.umask(0)
    os.umask(umask)
    assert first.stat().st_mode & 0o777 == 0o666 & ~umask
    assert (
        "bad ? byte" in StrictPage(first.read_text(encoding="utf-8")).find("tr", data_path="patient.occupation")[0].text
    )


def test_labels_of_values_read_from_one_place_stand_side_by_side(pdf_letter: tuple[bytes, LetterRecord]) -> None:
    data, record = pdf_letter
    line = (74.8, 90.0, 494.9, 101.0)
    evidence = {
        p: Evidence(1, "Date Assigned: ... Date of Injury: ...", line) for p in ("date_assigned", "date_of_injury")
    }
    evidence["priority"] = Evidence(1, "Priority: Standard", (74.8, 120.0, 200.0, 131.0))
    html = render_page(LetterRecord(record.source, "parsed", [], record.letter, evidence), data)
    starts = [
        int(m.group(1)) if m.group(1) else 0
        for m in re.finditer(r'<span class="label"(?: style="left:(\d+)px")?>', html)
    ]
    assert starts[:2] == [0, round(len("date_assigned") * 6.1 + 10)] and starts[2] == 0

"""Generated faxed copies (imr.synth.fax): every kind (a machine's scan or a server's rendering, fine
204 x 196 or standard 204 x 98 dpi) is an image-only PDF of 1-bit pages at the fax's resolution,
the same bytes for the same seed; a cover sheet adds a page; transmission errors lose or repeat
scan lines; the random mix holds every kind."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from imr.synth import generate_letter
from imr.synth.fax import FINE, MACHINE, SERVER, STANDARD, FaxOptions, fax_pdf, random_fax_options
from imr.synth.pdf_render import render_pdf_counted


def _bitmaps(data: bytes) -> list[tuple[np.ndarray, tuple[int, int], int]]:
    """Each page's image: its pixels, its (horizontal, vertical) dpi and bits per pixel; the page has no text."""
    pdf = pdfium.PdfDocument(data)
    out = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            assert page.get_textpage().get_text_range() == ""  # image only
            (image,) = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,))
            meta = image.get_metadata()
            pixels = np.asarray(image.get_bitmap(render=False).to_pil().convert("L"))
            out.append((pixels, (round(meta.horizontal_dpi), round(meta.vertical_dpi)), meta.bits_per_pixel))
    finally:
        pdf.close()
    return out


@pytest.mark.parametrize("sender", [MACHINE, SERVER])
@pytest.mark.parametrize("resolution", [FINE, STANDARD])
def test_every_kind_of_fax_is_one_bit_at_its_resolution(resolution: tuple[int, int], sender: str) -> None:
    born, pages = render_pdf_counted(generate_letter(5, layout="D2"))
    options = FaxOptions(resolution=resolution, sender=sender, cover_sheet=True)
    data = fax_pdf(born, 1, options)
    assert data == fax_pdf(born, 1, options)  # deterministic
    images = _bitmaps(data)
    assert len(images) == pages + 1
    for pixels, dpi, bits in images:
        assert bits == 1 and dpi == resolution
        assert pixels.shape == (round(11 * resolution[1]), 1734)


def test_transmission_errors_lose_or_repeat_scan_lines() -> None:
    born, _ = render_pdf_counted(generate_letter(6, layout="D1"))
    clean = _bitmaps(fax_pdf(born, 3, FaxOptions(sender=SERVER, dropped_lines=0, header_line=False)))[0][0]
    lossy = _bitmaps(fax_pdf(born, 3, FaxOptions(sender=SERVER, dropped_lines=8, header_line=False)))[0][0]
    changed = [r for r in range(len(clean)) if (clean[r] != lossy[r]).any()]
    assert 0 < len(changed) <= 8 * 3
    for r in changed:  # a white line, or the line before it repeated
        assert (lossy[r] == 255).all() or (lossy[r] == lossy[r - 1]).all()


def test_the_random_mix_holds_every_kind() -> None:
    drawn = [random_fax_options(random.Random(seed)) for seed in range(300)]
    kinds = Counter((o.sender, o.resolution) for o in drawn)
    assert set(kinds) == {(s, r) for s in (MACHINE, SERVER) for r in (FINE, STANDARD)}
    assert 0.15 < sum(o.resolution == STANDARD for o in drawn) / len(drawn) < 0.35
    assert 0.2 < sum(o.cover_sheet for o in drawn) / len(drawn) < 0.5
    assert sum(o.header_line for o in drawn) / len(drawn) > 0.8
    assert {o.dropped_lines for o in drawn} >= {0, 8}


def test_an_unknown_sender_is_refused() -> None:
    with pytest.raises(ValueError, match="sender must be"):
        FaxOptions(sender="telex")

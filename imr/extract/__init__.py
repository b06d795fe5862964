"""Extraction: one input file (text or PDF) becomes one :class:`~imr.models.LetterRecord`.

The chain, each step a small module you can call alone:
file name and type (``media``) -> read bytes -> text with page structure (``pdf_text``,
``pdfium_text`` with the tolerances of ``pdf_settings``; pages without text by ``ocr``, ``ocr_words``
and ``fax`` with the thresholds of ``ocr_settings``; ``text_decode``) -> normalised lines
without page furniture (``normalize``) -> program check (``program``) -> sections and layout
(``sections``) -> fields (``header``, ``reviewer``, ``patient``, ``items``, ``guidelines``;
``reading`` reads them all, keeping the lines each item was read from, ``flat`` maps joined text
back to lines) -> values (``dates``) -> record (``entry``: the entry points, ``extract_file`` and
friends). A letter set aside after it was read keeps its partial letter (``partial``, ``doubts``);
with ``evidence=True`` each value's place in the file is located (``origins``, ``evidence``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["extract_bytes", "extract_file", "iter_input_files"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from imr.extract import entry

        return getattr(entry, name)
    raise AttributeError(name)

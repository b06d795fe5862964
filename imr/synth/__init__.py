"""Synthetic IMR letters (fictional) with their ground truth: fixtures, samples and benchmarks.

Prefect-free. Main entry points: :func:`generate_letter`, :func:`render_text`, :func:`render_pdf`,
:func:`write_corpus` and :func:`write_sample_inbox`.
"""

from __future__ import annotations

from imr.synth.content import LAYOUTS, Block, HardCases, SyntheticLetter
from imr.synth.generator import generate_letter
from imr.synth.text_render import TEXT_VARIANTS, plain_text, render_text

__all__ = [
    "LAYOUTS",
    "TEXT_VARIANTS",
    "Block",
    "HardCases",
    "SyntheticLetter",
    "generate_letter",
    "plain_text",
    "render_text",
]

"""How far apart two short words are: the Levenshtein distance (insertions, deletions and
substitutions), for matching a damaged decision word or an OCR'd label against the words it may
be. Words here are a few letters long, so the plain dynamic programme is fast enough."""

from __future__ import annotations


def edit_distance(a: str, b: str) -> int:
    """The Levenshtein distance between ``a`` and ``b``."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]

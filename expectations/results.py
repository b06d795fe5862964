"""The outcome of validating one chunk: per-expectation results and per-letter failures.

Results and failures are the vocabulary of :mod:`imr.outcomes` (``ExpectationResult``,
``DqFailure``); this module only adds the chunk's bookkeeping: which record indices were
validated or skipped, and which failed what. Counts, names and indices only: never letter text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from expectations.suites import EXPECTATIONS
from imr.outcomes import DqFailure, ExpectationResult, Level

_ORDER = {s.name: n for n, s in enumerate(EXPECTATIONS)}


@dataclass
class QualityReport:
    """Data quality of one chunk of records.

    ``validated`` are the record indices that were checked (status ``parsed``), ``skipped`` the
    others; ``results`` one :class:`ExpectationResult` per expectation (``evaluated`` counts the
    rows the check applied to: letters for the letter suite, items for the item suite);
    ``failures`` maps a record index to its failed expectations in the order of
    :data:`expectations.suites.EXPECTATIONS` (a letter with no failure has no key);
    ``failing_letters`` maps an expectation to the record indices that failed it.
    """

    validated: tuple[int, ...] = ()
    skipped: tuple[int, ...] = ()
    results: tuple[ExpectationResult, ...] = ()
    failures: dict[int, list[DqFailure]] = field(default_factory=dict)
    failing_letters: dict[str, tuple[int, ...]] = field(default_factory=dict)
    seconds: float = 0.0

    def failures_of(self, i: int) -> list[DqFailure]:
        """The failed expectations of record ``i`` (empty when it passed or was skipped)."""
        return list(self.failures.get(i, []))

    def is_quarantined(self, i: int) -> bool:
        """True when record ``i`` failed at least one critical expectation."""
        return any(f.level is Level.CRITICAL for f in self.failures.get(i, []))

    def sorted_failures(self, i: int, level: Level | None = None) -> list[DqFailure]:
        """Record ``i``'s failures, critical first, optionally of one level."""
        fs = [f for f in self.failures.get(i, []) if level is None or f.level == level]
        fs.sort(key=lambda f: (f.level is not Level.CRITICAL, _ORDER.get(f.expectation, len(_ORDER))))
        return fs

    def reason_codes(self, i: int, level: Level | None = None) -> list[str]:
        """``["dq_<name>", ...]`` of record ``i``'s failures (critical first), optionally of one level."""
        return [f.code for f in self.sorted_failures(i, level)]

    @property
    def quarantined(self) -> list[int]:
        """Record indices with a critical failure."""
        return sorted(i for i in self.failures if self.is_quarantined(i))

    def result(self, name: str) -> ExpectationResult:
        """The result of the expectation ``name`` (KeyError when it is unknown or did not run)."""
        for r in self.results:
            if r.expectation == name:
                return r
        raise KeyError(name)

"""The outcome of validating one chunk: per-expectation results and per-letter failures.

Counts, expectation names, levels and record indices only: never letter text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from expectations.suites import BY_NAME, EXPECTATIONS, Level

#: At most this many failing record indices are kept per expectation as a sample.
SAMPLE_CAP = 20

_ORDER = {s.name: n for n, s in enumerate(EXPECTATIONS)}


class Failure(NamedTuple):
    """One failed expectation of one letter: ``(name, level)``."""

    name: str
    level: Level

    @property
    def reason_code(self) -> str:
        """``dq_<name>``."""
        return f"dq_{self.name}"


@dataclass(frozen=True)
class ExpectationResult:
    """How one expectation did on a chunk.

    ``evaluated`` counts the rows the check applied to (letters for the letter suite, items for
    the item suite; rows with a missing value the check skips are not counted), ``failed`` the
    rows that failed and ``failed_letters`` the distinct letters they belong to.
    ``sample`` holds up to :data:`SAMPLE_CAP` failing record indices.
    """

    suite: str
    name: str
    level: Level
    evaluated: int
    failed: int
    failed_letters: int = 0
    sample: tuple[int, ...] = ()

    @property
    def failure_rate(self) -> float:
        """``failed / evaluated`` (0.0 when nothing was evaluated)."""
        return self.failed / self.evaluated if self.evaluated else 0.0

    @property
    def success(self) -> bool:
        """True when no row failed."""
        return self.failed == 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (for artifacts and logs)."""
        return {
            "suite": self.suite,
            "name": self.name,
            "level": self.level,
            "evaluated": self.evaluated,
            "failed": self.failed,
            "failed_letters": self.failed_letters,
            "failure_rate": round(self.failure_rate, 6),
            "sample": list(self.sample),
        }


@dataclass
class QualityReport:
    """Data quality of one chunk of records.

    ``validated`` are the record indices that were checked (status ``parsed``), ``skipped``
    the others; ``failures`` maps a record index to its failed expectations, in the order of
    :data:`expectations.suites.EXPECTATIONS` (a letter with no failure has no key).
    """

    validated: tuple[int, ...] = ()
    skipped: tuple[int, ...] = ()
    results: tuple[ExpectationResult, ...] = ()
    failures: dict[int, list[Failure]] = field(default_factory=dict)
    seconds: float = 0.0

    def failures_of(self, i: int) -> list[Failure]:
        """The failed expectations of record ``i`` (empty when it passed or was skipped)."""
        return list(self.failures.get(i, []))

    def critical_failures(self, i: int) -> list[str]:
        """Names of the critical expectations record ``i`` failed."""
        return [f.name for f in self.failures.get(i, []) if f.level == "critical"]

    def warnings(self, i: int) -> list[str]:
        """Names of the warning-level expectations record ``i`` failed."""
        return [f.name for f in self.failures.get(i, []) if f.level == "warning"]

    def is_quarantined(self, i: int) -> bool:
        """True when record ``i`` failed at least one critical expectation."""
        return any(f.level == "critical" for f in self.failures.get(i, []))

    def reason_codes(self, i: int, level: Level | None = None) -> list[str]:
        """``["dq_<name>", ...]`` of record ``i``'s failures (critical first), optionally of one level."""
        fs = [f for f in self.failures.get(i, []) if level is None or f.level == level]
        fs.sort(key=lambda f: (f.level != "critical", _ORDER.get(f.name, len(_ORDER))))
        return [f.reason_code for f in fs]

    @property
    def quarantined(self) -> list[int]:
        """Record indices with a critical failure."""
        return sorted(i for i in self.failures if self.is_quarantined(i))

    def result(self, name: str) -> ExpectationResult:
        """The result of the expectation ``name`` (KeyError when it is unknown or did not run)."""
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: counts, results and per-letter reason codes."""
        return {
            "validated": len(self.validated),
            "skipped": len(self.skipped),
            "quarantined": len(self.quarantined),
            "with_warnings": sum(1 for i in self.failures if self.warnings(i)),
            "seconds": round(self.seconds, 3),
            "results": [r.to_dict() for r in self.results],
            "failures": {str(i): self.reason_codes(i) for i in sorted(self.failures)},
        }


def failure_for(name: str) -> Failure:
    """The :class:`Failure` of expectation ``name`` with its level."""
    return Failure(name, BY_NAME[name].level)

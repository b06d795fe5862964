"""The statistics of the drift checks (pure Python): the thresholds, the bands a history or a
published figure gives, and the bounds an observed share or mean must stay within.

A share of ``n`` trials fails when its Wilson score interval at confidence ``1 - alpha`` excludes
the whole baseline band; equivalently, when the observed share leaves
``[min_{p in band} p - z*sqrt(p(1-p)/n), max_{p in band} p + z*sqrt(p(1-p)/n)]``
(:func:`share_bounds`). A mean of ``n`` values fails outside ``[b_lo - z*s/sqrt(n), b_hi + z*s/sqrt(n)]``
(:func:`mean_bounds`). The band is the history's figure widened by ``k`` times its own variation
(:func:`history_share_band`, :func:`history_mean_band`). See docs/operations.md, "Drift monitoring".
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist


@dataclass(frozen=True)
class DriftSettings:
    """Thresholds of the drift checks (see :mod:`expectations.drift`)."""

    alpha: float = 0.001  # a check fails when the batch's 1 - alpha interval excludes the band
    min_letters: int = 10  # a smaller batch is ``insufficient`` for every check
    min_trials: int = 10  # a check counting fewer letters, items or files is ``insufficient``
    min_history_batches: int = 3  # the history is a baseline with this many earlier batches ...
    min_history_letters: int = 50  # ... holding this many letters (else the published figures)
    window: int = 30  # earlier batches in the rolling history
    history_k: float = 2.0  # the band: the history's figure widened by k times its own variation
    #: leave a batch out of the baseline of a check that batch itself failed (an anomaly must not
    #: widen the band that judges the next nights; see docs/operations.md for a lasting change)
    exclude_failed: bool = True

    @property
    def z(self) -> float:
        """The two-sided normal quantile of ``alpha`` (3.29 for 0.001)."""
        return NormalDist().inv_cdf(1 - self.alpha / 2)


def share_bounds(band: tuple[float, float], n: int, z: float) -> tuple[float, float]:
    """Bounds on an observed share of ``n`` trials: the shares whose Wilson score interval at
    quantile ``z`` still reaches the baseline band, ``[min p - z*sqrt(p(1-p)/n), max p + ...]``
    over ``p`` in the band, clipped to [0, 1]. Raises ValueError for ``n < 1``."""
    if n < 1:
        raise ValueError("n must be at least 1")
    lo, hi = sorted((min(max(band[0], 0.0), 1.0), min(max(band[1], 0.0), 1.0)))
    steps = 64
    grid = [lo + (hi - lo) * k / steps for k in range(steps + 1)]
    if lo < 0.5 < hi:
        grid.append(0.5)

    def half(p: float) -> float:
        return z * math.sqrt(p * (1 - p) / n)

    lower = min(p - half(p) for p in grid)
    upper = max(p + half(p) for p in grid)
    return max(0.0, lower), min(1.0, upper)


def wilson_interval(x: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson score interval of ``x`` successes in ``n`` trials at quantile ``z``."""
    if n < 1:
        raise ValueError("n must be at least 1")
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_bounds(band: tuple[float, float], sd: float, n: int, z: float) -> tuple[float, float]:
    """Bounds on an observed mean of ``n`` values: ``[b_lo - z*sd/sqrt(n), b_hi + z*sd/sqrt(n)]``."""
    if n < 1:
        raise ValueError("n must be at least 1")
    half = z * sd / math.sqrt(n)
    return band[0] - half, band[1] + half


def history_share_band(trials: Sequence[tuple[int, int]], k: float) -> tuple[float, tuple[float, float]]:
    """``(p0, band)`` from the history's ``(successes, trials)`` per batch: the pooled share
    ``p0 = (X + 0.5) / (N + 1)`` and ``p0 +- k * sqrt(tau^2 + p0(1-p0)/N)``, ``tau^2`` the
    between-batch variance of the batch shares beyond binomial noise (method of moments, >= 0)."""
    used = [(x, n) for x, n in trials if n > 0]
    total_x = sum(x for x, _ in used)
    total_n = sum(n for _, n in used)
    p0 = (total_x + 0.5) / (total_n + 1)
    shares = [x / n for x, n in used]
    tau2 = 0.0
    if len(shares) >= 2:
        noise = statistics.fmean(p0 * (1 - p0) / n for _, n in used)
        tau2 = max(0.0, statistics.variance(shares) - noise)
    spread = k * math.sqrt(tau2 + p0 * (1 - p0) / max(total_n, 1))
    return p0, (max(0.0, p0 - spread), min(1.0, p0 + spread))


def history_mean_band(samples: Sequence[Sequence[float]], k: float) -> tuple[float, tuple[float, float], float]:
    """``(mean, band, sd)`` from the history's values per batch: the mean of all values, the band
    ``mean +- k * sqrt(tau^2 + sd^2/N)`` (``tau^2`` the between-batch variance of batch means beyond
    sampling noise) and the pooled within-batch standard deviation ``sd``."""
    used = [list(v) for v in samples if len(v) > 0]
    values = [x for v in used for x in v]
    mean = statistics.fmean(values)
    within = [statistics.variance(v) * (len(v) - 1) for v in used if len(v) > 1]
    dof = sum(len(v) - 1 for v in used if len(v) > 1)
    sd = math.sqrt(sum(within) / dof) if dof > 0 else (statistics.pstdev(values) if len(values) > 1 else 0.0)
    tau2 = 0.0
    if len(used) >= 2:
        means = [statistics.fmean(v) for v in used]
        noise = statistics.fmean(sd * sd / len(v) for v in used)
        tau2 = max(0.0, statistics.variance(means) - noise)
    spread = k * math.sqrt(tau2 + sd * sd / len(values))
    return mean, (mean - spread, mean + spread), sd

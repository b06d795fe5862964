"""The report's charts as inline SVG (matplotlib, no browser-side JavaScript, nothing fetched).

Each chart is a function of :class:`reports.data.ReportData` returning an ``<svg>`` element
(text kept as text, ids salted per chart so several charts live in one HTML page). Rates are
plotted only over bases of at least :data:`reports.figures.MIN_BASE`; what was left out is
said in the chart's caption.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from reports import queries as q
from reports.data import ReportData
from reports.figures import GUIDELINE_LABELS, MIN_BASE, PARTY_LABELS, label, rate

BLUE, RED, GREY = "#2f6ea5", "#c0392b", "#8a8f98"
WIDTH, HEIGHT = 7.5, 3.2  # inches


@dataclass(frozen=True)
class Chart:
    """One rendered chart: its title, caption and ``<svg>`` markup."""

    name: str
    title: str
    caption: str
    svg: str


def _figure(height: float = HEIGHT) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="both", color="#e5e7eb", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax



def _counts_axis(ax: Axes, label: str) -> None:
    """A y axis of whole counts labelled ``label``, and the legend."""
    ax.set_ylabel(label)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False, fontsize=8)

def _empty(fig: Figure, ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=GREY)
    ax.set_axis_off()
    fig.set_figheight(0.8)


def _svg(fig: Figure, name: str) -> str:
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"imr-{name}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _thin_ticks(ax: Axes, labels: list[str], max_labels: int = 24) -> None:
    step = max(1, -(-len(labels) // max_labels))
    ax.set_xticks(
        range(0, len(labels), step), [labels[i] for i in range(0, len(labels), step)], rotation=45, ha="right"
    )


def monthly_volume(data: ReportData) -> tuple[Figure, str]:
    """Letters per decision month."""
    fig, ax = _figure()
    months = [m for m in data.months if m.month is not None]
    if not months:
        _empty(fig, ax, "no letters with a decision date")
        return fig, ""
    ax.bar(range(len(months)), [m.letters for m in months], color=BLUE, width=0.8)
    _thin_ticks(ax, [str(m.month) for m in months])
    ax.set_ylabel("letters")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    undated = sum(m.letters for m in data.months if m.month is None)
    return fig, f"{undated:,} letters without a decision date are not shown." if undated else ""


def monthly_overturn_rate(data: ReportData) -> tuple[Figure, str]:
    """Share of items overturned per decision month (months with at least MIN_BASE items)."""
    fig, ax = _figure()
    dated = [m for m in data.months if m.month is not None]
    points = [(i, rate(m.overturned_items, m.items)) for i, m in enumerate(dated)]
    shown = [(i, r) for i, r in points if r is not None]
    if not shown:
        _empty(fig, ax, f"no month with {MIN_BASE} or more items")
        return fig, ""
    ax.plot([i for i, _ in shown], [r for _, r in shown], marker="o", color=RED, linewidth=1.5, markersize=3)
    if data.totals.items >= MIN_BASE:
        ax.axhline(data.totals.overturned_items / data.totals.items, color=GREY, linestyle="--", linewidth=1)
    _thin_ticks(ax, [str(m.month) for m in dated])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, min(1.0, max(r for _, r in shown) * 1.3 + 0.02))
    ax.set_ylabel("items overturned")
    left_out = len(dated) - len(shown)
    note = "Dashed: the whole period."
    return fig, note + (f" {left_out} month(s) with fewer than {MIN_BASE} items are left out." if left_out else "")


def _rate_bars(groups: list[q.Group], missing: str, empty: str) -> tuple[Figure, str]:
    shown = [g for g in groups if g.items >= MIN_BASE][:15]
    fig, ax = _figure(max(1.6, 0.32 * len(shown) + 0.9))
    if not shown:
        _empty(fig, ax, empty)
        return fig, ""
    shown = sorted(shown, key=lambda g: g.overturned / g.items)
    names = [label(g.key[0], missing) for g in shown]
    rates = [g.overturned / g.items for g in shown]
    bars = ax.barh(range(len(shown)), rates, color=BLUE, height=0.65)
    ax.set_yticks(range(len(shown)), names)
    ax.bar_label(bars, labels=[f"{r:.1%}  ({g.overturned:,}/{g.items:,})" for r, g in zip(rates, shown, strict=True)],
                 padding=3, fontsize=8)  # fmt: skip
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, min(1.0, max(rates) * 1.45 + 0.02))
    ax.set_xlabel("items overturned")
    ax.grid(axis="y", visible=False)
    left_out = sum(1 for g in groups if g.items < MIN_BASE)
    return (
        fig,
        f"{left_out} group(s) with fewer than {MIN_BASE} items are left out (see the table)." if left_out else "",
    )


def category_overturn_rate(data: ReportData) -> tuple[Figure, str]:
    """Share of items overturned per service category."""
    return _rate_bars(data.categories, "(not classified)", f"no category with {MIN_BASE} or more items")


def drug_class_overturn_rate(data: ReportData) -> tuple[Figure, str]:
    """Share of pharmaceutical items overturned per drug class."""
    return _rate_bars(data.drug_classes, "(no class)", f"no drug class with {MIN_BASE} or more items")


def guideline_sources(data: ReportData) -> tuple[Figure, str]:
    """Items per guideline source, one bar group per party."""
    fig, ax = _figure()
    sources = list(GUIDELINE_LABELS)
    parties = (("reviewer", data.reviewer_guidelines), ("claims_administrator", data.claims_guidelines))
    if data.totals.items == 0:
        _empty(fig, ax, "no items")
        return fig, ""
    width = 0.38
    for j, (party, groups) in enumerate(parties):
        counts = {g.key[0]: g.items for g in groups}
        xs = [i + (j - 0.5) * width for i in range(len(sources))]
        bars = ax.bar(xs, [counts.get(s, 0) for s in sources], width, label=PARTY_LABELS[party],
                      color=(BLUE, GREY)[j])  # fmt: skip
        ax.bar_label(bars, fontsize=7, padding=1)
    ax.set_xticks(range(len(sources)), [GUIDELINE_LABELS[s] for s in sources])
    _counts_axis(ax, "items")
    return fig, ""


def days_to_decision(data: ReportData) -> tuple[Figure, str]:
    """Histogram of days from application received to decision, with the median and p90."""
    fig, ax = _figure()
    hist = data.days_histogram
    if not hist:
        _empty(fig, ax, "no letter states both dates")
        return fig, ""
    ax.bar([d for d, _ in hist], [n for _, n in hist], width=1.0, color=BLUE)
    for value, name, color in ((data.turnaround.median, "median", RED), (data.turnaround.p90, "p90", GREY)):
        if value is not None:
            ax.axvline(value, color=color, linestyle="--", linewidth=1.2, label=f"{name} {value} days")
    ax.set_xlabel("days from application received to decision")
    _counts_axis(ax, "letters")
    return fig, ""


def quarantine_share(data: ReportData) -> tuple[Figure, str]:
    """Share of each batch's files set aside (rejected or quarantined, as the verdict counts them),
    batches in start order."""
    fig, ax = _figure()
    shown = [b for b in data.batches if b.files > 0]
    if not shown:
        _empty(fig, ax, "no batch with files")
        return fig, ""
    shares = [b.set_aside / b.files for b in shown]
    ax.bar(range(len(shown)), shares, color=RED, width=0.8)
    _thin_ticks(ax, [b.started_at.strftime("%Y-%m-%d %H:%M") for b in shown], max_labels=12)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, min(1.0, max(0.05, max(shares) * 1.3)))
    ax.set_ylabel("files set aside")
    small = sum(1 for b in shown if b.files < MIN_BASE)
    return fig, f"{small} batch(es) had fewer than {MIN_BASE} files." if small else ""


CHARTS: dict[str, tuple[str, Callable[[ReportData], tuple[Figure, str]]]] = {
    "monthly_volume": ("Letters per decision month", monthly_volume),
    "monthly_overturn_rate": ("Items overturned per decision month", monthly_overturn_rate),
    "category_overturn_rate": ("Items overturned by service category", category_overturn_rate),
    "drug_class_overturn_rate": ("Pharmaceutical items overturned by drug class", drug_class_overturn_rate),
    "guideline_sources": ("Guideline sources cited, items", guideline_sources),
    "days_to_decision": ("Days from application received to decision", days_to_decision),
    "quarantine_share": ("Share of files set aside per batch (rejected or quarantined)", quarantine_share),
}


def render(data: ReportData) -> dict[str, Chart]:
    """Every chart of :data:`CHARTS` rendered to SVG."""
    out: dict[str, Chart] = {}
    for name, (title, draw) in CHARTS.items():
        fig, caption = draw(data)
        out[name] = Chart(name, title, caption, _svg(fig, name))
    return out

"""``generate_letter``: a deterministic synthetic IMR letter from a seed.

The generator draws every choice from one :class:`random.Random`, builds the printed content
(:mod:`imr.synth.layouts`) and the ground truth (:class:`imr.models.Letter`) from the same
choices, so they cannot disagree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from imr.models import Letter, Patient, Priority, Reviewer, outcome_of
from imr.synth.content import LAYOUTS, Furniture, HardCases, SyntheticLetter, chance
from imr.synth.dates import DateWriter, case_dates
from imr.synth.items import ItemContext, build_items, item_count, lower_first
from imr.synth.layouts import BUILDERS, Plan
from imr.synth.narrative import case_summary
from imr.synth.vocabulary import (
    BOARD_SPECIALTIES,
    FICTIONAL_UR_FIRMS,
    LETTERHEADS,
    LONG_SPECIALTIES,
    OTHER_STATES,
    SPECIALTIES,
)

#: decision years of each layout generation
LAYOUT_YEARS: dict[str, tuple[int, int]] = {
    "A": (2013, 2013),
    "B": (2013, 2013),
    "C": (2014, 2015),
    "D1": (2014, 2016),
    "D2": (2015, 2017),
}
LAYOUT_WEIGHTS: dict[str, int] = {"A": 10, "B": 8, "C": 10, "D1": 20, "D2": 52}

#: The reviewer's degrees as a line may list them, no space after the commas (HardCases.degrees).
DEGREE_LISTS: tuple[tuple[str, ...], ...] = (
    ("MD", "MPH"), ("M.D.", "FACS"), ("DO", "FACOEM"), ("MD", "FAAPMR"), ("M.D.", "M.P.H.", "FACOEM"),
    ("MD", "PhD"), ("D.O.", "MPH"),
)  # fmt: skip
#: Running headers of a mailed copy printed above the letterhead; some name the letter, some do not.
RUNNING_HEADERS: tuple[str, ...] = (
    "CONFIDENTIAL",
    "Confidential - contains protected health information",
    "Workers' Compensation Independent Medical Review",
    "IMR Final Determination {case}",
)


def as_rng(seed_or_rng: int | random.Random) -> random.Random:
    """The given generator, or a new one seeded with the given integer."""
    if isinstance(seed_or_rng, random.Random):
        return seed_or_rng
    return random.Random(seed_or_rng)


def _reviewer(rng: random.Random, hard: HardCases, layout: str) -> tuple[list[str], list[str], bool, bool]:
    """(states, specialties, wrapped_specialty, states_no_space)."""
    states = ["California"]
    wrapped = False
    no_space = False
    if layout == "D2":
        if rng.random() < hard.extra_states:
            states += rng.sample(OTHER_STATES, rng.choice((1, 1, 2)))
        no_space = rng.random() < hard.no_space_states
        specialties = rng.sample(SPECIALTIES, 2 if rng.random() < hard.two_specialties else 1)
        if rng.random() < hard.wrapped_specialty:
            specialties[-1] = rng.choice(LONG_SPECIALTIES)
            wrapped = True
    else:
        specialties = [rng.choice(BOARD_SPECIALTIES)]
    return states, specialties, wrapped, no_space


def generate_letter(
    seed_or_rng: int | random.Random,
    layout: str | None = None,
    hard: HardCases | None = None,
    *,
    amended_days: int = 0,
    case_number: str | None = None,
) -> SyntheticLetter:
    """A synthetic letter of ``layout`` (A, B, C, D1, D2; random when None) and its ground truth.

    The same integer seed (or an identically seeded generator) always gives the same letter.
    ``amended_days`` and ``case_number``: a later letter of the same case (an amended
    determination) of the letter of the same seed: its decision ``amended_days`` later, the
    original's ``case_number`` printed (every other choice drawn alike). Raises ValueError for an
    unknown layout.
    """
    seed = seed_or_rng if isinstance(seed_or_rng, int) else None
    rng = as_rng(seed_or_rng)
    hard = hard or HardCases()
    if layout is None:
        layout = rng.choices(list(LAYOUT_WEIGHTS), weights=list(LAYOUT_WEIGHTS.values()))[0]
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    dates = case_dates(rng, LAYOUT_YEARS[layout])
    if amended_days:
        dates = dataclasses.replace(dates, decision=dates.decision + dt.timedelta(days=amended_days))
    mixed = rng.random() < hard.mixed_dates
    write = DateWriter(rng, mixed)
    non_ascii = rng.random() < hard.non_ascii
    header = layout in ("C", "D2") or (layout == "D1" and rng.random() >= hard.headerless_d1)
    features: set[str] = set()
    ctx = ItemContext(
        rng=rng,
        hard=hard,
        year=dates.decision.year,
        dates=write,
        visit=dates.visit,
        request_date=dates.request,
        guideline_lines=layout not in ("A", "B"),
        allow_modified=layout not in ("A", "B"),
        year_less_mtus=layout == "D1" and not header and rng.random() < 0.5,
        non_ascii=non_ascii,
    )
    items = build_items(ctx, item_count(rng, hard))
    if layout == "A":
        for spec in items:
            spec.item.request = lower_first(spec.item.request)
            spec.item.rationale = None  # unless the letter prints item sections (layouts.blocks_a)
    summary = case_summary(rng, dates, write, items, non_ascii=non_ascii, disclaimer=layout == "A")
    states, specialties, wrapped, no_space = _reviewer(rng, hard, layout)
    priority: Priority = "expedited" if rng.random() < hard.expedited else "standard"
    drawn = f"CM{dates.assigned.year % 100:02d}-{rng.randint(1, 299999):07d}" if header else None
    case_number = (case_number or drawn) if header else None
    plan = Plan(
        rng=rng, hard=hard, layout=layout, dates=dates, case_number=case_number,
        priority=priority.capitalize(), states=states, specialties=specialties, items=items,
        summary=summary, header=header, states_no_space=no_space, wrapped_specialty=wrapped,
        typo=rng.random() < hard.typos, firm=rng.choice(FICTIONAL_UR_FIRMS),
    )
    plan.numbered_decisions = layout == "C" and chance(rng, hard.numbered_decisions)
    plan.item_sections = layout == "A" and chance(rng, hard.item_sections)
    plan.quoted_summary = layout == "A" and chance(rng, hard.quoted_summary)
    plan.c_dated = layout == "C" and chance(rng, hard.c_dated)
    if chance(rng, hard.degrees):
        plan.degrees = ",".join(rng.choice(DEGREE_LISTS))
        plan.degree_form = rng.randrange(3)
    above = chance(rng, hard.header_above_letterhead)
    furniture = _furniture(rng, case_number, above) if above or chance(rng, hard.page_furniture) else None
    blocks = BUILDERS[layout](plan)
    letter = Letter(
        case_number=case_number,
        date_assigned=dates.assigned if header or layout == "A" else None,
        decision_date=dates.decision if header or layout == "A" else None,
        date_of_injury=dates.injury,
        ur_denial_date=dates.ur_denial,
        application_received=dates.application if header or layout == "A" else None,
        priority=priority if header else None,
        reviewer=Reviewer(licensure_states=states, specialties=specialties),
        outcome=outcome_of([s.item.decision for s in items]),
        patient=Patient(age=summary.age, sex=summary.sex, occupation=summary.occupation),
        diagnoses=list(summary.diagnoses),
        items=[s.item for s in items],
        layout=layout,
    )
    for spec in items:
        features.update(spec.features)
    if mixed:
        features.add("mixed_dates")
    if non_ascii:
        features.add("non_ascii")
    if wrapped:
        features.add("wrapped_specialty")
    if layout == "D1" and not header:
        features.add("headerless")
    if len(items) > 3:
        features.add("many_items")
    for name in ("numbered_decisions", "item_sections", "quoted_summary", "c_dated", "degrees"):
        if getattr(plan, name):
            features.add(name)
    if furniture:
        features.add("page_furniture")
    if furniture and furniture.header_first:
        features.add("header_above_letterhead")
    return SyntheticLetter(
        layout=layout, letter=letter, blocks=blocks, features=features, seed=seed, furniture=furniture
    )


def _furniture(rng: random.Random, case_number: str | None, header_first: bool = False) -> Furniture:
    """A mailed copy's letterhead (page 1 or every page), running header and footer;
    ``header_first``: a running header (one of :data:`RUNNING_HEADERS`) above the letterhead."""
    running = "Independent Medical Review Final Determination"
    running += f" - Case Number: {case_number}" if case_number else " Letter"
    if header_first:
        choices = [h for h in RUNNING_HEADERS if case_number or "{case}" not in h]
        running = rng.choice(choices).format(case=case_number)
    return Furniture(
        letterhead=rng.choice(LETTERHEADS),
        running_header=running,
        every_page=rng.random() < 0.5,
        lines_per_page=rng.randint(28, 44),
        header_first=header_first,
    )

"""Disputed items of a synthetic letter: request wording, decisions, guideline lines, rationales.

An :class:`ItemSpec` holds the truth (:class:`imr.models.Item`) and what the letter prints:
the decision-line text (for a UR-modified request, the whole modification paragraph), the
guideline lines and the rationale (``"\\n"`` marks forced line breaks used by decoy lines).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from imr.models import GUIDELINE_SOURCES, Decision, Guideline, GuidelineSource, Item
from imr.synth.content import HardCases, chance, collapse
from imr.synth.dates import DateWriter
from imr.synth.vocabulary import (
    ASSOCIATED_SERVICES,
    BODY_PARTS,
    MTUS_BY_PART,
    POST_OP_SERVICES,
    RETRO_SERVICES,
    SERVICES,
    TREATMENTS,
    ServiceKind,
    mtus_year,
)


@dataclass
class ItemSpec:
    """One item: truth plus printed wording."""

    item: Item
    line_text: str  # decision-line text without the ": Upheld" part
    summary_name: str  # how the case summary refers to the request
    split_at: int | None = None  # sentence boundary inside a modification paragraph
    modified: bool = False
    authorized: str | None = None  # what UR authorised (modified requests)
    kind: str = "service"
    features: tuple[str, ...] = ()
    rationale_text: str = ""  # as printed; "\n" marks a forced line break


@dataclass
class ItemContext:
    """What item generation needs to know about the letter."""

    rng: random.Random
    hard: HardCases
    year: int
    dates: DateWriter
    visit: dt.date
    request_date: dt.date
    guideline_lines: bool  # layouts A and B print no guideline lines
    allow_modified: bool
    year_less_mtus: bool  # older letters: "MTUS Acupuncture Treatment Guidelines."
    non_ascii: bool


def lower_first(s: str) -> str:
    """``s`` with its first letter lower-cased, unless it starts with an acronym or a number."""
    first = s.split(" ", 1)[0]
    if first.isupper() or any(c.isdigit() for c in first) or first[:1].islower():
        return s
    return s[:1].lower() + s[1:]


def _fill(template: str, n: int | None, part: str) -> str:
    return template.replace("{n}", str(n) if n is not None else "").replace("{part}", part)


def item_count(rng: random.Random, hard: HardCases) -> int:
    """How many items a letter has: 1 to 3 mostly, 4 to 21 with probability ``many_items``."""
    if rng.random() < hard.many_items:
        return rng.choice((4, 4, 5, 5, 6, 7, 8, 9, 11, 14, 17, 21))
    return rng.choices((1, 2, 3), weights=(60, 27, 13))[0]


def _mtus_title(kind: ServiceKind, part: str) -> str:
    return MTUS_BY_PART.get(part, "Low Back Complaints") if kind.mtus == "by_part" else kind.mtus


def _guideline(ctx: ItemContext, kind: ServiceKind, part: str, who: str) -> Guideline:
    rng = ctx.rng
    if who == "ca":
        source: GuidelineSource = rng.choices(
            GUIDELINE_SOURCES, weights=(60, 15, 8, 17)
        )[0]
    else:
        source = rng.choices(GUIDELINE_SOURCES, weights=(70, 12, 12, 6))[0]
    title = _mtus_title(kind, part)
    year = "Guidelines" if ctx.year_less_mtus else str(mtus_year(title, ctx.year))
    mtus = f"MTUS {title} {year}"
    with_section = who == "mx" or rng.random() < 0.3
    section = f", Section(s): {kind.section}" if with_section and not ctx.year_less_mtus else ""
    actor = "The Claims Administrator" if who == "ca" else "The Expert Reviewer"
    pronoun = "their" if who == "ca" else rng.choice(("his/her", "their"))
    cite = kind.non_mtus
    if source == "mtus":
        text = f"Decision based on {mtus}{section}."
    elif source == "non_mtus":
        text = (
            f"{actor} based {pronoun} decision on recommendation(s) outside of the MTUS Guidelines. "
            f"Decision based on Non-MTUS Citation {cite}."
        )
    elif source == "mtus_and_non_mtus":
        text = f"Decision based on {mtus}{section or ', Section(s): ' + kind.section}. "
        text += f"Decision based on Non-MTUS Citation {cite}."
    else:
        text = f"{actor} did not cite any medical evidence for its decision."
    return Guideline(source=source, text=text)


_RATIONALE: dict[str, tuple[str, ...]] = {
    "therapy": (
        "The cited guideline supports a limited number of supervised visits that taper toward an "
        "independent home program.",
        "The notes describe {k} earlier visits but give no measured change in motion, strength or work status.",
        "A short course can be reasonable when a new body region is treated or a documented flare occurs.",
    ),
    "imaging": (
        "Imaging is reserved for red-flag findings, a progressive neurologic deficit or the planning of an "
        "invasive procedure.",
        "The examination of {date} records tenderness and guarding without a focal motor or sensory deficit.",
        "Earlier plain films were read as unremarkable and no new clinical change is described.",
    ),
    "drug": (
        "Continued use of this medication calls for documented pain relief, better function and monitoring "
        "for side effects.",
        "Progress notes give pain of {p}/10 with the medication and {q}/10 without it but name no activity "
        "that improved.",
        "The record does not show a recent screening for aberrant use or a signed treatment agreement.",
    ),
    "surgery": (
        "Referral for surgery is supported when limitation lasts beyond four months and imaging shows a "
        "lesion known to benefit from repair.",
        "The file documents about {m} months of conservative care, including {t}.",
        "The treating surgeon's note of {date} describes the planned procedure and the findings that support it.",
    ),
    "service": (
        "The requested service may help as an adjunct to an active program aimed at restoring function.",
        "The documentation does not state the goal of the service or how its benefit would be measured.",
        "The worker's condition was reviewed against the cited criteria on {date}.",
    ),
}

_FAVOURABLE: tuple[str, ...] = (
    "In this case the worker improved with the earlier course and returned to modified duty.",
    "Here the findings are objective and consistent across visits, which meets the cited criteria.",
    "The records show a clear functional goal and a plan to measure progress.",
)


#: Last sentences of a rationale that read like the end of a UR-modified request.
RATIONALE_TAILS: tuple[str, ...] = (
    "Any part of the request already certified remains as approved by the Claims Administrator.",
    "This review does not change the portion that was authorized by the Claims Administrator.",
    "No other portion of this request is IMR eligible.",
)


def _conclusion(rng: random.Random, request: str, decision: Decision) -> str:
    forms: tuple[str, ...]
    if decision == "upheld":
        forms = (
            "The request for {r} is not medically necessary.",
            "Therefore, {r} is not medically necessary.",
            "As a result, the request for {r} is determined to not be medically necessary.",
            "The requested {r} cannot be considered medically necessary.",
            "The requested {r} is not medically necessary or appropriate in this case.",
        )
    else:
        forms = (
            "The request for {r} is medically necessary.",
            "Therefore, {r} is medically necessary.",
            "Accordingly, the request for {r} is medically necessary and appropriate.",
        )
    return rng.choice(forms).format(r=lower_first(request))


def _rationale(ctx: ItemContext, spec_kind: str, request: str, decision: Decision, surgery_upheld: bool,
               associated: bool) -> tuple[str, list[str]]:
    rng = ctx.rng
    feats: list[str] = []
    if associated and surgery_upheld:
        text = (
            "Because the primary surgical procedure was not found medically necessary, the service requested "
            "with it is likewise not medically necessary."
        )
        return text, feats
    pool = _RATIONALE.get(spec_kind, _RATIONALE["service"])
    values = {
        "k": str(rng.choice((6, 8, 12, 16, 24))),
        "date": ctx.dates(ctx.visit),
        "p": str(rng.randint(3, 6)),
        "q": str(rng.randint(7, 9)),
        "m": str(rng.randint(4, 14)),
        "t": ", ".join(rng.sample(TREATMENTS, 2)),
    }
    sentences = [s.format(**values) for s in pool]
    rng.shuffle(sentences)
    if ctx.non_ascii and rng.random() < 0.5:
        sentences.append(rng.choice((
            "Shoulder abduction was limited to 100° on the last visit.",
            "The worker’s pain diary was not provided.",
            "The prior trial (2×/week) ended without a recorded benefit.",
            "The “home exercise program” is mentioned but not described.",
        )))
    if decision == "overturned":
        sentences.append(rng.choice(_FAVOURABLE))
    if spec_kind == "drug" and "Norco" in request and decision == "upheld":
        sentences.append("Weaning should follow the MTUS advice on tapering opioids rather than abrupt cessation.")
    text = " ".join(sentences)
    if rng.random() < ctx.hard.decoy_lines:
        feats.append("decoy_recommended")
        text = (
            "The MTUS entry for physical medicine treatment: Recommended\n"
            "as described, with visits faded over time and an active self-directed home program. " + text
        )
    conclusion = _conclusion(rng, request, decision)
    if chance(rng, ctx.hard.rationale_tail):
        feats.append("rationale_tail")
        conclusion += " " + rng.choice(RATIONALE_TAILS)
    if rng.random() < ctx.hard.decoy_lines:
        feats.append("decoy_conclusion")
        verdict = "not medically necessary" if decision == "upheld" else "medically necessary"
        return f"{text} {conclusion}\n{request[:1].upper() + request[1:]}: {verdict}.", feats
    return f"{text} {conclusion}", feats


def _modified(ctx: ItemContext, kind: ServiceKind, part: str) -> tuple[str, str, int, str, str]:
    """(decision-line text, request truth, split offset, authorised text, original text)."""
    rng = ctx.rng
    n0 = max(kind.quantities)
    n_auth = rng.choice([q for q in range(1, n0) if q * 2 <= n0] or [1])
    original = _fill(kind.template, n0, part)
    authorized = _fill(kind.template, n_auth, part)
    first = f"{original} was the original request. "
    if rng.random() < ctx.hard.original_eligible:
        request = lower_first(original)
        text = (
            first + f"The Claims Administrator offered {lower_first(authorized)}, which the requesting "
            f"provider did not accept, leaving the original request IMR eligible. "
            f"The original request, {request} is"
        )
    else:
        request = lower_first(_fill(kind.template, n0 - n_auth, part))
        text = (
            first + f"{authorized} was authorized by the Claims Administrator. "
            f"The remaining IMR eligible portion of the original request, {request} is"
        )
    return text, request, len(first), authorized, original


def build_items(ctx: ItemContext, count: int) -> list[ItemSpec]:
    """``count`` items with decisions, guideline lines and rationales (ordinals 1..count)."""
    rng, hard = ctx.rng, ctx.hard
    planned: list[tuple[str, ServiceKind | None, str]] = []  # (mode, kind, extra)
    while len(planned) < count:
        room = count - len(planned)
        roll = rng.random()
        if roll < hard.colon_in_item and room >= 2:
            surgery = rng.choice([k for k in SERVICES if k.kind == "surgery"])
            planned.append(("service", surgery, ""))
            for name in rng.sample(ASSOCIATED_SERVICES, min(room - 1, rng.randint(1, 3))):
                planned.append(("associated", None, name))
            if len(planned) < count and rng.random() < hard.post_op:
                planned.append(("post_op", None, ""))
            continue
        if rng.random() < hard.post_op:
            planned.append(("post_op", None, ""))
        elif rng.random() < hard.retrospective:
            planned.append(("retro", None, ""))
        else:
            planned.append(("service", rng.choice(SERVICES), ""))
    planned = planned[:count]

    specs: list[ItemSpec] = []
    surgery_upheld = True
    last_surgery = SERVICES[0]
    upheld_all = rng.random() < 0.7  # most letters uphold every item
    for ordinal, (mode, kind, extra) in enumerate(planned, start=1):
        part = rng.choice(BODY_PARTS)
        decision: Decision = "overturned" if (not upheld_all and rng.random() < hard.overturn * 2.5) or (
            upheld_all and rng.random() < hard.overturn / 3
        ) else "upheld"
        feats: list[str] = []
        split_at: int | None = None
        modified = False
        authorized: str | None = None
        category: str | None
        subcategory: str | None
        drug_class: str | None = None
        spec_kind = "service"
        if mode == "associated":
            request = f"Associated surgical service: {extra}"
            line = f"Associated surgical service:{'  ' if rng.random() < hard.double_space else ' '}{extra}"
            category, subcategory = "Surgery", "Adjunct Surgical Services"
            gkind = last_surgery
            if surgery_upheld:
                decision = "upheld"
            feats.append("colon_in_item")
            summary_name = extra.lower()
        elif mode == "post_op":
            template, category, subcategory = rng.choice(POST_OP_SERVICES)
            request = line = _fill(template, None, part)
            gkind = SERVICES[0]
            feats.append("post_op")
            summary_name = lower_first(request)
        elif mode == "retro":
            name, category, subcategory, drug_class = rng.choice(RETRO_SERVICES)
            dos = ctx.visit
            request = line = f"Retrospective {lower_first(name)} (DOS {dos.month}/{dos.day}/{dos.year % 100:02d})"
            gkind = SERVICES[6]
            feats.append("retrospective")
            summary_name = lower_first(name)
        else:
            assert kind is not None
            gkind = kind
            spec_kind = kind.kind
            category, subcategory, drug_class = kind.category, kind.subcategory, kind.drug_class
            n = rng.choice(kind.quantities) if kind.quantities else None
            request = line = _fill(kind.template, n, part)
            summary_name = lower_first(request)
            if ctx.allow_modified and kind.modifiable and rng.random() < hard.modified_request:
                line, request, split_at, authorized, original = _modified(ctx, kind, part)
                summary_name = lower_first(original)
                modified = True
                feats.append("modified_request")
            if kind.kind == "surgery":
                surgery_upheld = decision == "upheld"
                last_surgery = kind
        if not ctx.non_ascii:  # brand marks only when the letter uses non-ASCII characters
            line, request, summary_name = (t.replace("®", "") for t in (line, request, summary_name))
        rationale, rfeats = _rationale(ctx, spec_kind, request, decision, surgery_upheld, mode == "associated")
        feats.extend(rfeats)
        if ctx.guideline_lines:
            ca = _guideline(ctx, gkind, part, "ca")
            mx = _guideline(ctx, gkind, part, "mx")
        else:
            ca, mx = Guideline(), Guideline()
        item = Item(
            ordinal=ordinal,
            request=collapse(request),
            decision=decision,
            claims_administrator_guideline=ca,
            reviewer_guideline=mx,
            rationale=collapse(rationale),
            service_category=category,
            service_subcategory=subcategory,
            drug_class=drug_class,
        )
        specs.append(
            ItemSpec(item, line, summary_name, split_at, modified, authorized, spec_kind, tuple(feats), rationale)
        )
    return specs

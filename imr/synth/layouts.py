"""Block lists for the five letter generations (A, B, C, D1, D2).

Each ``blocks_<layout>(plan)`` returns the logical content of a letter; the exact wording of
the decision statements is documented in ``imr/synth/README.md``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from imr.models import Guideline
from imr.synth.content import Block, HardCases, chance, collapse
from imr.synth.dates import CaseDates, header_date, short_date
from imr.synth.items import ItemSpec
from imr.synth.narrative import ISSUES_INTRO, SUMMARY_INTRO, Summary, how_made


@dataclass
class Plan:
    """Everything the block builders print, chosen by the generator."""

    rng: random.Random
    hard: HardCases
    layout: str
    dates: CaseDates
    case_number: str | None
    priority: str  # "Standard" | "Expedited"
    states: list[str]
    specialties: list[str]
    items: list[ItemSpec]
    summary: Summary
    header: bool
    states_no_space: bool
    wrapped_specialty: bool
    typo: bool
    firm: str
    numbered_decisions: bool = False  # layout C: numbered necessity sentences
    item_sections: bool = False  # layout A: guideline and rationale headings per item
    quoted_summary: bool = False  # layout A: the quoted UR summary after "Disclaimer:", no heading
    c_dated: bool = False  # layout C: "Dated:" under the title, no "Decision Date:" header line
    degrees: str | None = None  # the reviewer's degrees, "MD,MPH" (no space after the commas)
    degree_form: int = 0  # where they are printed (see board_sentence and _credentials)


def _heading(text: str, role: str = "") -> Block:
    return Block("heading", text=text, role=role)


def _para(text: str, role: str = "") -> Block:
    return Block("paragraph", text=text, role=role)


def _summary_blocks(plan: Plan) -> list[Block]:
    return [_para(p, role="summary") for p in plan.summary.paragraphs]


def board_sentence(subject: str, specialty: str, plan: Plan | None = None) -> str:
    """``The expert reviewer is Board Certified in X and is licensed to practice in California.``;
    with the plan's degrees: ``The expert reviewer, MD,MPH, is ...``, ``... in X (MD,MPH) and ...``
    or ``... in X, MD,MPH, and ...``."""
    deg = plan.degrees if plan else None
    if deg and plan and plan.degree_form == 0:
        return f"{subject}, {deg}, is Board Certified in {specialty} and is licensed to practice in California."
    if deg and plan and plan.degree_form == 1:
        return f"{subject} is Board Certified in {specialty} ({deg}) and is licensed to practice in California."
    if deg:
        return f"{subject} is Board Certified in {specialty}, {deg}, and is licensed to practice in California."
    return f"{subject} is Board Certified in {specialty} and is licensed to practice in California."


def _item_blocks(plan: Plan, spec: ItemSpec) -> list[Block]:
    rng, hard = plan.rng, plan.hard
    item = spec.item
    sep = ":  " if rng.random() < hard.double_space else ": "
    wrap = rng.random() < hard.wrapped_decision
    if wrap:
        spec.features = (*spec.features, "wrapped_decision")
    word = "Upheld" if item.decision == "upheld" else "Overturned"
    out = [
        Block("item_line", text=spec.line_text, label=word, role="item", ordinal=item.ordinal,
              separator=sep, wrap_decision=wrap, split_at=spec.split_at),
    ]
    ca, mx = item.claims_administrator_guideline, item.reviewer_guideline
    out.append(Block("labelled", label="Claims Administrator guideline:", text=ca.text or "",
                     role="ca_guideline", ordinal=item.ordinal))
    out.append(Block("labelled", label="MAXIMUS guideline:", text=mx.text or "", role="mx_guideline",
                     ordinal=item.ordinal))
    out.append(Block("labelled", label="Decision rationale:", text=spec.rationale_text, role="rationale",
                     ordinal=item.ordinal))
    return out


def _header_rows(plan: Plan) -> tuple[tuple[tuple[str, str], ...], ...]:
    d = plan.dates
    return (
        (("Case Number:", plan.case_number or ""),),
        (("Date Assigned:", header_date(d.assigned)), ("Date of Injury:", header_date(d.injury))),
        (("Decision Date:", header_date(d.decision)), ("UR Denial Date:", header_date(d.ur_denial))),
        (("Priority:", plan.priority), ("Application Received:", header_date(d.application))),
    )


def _credentials(plan: Plan) -> list[Block]:
    sep = "," if plan.states_no_space else ", "
    specs = ("," if plan.degrees else ", ").join(plan.specialties)
    if plan.wrapped_specialty:
        # break inside the last specialty ("Public Health &" / "General Preventive Medicine")
        head, _, tail = specs.rpartition(" & ")
        specs = f"{head} &\n{tail}" if head else specs
    intro = "The Expert Reviewer has the following credentials:"
    if plan.degrees and plan.degree_form == 0:
        intro = f"The Expert Reviewer, {plan.degrees}, has the following credentials:"
    out = [
        _para(intro, role="credentials"),
        _para(f"State(s) of Licensure: {sep.join(plan.states)}", role="credentials"),
        _para(f"Certification(s)/Specialty: {specs}", role="credentials"),
    ]
    if plan.degrees and plan.degree_form == 1:
        out.append(_para(f"Degree(s): {plan.degrees}", role="credentials"))
    elif plan.degrees and plan.degree_form == 2:
        out.insert(1, _para(f"Credentials: {plan.degrees}", role="credentials"))
    return out


def blocks_d(plan: Plan) -> list[Block]:
    """Layout D1 or D2: header table (optional for D1) and three sections."""
    out: list[Block] = []
    if plan.header:
        out.append(Block("header_table", rows=_header_rows(plan), role="header"))
    out.append(_heading("HOW THE IMR FINAL DETERMINATION WAS MADE"))
    if plan.layout == "D1":
        out.append(_para(how_made(board_sentence("The expert reviewer", plan.specialties[0], plan), plan.typo)))
    else:
        out.append(_para(how_made(None, plan.typo)))
        out.extend(_credentials(plan))
    out.append(_heading("CLINICAL CASE SUMMARY"))
    out.append(_para(SUMMARY_INTRO))
    out.extend(_summary_blocks(plan))
    out.append(_heading("IMR ISSUES, DECISIONS AND RATIONALES", role="issues_heading"))
    out.append(_para(ISSUES_INTRO))
    for spec in plan.items:
        out.extend(_item_blocks(plan, spec))
    return out


def _documents(plan: Plan) -> list[Block]:
    d = plan.dates
    first = d.injury if (d.visit - d.injury).days < 200 else d.visit.replace(day=1)
    return [
        _para(f"1. Application for Independent Medical Review, received {header_date(d.application)}"),
        _para(f"2. Utilization Review Determination from {plan.firm}, dated {header_date(d.ur_denial)}"),
        _para("3. California Medical Treatment Utilization Schedule (MTUS)"),
        _para(f"4. Medical records from the primary treating physician, {header_date(first)} - "
              f"{header_date(d.request)}"),
    ]


def blocks_c(plan: Plan) -> list[Block]:
    """Layout C: MAXIMUS / Independent Medical Review, header lines ending with UR Denial Date."""
    d = plan.dates
    rows: tuple[tuple[tuple[str, str], ...], ...] = (
        (("Case Number:", plan.case_number or ""),),
        (("Date Assigned:", header_date(d.assigned)),),
        (("Date of Injury:", header_date(d.injury)),),
        *(() if plan.c_dated else ((("Decision Date:", header_date(d.decision)),),)),
        (("Priority:", plan.priority),),
        (("Application Received:", header_date(d.application)),),
        (("UR Denial Date:", header_date(d.ur_denial)),),
    )
    out = [
        Block("title", text="MAXIMUS FEDERAL SERVICES, INC."),
        Block("title", text="Independent Medical Review"),
        Block("title", text="Final Determination Letter"),
        *([_para(f"Dated: {short_date(d.decision)}", role="dated")] if plan.c_dated else []),
        Block("header_table", rows=rows, role="header", as_lines=True),
        _heading("HOW THE IMR FINAL DETERMINATION WAS MADE"),
        _para(how_made(board_sentence("The expert reviewer", plan.specialties[0], plan), plan.typo)),
        _heading("DOCUMENTS REVIEWED"),
        *_documents(plan),
        _heading("CLINICAL CASE SUMMARY"),
        _para(SUMMARY_INTRO),
        *_summary_blocks(plan),
        _heading("IMR DECISION(S) AND RATIONALE(S)", role="issues_heading"),
        _para(ISSUES_INTRO),
    ]
    for spec in plan.items:
        if plan.numbered_decisions:
            out.extend(_numbered_item_blocks(spec))
        else:
            out.extend(_item_blocks(plan, spec))
    return out


def necessity(decision: str) -> str:
    """``not medically necessary and appropriate`` (upheld) or ``medically necessary and appropriate``."""
    return ("not " if decision == "upheld" else "") + "medically necessary and appropriate"


def _numbered_item_blocks(spec: ItemSpec) -> list[Block]:
    """An item of an older layout C letter: a numbered necessity sentence, then the label lines."""
    item = spec.item
    request = item.request[:1].upper() + item.request[1:]
    line = f"{item.ordinal}. {request} is {necessity(item.decision)}."
    ca, mx = item.claims_administrator_guideline, item.reviewer_guideline
    return [
        _para(line, role="item"),
        Block("labelled", label="Claims Administrator guideline:", text=ca.text or "", role="ca_guideline",
              ordinal=item.ordinal),
        Block("labelled", label="MAXIMUS guideline:", text=mx.text or "", role="mx_guideline", ordinal=item.ordinal),
        Block("labelled", label="Decision rationale:", text=spec.rationale_text, role="rationale",
              ordinal=item.ordinal),
    ]


def a_decision(spec: ItemSpec, typo: bool) -> str:
    """``N) MAXIMUS Federal Services, Inc. has determined the request for X is [not ]medically ...``."""
    item = spec.item
    verdict = "medically necessary and appropriate"
    if item.decision == "upheld":
        verdict = ("not" if typo else "not ") + verdict
    return (
        f"{item.ordinal}) MAXIMUS Federal Services, Inc. has determined the request for {item.request} "
        f"is {verdict}."
    )


def blocks_a(plan: Plan) -> list[Block]:
    """Layout A (2013): "Notice of Independent Medical Review Determination" with "Dated:"."""
    d = plan.dates
    decisions = [_para(a_decision(s, plan.typo), role="item") for s in plan.items]
    procedural = (
        f"An application for Independent Medical Review was filed on {short_date(d.application)} disputing "
        f"the Utilization Review Denial dated {short_date(d.ur_denial)}. A Notice of Assignment and Request "
        f"for Information was sent to the above parties on {short_date(d.assigned)}."
    )
    qualifications = board_sentence("The physician reviewer", plan.specialties[0], plan) + (
        " The reviewer has more than five years of clinical practice, practises at least 24 hours a week "
        "and has no material connection with any party to this dispute."
    )
    return [
        Block("title", text="MAXIMUS FEDERAL SERVICES, INC."),
        Block("title", text="Notice of Independent Medical Review Determination"),
        _para(f"Dated: {short_date(d.decision)}", role="dated"),
        _para("The Independent Medical Review of the disputed items/services has been completed. "
              "The decisions are:"),
        *decisions,
        _heading("INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE", role="issues_heading"),
        _para(procedural, role="procedural"),
        *[_para(a_decision(s, plan.typo), role="item_repeat") for s in plan.items],
        _heading("Medical Qualifications of the Expert Reviewer:"),
        _para(qualifications),
        *(_quoted_summary(plan) if plan.quoted_summary else [_heading("Case Summary:"), *_summary_blocks(plan)]),
        *(block for s in plan.items for block in (_item_sections(plan, s) if plan.item_sections else [])),
    ]


def _quoted_summary(plan: Plan) -> list[Block]:
    """The UR reviewer's case summary quoted word for word after the disclaimer (no heading)."""
    disclaimer, *rest = plan.summary.paragraphs
    rest = [p.replace("The injured worker is a", "The patient is a", 1) for p in rest]
    rest[0], rest[-1] = '"' + rest[0], rest[-1] + '"'
    return [_para(disclaimer, role="summary"), *[_para(p, role="summary") for p in rest]]


_A_GUIDELINE: dict[str, str] = {
    "mtus": "{actor} based {pron} decision on the MTUS {title} Guidelines, which are part of the MTUS.",
    "non_mtus": "{actor} based {pron} decision on the Official Disability Guidelines (ODG), {chapter} Chapter, "
    "a guideline outside of the MTUS.",
    "mtus_and_non_mtus": "{actor} based {pron} decision on the MTUS {title} Guidelines and on the Official "
    "Disability Guidelines (ODG), {chapter} Chapter.",
    "none": "{actor} did not cite any evidence-based guidelines for {pron} decision.",
}


def _a_guideline(plan: Plan, actor: str, pron: str) -> Guideline:
    source = plan.rng.choices(list(_A_GUIDELINE), weights=(60, 15, 10, 15))[0]
    title = plan.rng.choice(("Chronic Pain Medical Treatment", "Low Back Complaints", "Acupuncture Medical Treatment"))
    chapter = plan.rng.choice(("Pain", "Low Back", "Neck and Upper Back", "Knee and Leg"))
    text = _A_GUIDELINE[source].format(actor=actor, pron=pron, title=title, chapter=chapter)
    return Guideline(source=source, text=text)  # type: ignore[arg-type]


#: the reviewer adopting the Claims Administrator's guidelines instead of citing its own (older letters)
_A_ADOPTED = (
    "The Expert Reviewer found the guidelines used by the Claims Administrator appropriate and relevant to the "
    "issue at dispute.",
    "The Expert Reviewer found the guideline(s) cited by the Claims Administrator relevant and appropriate.",
)


def _item_sections(plan: Plan, spec: ItemSpec) -> list[Block]:
    """Layout A's per-item headings; the guidelines and rationale they print join the truth. When
    the reviewer adopts the Claims Administrator's guidelines, theirs is the reviewer's source."""
    item = spec.item
    item.claims_administrator_guideline = _a_guideline(plan, "The Claims Administrator", "its")
    item.reviewer_guideline = _a_guideline(plan, "The Expert Reviewer", "his/her")
    ca_source = item.claims_administrator_guideline.source
    if ca_source != "none" and chance(plan.rng, plan.hard.adopted_guidelines):
        item.reviewer_guideline = Guideline(source=ca_source, text=plan.rng.choice(_A_ADOPTED))
        spec.features = (*spec.features, "adopted_guidelines")
    rationale = spec.rationale_text.replace("\n", " ")
    item.rationale = collapse(rationale)
    return [
        _para(f"{item.ordinal}) Regarding the request for {item.request}:", role="item_section"),
        _para("Medical Treatment Guideline(s) Relied Upon by the Claims Administrator:"),
        _para(item.claims_administrator_guideline.text or "", role="ca_guideline"),
        _para("Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:"),
        _para(item.reviewer_guideline.text or "", role="mx_guideline"),
        _para("Rationale for the Decision:"),
        _para(rationale, role="rationale"),
    ]


def blocks_b(plan: Plan) -> list[Block]:
    """Layout B: "MEDICAL PROFESSIONAL REVIEW" with its six headings and "<item>: Upheld" lines."""
    out = [
        Block("title", text="MEDICAL PROFESSIONAL REVIEW"),
        Block("title", text="Independent Medical Review - Final Determination"),
        _heading("ISSUE AT DISPUTE:"),
        *[_para(f"{s.item.ordinal}. {s.line_text}", role="issue") for s in plan.items],
        _heading("CASE SUMMARY:"),
        *_summary_blocks(plan),
        _heading("DOCUMENTS REVIEWED FOR DETERMINATION:"),
        *_documents(plan),
        _heading("MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY:"),
    ]
    for s in plan.items:
        out.append(_para(f"Item {s.item.ordinal}. The reviewer relied on the California MTUS because it speaks "
                         "directly to this type of service and is presumed correct on the extent of care."))
    out.append(_heading("RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT MEDICALLY NECESSARY:",
                        role="issues_heading"))
    for s in plan.items:
        word = "Upheld" if s.item.decision == "upheld" else "Overturned"
        out.append(Block("item_line", text=s.line_text, label=word, role="item", ordinal=s.item.ordinal))
        out.append(_para(s.rationale_text, role="rationale"))
    out.append(_heading("MEDICAL REVIEWER QUALIFICATIONS:"))
    out.append(_para(board_sentence("The professional reviewer", plan.specialties[0], plan) + " The reviewer has no "
                     "affiliation with the employer, the injured worker, the providers or the claims administrator."))
    return out


BUILDERS: dict[str, Callable[[Plan], list[Block]]] = {
    "A": blocks_a,
    "B": blocks_b,
    "C": blocks_c,
    "D1": blocks_d,
    "D2": blocks_d,
}

"""Narrative text of synthetic letters: boilerplate paragraphs and the clinical case summary.

All wording is our own paraphrase of the structure of real letters. The case summary states
what the truth needs (date of injury, age and sex when chosen, diagnoses, the UR action and
its date) in the narrative date format chosen for the letter.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from imr.models import SEXES, Sex
from imr.synth.dates import CaseDates, DateWriter, long_date
from imr.synth.items import ItemSpec
from imr.synth.vocabulary import DIAGNOSES, OCCUPATIONS, SYMPTOMS, TREATMENTS

SUMMARY_INTRO = (
    "The expert reviewer prepared the clinical case summary below after reviewing the case file, "
    "including all medical records:"
)
ISSUES_INTRO = "The Final Determination rests on the decisions on the disputed items/services listed below:"


def how_made(reviewer_sentence: str | None, typo: bool = False) -> str:
    """The "how the determination was made" paragraph; the D1/C reviewer sentence goes inside."""
    parts = [
        "MAXIMUS Federal Services assigned the full case file to an independent expert reviewer. "
        "The reviewer has no relationship with the employer, the injured worker, the treating providers "
        "or the claims administrator.",
    ]
    if reviewer_sentence:
        parts.append(reviewer_sentence)
    parts.append(
        "The reviewer has practised clinically for more than five years and still practises at least "
        "24 hours each week. MAXIMUS chose the reviewer for training and experience in the specialties "
        "that evaluate or treat the condition and the disputed items/services, and the reviewer knows the "
        "governing statutes and regulations, including the hierarchy of medical evidence that applies "
        "to Independent Medical Review" + (" determinatoins." if typo else " determinations.")
    )
    return " ".join(parts)


def join_names(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass
class Summary:
    """The case summary and what it states about the worker."""

    paragraphs: list[str]
    age: int | None = None
    sex: Sex | None = None
    occupation: str | None = None
    diagnoses: list[str] = field(default_factory=list)


def case_summary(
    rng: random.Random,
    dates: CaseDates,
    write: DateWriter,
    items: list[ItemSpec],
    *,
    non_ascii: bool,
    disclaimer: bool = False,
) -> Summary:
    """A fictional clinical case summary for ``items`` (the UR sentence carries ``dates.ur_denial``)."""
    age: int | None = rng.randint(22, 66)
    sex: Sex | None = rng.choice(SEXES)
    occupation: str | None = rng.choice(OCCUPATIONS)
    doi = write(dates.injury)
    form = rng.choices(("age_sex", "age_sex_job", "job", "plain"), weights=(50, 20, 15, 15))[0]
    if form == "age_sex":
        intro = f"The injured worker is a {age} year old {sex} who sustained an industrial injury on {doi}."
        occupation = None
    elif form == "age_sex_job":
        intro = f"The injured worker is a {age} year old {sex} {occupation} who reported a work injury on {doi}."
    elif form == "job":
        intro = f"This {occupation} sustained an injury on {doi}."
        age = sex = None
    else:
        intro = f"This case concerns an injured worker with a date of injury of {doi}."
        age = sex = occupation = None
    diagnoses = rng.sample(DIAGNOSES, rng.randint(1, 3))
    if len(diagnoses) == 1:
        dx = f"Diagnoses include {diagnoses[0]}."
    else:
        dx = "Diagnoses include " + "; ".join(diagnoses[:-1]) + "; and " + diagnoses[-1] + "."
    treatment = "Treatment to date has included " + join_names(rng.sample(TREATMENTS, 3)) + "."
    worker = "worker’s" if non_ascii and rng.random() < 0.5 else "worker's"
    degree = "°" if non_ascii else " degrees"
    visit = (
        f"At the visit of {write(dates.visit)}, the {worker} main complaint was {rng.choice(SYMPTOMS)}, "
        f"rated {rng.randint(4, 8)}/10. Examination found flexion limited to {rng.choice((30, 45, 60, 90))}"
        f"{degree} with tenderness over the affected region."
    )
    names = [s.summary_name for s in items]
    request = f"A request for authorization dated {write(dates.request)} asked for {join_names(names)}."
    ur = write(dates.ur_denial)
    modified = [s for s in items if s.modified]
    denied = [s.summary_name for s in items if not s.modified]
    ur_parts: list[str] = []
    if denied:
        ur_parts.append(rng.choice((
            f"On {ur}, utilization review non-certified the request for {join_names(denied)}.",
            f"The utilization review of {ur} denied {join_names(denied)}.",
            f"The request(s) for {join_names(denied)} were non-certified by utilization review on {ur}.",
        )))
    for s in modified:
        ur_parts.append(f"Utilization review modified {s.summary_name} to {_lc(s.authorized or '')} on {ur}.")
    if denied and modified:
        ur_parts = ur_parts[:1] + [p.replace(f" on {ur}.", " in the same decision.") for p in ur_parts[1:]]
    paragraphs = [" ".join([intro, dx, treatment]), " ".join([visit, request, *ur_parts])]
    if disclaimer:
        paragraphs.insert(
            0,
            "Disclaimer: The case summary below was copied word for word from the utilization review "
            f"denial/modification dated {long_date(dates.ur_denial)}.",
        )
    return Summary(paragraphs, age, sex, occupation, diagnoses)


def _lc(s: str) -> str:
    first = s.split(" ", 1)[0]
    if first.isupper() or any(c.isdigit() for c in first):
        return s
    return s[:1].lower() + s[1:]

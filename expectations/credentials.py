"""Curated vocabularies for the reviewer's credentials: US licensure states and board specialties.

Used by the cross-field warnings of :mod:`expectations.suites` (through counts computed in
:mod:`expectations.frames`). The specialty list holds the specialties and subspecialties of the
American Board of Medical Specialties' member boards that review workers' compensation requests,
the osteopathic forms, and the licence-based professions DWC's index lists as IMRO reviewer
specialties (chiropractic, acupuncture / oriental medicine, psychology, nursing, dentistry,
podiatry...). Matching is forgiving about case, ``&``/``and``, punctuation and spacing, and a
combined credential ("Physical Medicine & Rehabilitation with Pain Medicine") is known when each
part is. A misread (a rationale fragment, "Sports Medicinea") is not.
"""

from __future__ import annotations

import re

from imr.extract.reviewer import STATES

#: Full names of the states, DC and the territories whose licences US reviewers hold.
US_STATES: frozenset[str] = frozenset(
    {*STATES.values(), "Puerto Rico", "Guam", "U.S. Virgin Islands", "American Samoa", "Northern Mariana Islands"}
)

BOARD_SPECIALTIES: tuple[str, ...] = (
    # ABMS / AOA specialties
    "Allergy and Immunology", "Anesthesiology", "Colon and Rectal Surgery", "Dermatology",
    "Emergency Medicine", "Family Medicine", "Family Practice", "Internal Medicine",
    "Medical Genetics", "Neurological Surgery", "Neurosurgery", "Nuclear Medicine",
    "Obstetrics and Gynecology", "Ophthalmology", "Orthopaedic Surgery", "Orthopedic Surgery",
    "Orthopedics", "Otolaryngology", "Pathology", "Pediatrics",
    "Physical Medicine and Rehabilitation", "Plastic Surgery", "Preventive Medicine",
    "Occupational Medicine", "Public Health and General Preventive Medicine", "Aerospace Medicine",
    "Psychiatry", "Neurology", "Psychiatry and Neurology", "Radiology", "Diagnostic Radiology",
    "Interventional Radiology", "Radiation Oncology", "General Surgery", "Surgery",
    "Thoracic Surgery", "Urology", "Vascular Surgery", "Osteopathic Manipulative Medicine",
    "Neuromusculoskeletal Medicine", "General Practice",
    # subspecialties seen on review credentials
    "Pain Medicine", "Pain Management", "Interventional Pain Management", "Sports Medicine",
    "Hospice and Palliative Medicine", "Medical Toxicology", "Neuromuscular Medicine",
    "Pediatric Rehabilitation Medicine", "Spinal Cord Injury Medicine", "Brain Injury Medicine",
    "Clinical Neurophysiology", "Addiction Medicine", "Addiction Psychiatry", "Rheumatology",
    "Endocrinology", "Endocrinology, Diabetes and Metabolism", "Gastroenterology", "Cardiology",
    "Cardiovascular Disease", "Pulmonary Disease", "Nephrology", "Infectious Disease",
    "Hematology", "Oncology", "Medical Oncology", "Geriatric Medicine", "Sleep Medicine",
    "Hand Surgery", "Surgery of the Hand", "Spine Surgery", "Foot and Ankle Surgery",
    "Undersea and Hyperbaric Medicine", "Forensic Psychiatry", "Psychosomatic Medicine",
    "Consultation-Liaison Psychiatry", "Neuroradiology", "Critical Care Medicine",
    "Headache Medicine", "Vascular Neurology", "Epilepsy", "Wound Care",
    # licence-based professions of the IMRO reviewer index
    "Chiropractic", "Chiropractor", "Chiropractic Medicine", "Acupuncture", "Acupuncturist",
    "Oriental Medicine", "Acupuncture and Oriental Medicine", "Psychology", "Psychologist",
    "Clinical Psychology", "Neuropsychology", "Registered Nurse", "Nursing", "Nurse Practitioner",
    "Dentistry", "Dentist", "Oral and Maxillofacial Surgery", "Podiatry", "Podiatrist",
    "Podiatric Medicine", "Podiatric Surgery", "Physical Therapy", "Physical Therapist",
    "Occupational Therapy", "Pharmacy", "Pharmacist", "Optometry",
)  # fmt: skip

#: A longer "specialty" is a misread (a sentence), not a credential.
MAX_SPECIALTY_CHARS = 160

_SPLIT = re.compile(r"\s+(?:and|with)\s+|\s*[/,]\s*")


def _norm(text: str) -> str:
    t = text.casefold().replace("&", " and ")
    t = re.sub(r"[^a-z, ]+", " ", t)
    return " ".join(t.replace(",", " , ").split()).replace(" ,", ",")


_KNOWN: frozenset[str] = frozenset(_norm(s) for s in BOARD_SPECIALTIES)
_STATES: frozenset[str] = frozenset(s.casefold() for s in US_STATES)


def is_us_state(name: str) -> bool:
    """True when ``name`` is the full name of a US state, DC or a territory (any case)."""
    return " ".join(name.split()).casefold() in _STATES


def _combination_known(n: str) -> bool:
    """``n`` is known, or splits at one separator into a known part and a known combination."""
    if n in _KNOWN:
        return True
    for m in _SPLIT.finditer(n):
        head, tail = n[: m.start()].strip(" ,"), n[m.end() :].strip(" ,")
        if head in _KNOWN and tail and _combination_known(tail):
            return True
    return False


def is_known_specialty(name: str) -> bool:
    """True when ``name`` is a listed specialty, or a combination ("X and Y", "X with Y", "X, Y")
    of listed ones."""
    n = _norm(name)
    return 0 < len(n) <= MAX_SPECIALTY_CHARS and _combination_known(n)

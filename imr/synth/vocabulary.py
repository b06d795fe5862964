"""Word lists for synthetic letters: services, guidelines, reviewers, workers, diagnoses.

Everything here is invented for fixtures. Service names and guideline titles follow the shapes
of real IMR letters (see ``shared/docs/imr-letters.md``) so a parser meets realistic strings,
but no sentence is taken from a real letter. The DWC category of each service is stored with it
because letters never print it (the gold record still carries it).
"""

from __future__ import annotations

from dataclasses import dataclass

#: MTUS chapter titles without the year; the year depends on the letter's date (see ``mtus_year``).
MTUS_BY_PART: dict[str, str] = {
    "right shoulder": "Shoulder Complaints",
    "left shoulder": "Shoulder Complaints",
    "lumbar spine": "Low Back Complaints",
    "low back": "Low Back Complaints",
    "cervical spine": "Neck and Upper Back Complaints",
    "neck": "Neck and Upper Back Complaints",
    "right knee": "Knee Complaints",
    "left knee": "Knee Complaints",
    "right wrist": "Forearm, Wrist, and Hand Complaints",
    "left hand": "Forearm, Wrist, and Hand Complaints",
    "left ankle": "Ankle and Foot Complaints",
}

BODY_PARTS: tuple[str, ...] = tuple(MTUS_BY_PART)


def mtus_year(title: str, letter_year: int) -> int:
    """The edition year printed after an MTUS title in a letter written in ``letter_year``."""
    if title.endswith("Complaints"):
        return 2004
    if title == "Acupuncture Treatment":
        return 2007
    if title in ("Chronic Pain Medical Treatment", "Opioid Treatment"):
        return 2016 if letter_year >= 2016 else 2009
    return 2009


@dataclass(frozen=True)
class ServiceKind:
    """A kind of disputed service: how its request reads and how DWC would classify it.

    ``template`` may hold ``{n}`` (a quantity that UR can modify) and ``{part}`` (a body part).
    ``mtus`` is an MTUS title, or ``"by_part"`` to use the body part's chapter.
    """

    template: str
    category: str
    subcategory: str | None
    drug_class: str | None
    mtus: str
    section: str
    non_mtus: str
    quantities: tuple[int, ...] = ()
    kind: str = "service"  # service | drug | surgery | imaging | therapy

    @property
    def modifiable(self) -> bool:
        """Whether UR could have authorised part of the quantity."""
        return "{n}" in self.template


SERVICES: tuple[ServiceKind, ...] = (
    ServiceKind("Physical therapy {n} sessions for the {part}", "Rehabilitation", "PT/OT", None,
                "Chronic Pain Medical Treatment", "Physical Medicine", "Official Disability Guidelines (ODG), "
                "Physical Therapy Guidelines", (8, 12, 18, 24), "therapy"),
    ServiceKind("Acupuncture {n} sessions for the {part}", "Rehabilitation", "Acupuncture", None,
                "Acupuncture Treatment", "Frequency and Duration", "Official Disability Guidelines (ODG), "
                "Pain (Chronic), Acupuncture", (6, 8, 12, 18), "therapy"),
    ServiceKind("Chiropractic manipulation {n} visits for the {part}", "Rehabilitation", "Chiropractic", None,
                "Chronic Pain Medical Treatment", "Manual Therapy & Manipulation",
                "Official Disability Guidelines (ODG), Manipulation", (6, 10, 12), "therapy"),
    ServiceKind("MRI of the {part} without contrast", "Diagnostic Testing", "Imaging/Radiology", None,
                "by_part", "Special Studies", "Official Disability Guidelines (ODG), Magnetic resonance imaging",
                (), "imaging"),
    ServiceKind("X-rays of the {part}, three views", "Diagnostic Testing", "Imaging/Radiology", None,
                "by_part", "Special Studies", "ACR Appropriateness Criteria, Chronic Joint Pain", (), "imaging"),
    ServiceKind("EMG/NCV of the bilateral upper extremities", "Diagnostic Testing", "EMG/NCV/NCS", None,
                "Neck and Upper Back Complaints", "Special Studies",
                "Official Disability Guidelines (ODG), Electrodiagnostic studies", (), "imaging"),
    ServiceKind("Urine drug screen", "Diagnostic Testing", "Lab & Pathology", None,
                "Chronic Pain Medical Treatment", "Drug Testing", "Official Disability Guidelines (ODG), "
                "Urine Drug Testing", (), "service"),
    ServiceKind("Naproxen 550mg #{n}", "Pharmaceuticals", None, "NSAID",
                "Chronic Pain Medical Treatment", "NSAIDs (non-steroidal anti-inflammatory drugs)",
                "Official Disability Guidelines (ODG), Pain, NSAIDs", (30, 60, 90), "drug"),
    ServiceKind("Norco 10/325mg #{n}", "Pharmaceuticals", None, "Opioids",
                "Opioid Treatment", "Opioids, criteria for use", "UpToDate, Management of chronic non-cancer pain",
                (60, 90, 120), "drug"),
    ServiceKind("Tramadol ER 150mg #{n}", "Pharmaceuticals", None, "Opioids",
                "Chronic Pain Medical Treatment", "Tramadol", "Official Disability Guidelines (ODG), Tramadol",
                (30, 60), "drug"),
    ServiceKind("Cyclobenzaprine 7.5mg #{n}", "Pharmaceuticals", None, "Muscle Relaxant",
                "Chronic Pain Medical Treatment", "Muscle relaxants (for pain)",
                "Official Disability Guidelines (ODG), Pain, Muscle relaxants", (30, 60, 90), "drug"),
    ServiceKind("Omeprazole 20mg #{n}", "Pharmaceuticals", None, "Proton Pump Inhibitors",
                "Chronic Pain Medical Treatment", "NSAIDs, GI symptoms & cardiovascular risk",
                "Official Disability Guidelines (ODG), Pain, Proton pump inhibitors", (30, 60), "drug"),
    ServiceKind("Gabapentin 300mg #{n}", "Pharmaceuticals", None, "Anti-epilepsy drugs",
                "Chronic Pain Medical Treatment", "Anti-epilepsy drugs (AEDs)",
                "Official Disability Guidelines (ODG), Pain, Anti-epilepsy drugs", (60, 90), "drug"),
    ServiceKind("Lidoderm® 5% patch #{n}", "Pharmaceuticals", None, "Topical Analgesics",
                "Chronic Pain Medical Treatment", "Lidoderm (lidocaine patch)",
                "Official Disability Guidelines (ODG), Pain, Lidoderm", (30, 60), "drug"),
    ServiceKind("Compounded cream: flurbiprofen 20%/lidocaine 5% 180gm", "Pharmaceuticals", None,
                "Topical Compounds", "Chronic Pain Medical Treatment", "Topical Analgesics",
                "Official Disability Guidelines (ODG), Compound creams", (), "drug"),
    ServiceKind("Ranitidine 150mg QTY: {n}", "Pharmaceuticals", None, "H2 Blocker",
                "Chronic Pain Medical Treatment", "NSAIDs, GI symptoms & cardiovascular risk",
                "Physicians' Desk Reference, Ranitidine", (30, 60), "drug"),
    ServiceKind("Diclofenac sodium 1% gel (unknown quantity)", "Pharmaceuticals", None, "Topical Analgesics",
                "Chronic Pain Medical Treatment", "Topical Analgesics",
                "Official Disability Guidelines (ODG), Pain, Topical analgesics", (), "drug"),
    ServiceKind("TENS unit purchase", "DMEPOS", "Electrical Stimulation", None,
                "Chronic Pain Medical Treatment", "TENS (transcutaneous electrical nerve stimulation)",
                "Official Disability Guidelines (ODG), TENS", (), "service"),
    ServiceKind("Lumbar support brace", "DMEPOS", "Prosthetics/Orthotics", None,
                "Low Back Complaints", "Physical Methods", "Official Disability Guidelines (ODG), Lumbar supports",
                (), "service"),
    ServiceKind("Standard wheelchair for a {n} month rental", "DMEPOS", "DME", None,
                "Knee Complaints", "Activity Alteration", "Medicare National Coverage Determinations, Wheelchairs",
                (2, 3, 4), "service"),
    ServiceKind("Hot/cold therapy unit for {n} days", "DMEPOS", "DME", None,
                "Shoulder Complaints", "Initial Care", "Official Disability Guidelines (ODG), Continuous-flow "
                "cryotherapy", (14, 21, 30), "service"),
    ServiceKind("Lumbar epidural steroid injection at L4-L5", "Injection", "Injection", None,
                "Chronic Pain Medical Treatment", "Epidural steroid injections (ESIs)",
                "Official Disability Guidelines (ODG), Low Back, Epidural steroid injections", (), "service"),
    ServiceKind("Bilateral L4-L5 and L5-S1 facet joint injections", "Injection", "Facet Injection", None,
                "Low Back Complaints", "Injections", "Official Disability Guidelines (ODG), Facet joint "
                "diagnostic blocks", (), "service"),
    ServiceKind("Right shoulder arthroscopic subacromial decompression", "Surgery", "Arthroscopic", None,
                "Shoulder Complaints", "Surgical Considerations", "Official Disability Guidelines (ODG), "
                "Shoulder, Acromioplasty", (), "surgery"),
    ServiceKind("Left carpal tunnel release", "Surgery", "Non-arthroscopic", None,
                "Forearm, Wrist, and Hand Complaints", "Surgical Considerations",
                "Official Disability Guidelines (ODG), Carpal tunnel release surgery", (), "surgery"),
    ServiceKind("L4-L5 posterior lumbar interbody fusion", "Surgery", "Spine", None,
                "Low Back Complaints", "Surgical Considerations", "Official Disability Guidelines (ODG), "
                "Low Back, Fusion (spinal)", (), "surgery"),
    ServiceKind("Pain management consultation", "Evaluation & Management", "Medical Specialties", None,
                "Chronic Pain Medical Treatment", "Introduction", "ACOEM Practice Guidelines, 2nd Edition, "
                "Chapter 7, Independent Medical Examinations and Consultations", (), "service"),
    ServiceKind("Cognitive behavioral therapy {n} sessions", "Behavioral and Mental Health", "Therapies", None,
                "Chronic Pain Medical Treatment", "Behavioral interventions",
                "Official Disability Guidelines (ODG), Mental Illness & Stress, Cognitive therapy", (4, 6, 10),
                "therapy"),
    ServiceKind("Functional restoration program for {n} hours", "Programs", None, None,
                "Chronic Pain Medical Treatment", "Functional restoration programs (FRPs)",
                "Official Disability Guidelines (ODG), Pain, Functional restoration programs", (80, 120, 160),
                "therapy"),
    ServiceKind("Home health aide 4 hours a day for {n} weeks", "Home Health", None, None,
                "Chronic Pain Medical Treatment", "Home health services",
                "Medicare Benefit Policy Manual, Chapter 7, Home Health Services", (2, 4, 6), "service"),
    ServiceKind("Round-trip transportation to medical appointments", "Transportation", None, None,
                "Knee Complaints", "Activity Alteration", "Official Disability Guidelines (ODG), Knee, "
                "Transportation (to & from appointments)", (), "service"),
)

#: Services that only appear as "Associated surgical service: ..." after a surgery item.
ASSOCIATED_SERVICES: tuple[str, ...] = (
    "Hip pad",
    "Pre-operative medical clearance",
    "Cold therapy unit 7 day rental",
    "Labs - CBC and BMP",
    "Assistant surgeon",
    "Arm sling",
)

#: Post-operative items (prefix "Post-op").
POST_OP_SERVICES: tuple[tuple[str, str, str | None], ...] = (
    ("Post-op physical therapy 12 sessions for the {part}", "Rehabilitation", "PT/OT"),
    ("Post-op sling", "DMEPOS", "DME"),
    ("Post-op Keflex 500mg #20", "Pharmaceuticals", None),
)

#: Items that can be reviewed retrospectively: template, category, subcategory, drug class.
RETRO_SERVICES: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("Toradol 60mg intramuscular injection", "Injection", "Injection", None),
    ("Urine drug screen", "Diagnostic Testing", "Lab & Pathology", None),
    ("Vitamin B12 injection", "Injection", "Injection", None),
    ("Ondansetron 4mg #10", "Pharmaceuticals", None, "Antiemetic"),
)

SPECIALTIES: tuple[str, ...] = (
    "Family Practice",
    "Preventive Medicine",
    "Occupational Medicine",
    "Physical Medicine & Rehabilitation",
    "Physical Medicine and Rehabilitation",
    "Pain Management",
    "Internal Medicine",
    "Orthopedic Surgery",
    "Anesthesiology",
    "Neurology",
    "Chiropractor",
    "Acupuncture",
    "Psychologist",
    "Emergency Medicine",
    "Sports Medicine",
)

#: Specialties that read well in "Board Certified in X" (no licence-only professions).
BOARD_SPECIALTIES: tuple[str, ...] = tuple(
    s for s in SPECIALTIES if s not in ("Chiropractor", "Acupuncture", "Psychologist")
)

#: Long specialties that wrap in the credentials line.
LONG_SPECIALTIES: tuple[str, ...] = (
    "Public Health & General Preventive Medicine",
    "Physical Medicine & Rehabilitation with Pain Medicine",
    "Orthopedic Surgery & Sports Medicine",
)

OTHER_STATES: tuple[str, ...] = (
    "Nevada", "Arizona", "Oregon", "Texas", "North Carolina", "New York", "Washington", "Florida",
    "Maryland", "Colorado", "New Mexico", "Virginia",
)

OCCUPATIONS: tuple[str, ...] = (
    "warehouse associate", "bus driver", "school custodian", "dental assistant", "line cook",
    "delivery driver", "correctional officer", "retail stocker", "landscape laborer", "office clerk",
    "certified nursing assistant", "forklift operator",
)

DIAGNOSES: tuple[str, ...] = (
    "lumbar sprain/strain", "cervical radiculopathy", "right shoulder impingement syndrome",
    "lateral epicondylitis", "carpal tunnel syndrome", "knee internal derangement", "chronic pain syndrome",
    "lumbar disc protrusion at L4-L5", "myofascial pain", "insomnia", "depressive disorder, single episode",
    "plantar fasciitis", "rotator cuff tendinosis", "sacroiliac joint dysfunction",
    "post-concussion headache",
)

TREATMENTS: tuple[str, ...] = (
    "medications", "physical therapy", "home exercise", "activity modification", "acupuncture",
    "chiropractic care", "a home TENS trial", "ice and heat", "work restrictions", "a corticosteroid injection",
)

SYMPTOMS: tuple[str, ...] = (
    "aching low back pain radiating to the left buttock", "neck stiffness with intermittent headaches",
    "right shoulder pain when reaching overhead", "numbness in the fingers of the right hand at night",
    "knee pain climbing stairs", "burning pain over the lateral elbow", "mid back tightness after lifting",
)

#: Unrelated letters and look-alikes use these harmless invented names.
FICTIONAL_PLANS: tuple[str, ...] = ("Sunmeadow Health Plan", "Blue Pine Health Network", "Coastline Care HMO")
FICTIONAL_INSURERS: tuple[str, ...] = ("Harbor Mutual Life and Health", "Granite Shore Insurance Company")
FICTIONAL_UR_FIRMS: tuple[str, ...] = ("Westview Review Services", "Clearpath Utilization Management")


#: Fictional letterheads of mailed copies (addresses and numbers are invented).
LETTERHEADS: tuple[tuple[str, ...], ...] = (
    ("MAXIMUS FEDERAL SERVICES, INC.", "Independent Medical Review", "P.O. Box 100001, Sacramento, CA 95800-0001",
     "Telephone (800) 555-0142  Facsimile (916) 555-0199"),
    ("Independent Medical Review Program", "3800 Example Parkway, Suite 100, Folsom, CA 95600"),
    ("MAXIMUS Federal Services", "IMR Correspondence Unit", "P.O. Box 100002, Sacramento, CA 95800-0002"),
)  # fmt: skip

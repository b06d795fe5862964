"""Tests for imr.taxonomy.classify_service (DWC category / subcategory / drug class rules)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imr.taxonomy import classify_service
from tests.conftest import REAL, SEEDS

DX, DME, EM, INJ, RX, PSY, REHAB, SURG = (
    "Diagnostic Testing", "DMEPOS", "Evaluation & Management", "Injection", "Pharmaceuticals",
    "Behavioral and Mental Health", "Rehabilitation", "Surgery",
)  # fmt: skip
TC = "Topical Compounds"

# Hand-written (fictional) requests in the style of IMR letters -> expected DWC triple.
CASES: list[tuple[str, tuple[str | None, str | None, str | None]]] = [
    # Diagnostic testing
    ("MRI of the left knee with contrast", (DX, "Imaging/Radiology", None)),
    ("Lumbosacral spine MRI, open", (DX, "Imaging/Radiology", None)),
    ("CT of the right wrist", (DX, "Imaging/Radiology", None)),
    ("Three-view x-rays of the right ankle", (DX, "Imaging/Radiology", None)),
    ("Diagnostic ultrasound of the left shoulder", (DX, "Imaging/Radiology", None)),
    ("Whole body bone scan", (DX, "Imaging/Radiology", None)),
    ("Retrospective DEXA scan (DOS 03/04/2015)", (DX, "Imaging/Radiology", None)),
    ("NCV of the left lower extremity", (DX, "EMG/NCV/NCS", None)),
    ("Electromyography, bilateral arms", (DX, "EMG/NCV/NCS", None)),
    ("Urine toxicology screen, quarterly", (DX, "Lab & Pathology", None)),
    ("Comprehensive metabolic panel and CBC", (DX, "Lab & Pathology", None)),
    ("Sleep study (polysomnogram)", (DX, "Other", None)),
    ("FCE for return to work", (DX, "Other", None)),
    # DMEPOS
    ("Rental of an interferential unit for 30 days", (DME, "Electrical Stimulation", None)),
    ("Home H-wave device, one month trial", (DME, "Electrical Stimulation", None)),
    ("TENS unit purchase for the low back", (DME, "Electrical Stimulation", None)),
    ("Replacement TENS electrodes", (DME, "Supplies", None)),
    ("Box of medium exam gloves", (DME, "Supplies", None)),
    ("Right knee hinged brace", (DME, "Prosthetics/Orthotics", None)),
    ("Custom foot orthotics", (DME, "Prosthetics/Orthotics", None)),
    ("Soft cervical collar", (DME, "Prosthetics/Orthotics", None)),
    ("Front-wheeled walker", (DME, "DME", None)),
    ("Raised toilet seat with arms", (DME, "DME", None)),
    ("Hot/cold therapy unit, 21 day rental", (DME, "DME", None)),
    ("Post-op continuous passive motion machine", (DME, "DME", None)),
    ("Associated surgical service: crutches", (DME, "DME", None)),
    # Evaluation & management
    ("Pain management consultation", (EM, "Medical Specialties", None)),
    ("Follow-up visit with a neurologist", (EM, "Medical Specialties", None)),
    ("Internal medicine evaluation", (EM, "Medical Specialties", None)),
    ("Dental evaluation for cracked teeth", (EM, "Dental Services", None)),
    ("Night guard for bruxism", (EM, "Dental Services", None)),
    # Injections
    ("Left L5-S1 interlaminar ESI", (INJ, "Injection", None)),
    ("Trigger point injections to the trapezius x3", (INJ, "Injection", None)),
    ("Right SI joint injection under fluoroscopy", (INJ, "Injection", None)),
    ("Kenalog injection, left knee", (INJ, "Injection", None)),
    ("Bilateral L3-L5 medial branch blocks", (INJ, "Facet Injection", None)),
    ("Cervical facet joint injections C4-C6", (INJ, "Facet Injection", None)),
    ("Radiofrequency ablation at L4-L5 and L5-S1", (INJ, "Facet Injection", None)),
    # Pharmaceuticals
    ("Hydrocodone/APAP 7.5/325mg #90", (RX, None, "Opioids")),
    ("Oxycodone 10mg every 6 hours #120", (RX, None, "Opioids")),
    ("Tramadol ER 150mg #30", (RX, None, "Opioids")),
    ("Butrans 5mcg/hr patch #4", (RX, None, "Opioids")),
    ("Naproxen sodium 550mg twice daily #60", (RX, None, "NSAID")),
    ("Meloxicam 15mg #30", (RX, None, "NSAID")),
    ("Tizanidine 4mg #60", (RX, None, "Muscle Relaxant")),
    ("Omeprazole DR 20mg #30", (RX, None, "Proton Pump Inhibitors")),
    ("Ranitidine 150mg #60", (RX, None, "H2 Blocker")),
    ("Ondansetron ODT 4mg #10", (RX, None, "Antiemetic")),
    ("Pregabalin 75mg #60", (RX, None, "Anti-epilepsy drugs")),
    ("Duloxetine 30mg #30", (RX, None, "Antidepressant")),
    ("Eszopiclone 2mg #30", (RX, None, "Sedative-hypnotics")),
    ("Clonazepam 0.5mg #30", (RX, None, "Benzodiazepines")),
    ("Docusate sodium 100mg #60", (RX, None, "GI Agents")),
    ("Theramine #90", (RX, None, "Nutritional Products")),
    ("Lidoderm 5% patches #30", (RX, None, "Topical Analgesics")),
    ("Voltaren 1% gel 100gm tube", (RX, None, "Topical Analgesics")),
    ("Capsaicin 0.075% cream", (RX, None, "Topical Analgesics")),
    ("Ketoprofen 10%/Baclofen 2%/Lidocaine 5% cream 240gm", (RX, TC, TC)),
    ("Compounded topical cream (gabapentin, amitriptyline)", (RX, TC, TC)),
    ("Synvisc-One injection to the right knee", (RX, None, "Viscosupplementation")),
    ("Ketorolac 60mg IM injection", (RX, None, "Injection")),
    ("Post-operative Keflex 500mg #28", (RX, None, "Anti-infectives")),
    ("Retrospective request for Zanaflex 4mg #60 (DOS 2/3/2016)", (RX, None, "Muscle Relaxant")),
    ("Qzxvrin 25mg #60", (RX, None, None)),
    # Behavioral and mental health
    ("Psychological consultation", (PSY, "Evaluation & Management", None)),
    ("Cognitive behavioral therapy, 6 sessions", (PSY, "Therapies", None)),
    ("Individual psychotherapy weekly for 8 weeks", (PSY, "Therapies", None)),
    # Rehabilitation
    ("Physical therapy 2x6 for the left knee", (REHAB, "PT/OT", None)),
    ("Post-operative physical therapy, 24 visits", (REHAB, "PT/OT", None)),
    ("Associated surgical service: occupational therapy x 8", (REHAB, "PT/OT", None)),
    ("Aquatic therapy twice weekly for four weeks", (REHAB, "PT/OT", None)),
    ("Electroacupuncture, 6 visits", (REHAB, "Acupuncture", None)),
    ("Chiropractic manipulation 1x6 to the thoracic spine", (REHAB, "Chiropractic", None)),
    ("Shockwave therapy to the left heel, 3 sessions", (REHAB, "Other Therapies", None)),
    ("Therapeutic ultrasound 2x4", (REHAB, "Other Therapies", None)),
    ("Massage therapy, 6 sessions", (REHAB, "Other Therapies", None)),
    # Surgery
    ("Left knee arthroscopic partial meniscectomy", (SURG, "Arthroscopic", None)),
    ("L4-L5 laminectomy and discectomy", (SURG, "Spine", None)),
    ("Anterior cervical fusion at C5-6", (SURG, "Spine", None)),
    ("Left carpal tunnel release", (SURG, "Non-arthroscopic", None)),
    ("Right total knee replacement", (SURG, "Non-arthroscopic", None)),
    ("Manipulation under anesthesia, right shoulder", (SURG, "Non-arthroscopic", None)),
    ("Consultation with a hand surgeon", (SURG, "Surgical Consult", None)),
    ("Orthopedic surgery evaluation for the knee", (SURG, "Surgical Consult", None)),
    ("Associated surgical service: pre-operative EKG and labs", (SURG, "Adjunct Surgical Services", None)),
    ("Associated surgical service: post-op office visits", (SURG, "Adjunct Surgical Services", None)),
    ("Preoperative medical clearance", (SURG, "Adjunct Surgical Services", None)),
    ("Surgical assistant", (SURG, "Adjunct Surgical Services", None)),
    ("Spinal cord stimulator trial", (SURG, "Spine", None)),
    # Other categories
    ("Functional restoration program, 80 hours", ("Programs", None, None)),
    ("Six month gym membership", ("Programs", None, None)),
    ("Medically supervised weight loss program", ("Programs", None, None)),
    ("Home health aide, 4 hours per day", ("Home Health", None, None)),
    ("Round-trip transportation to medical appointments", ("Transportation", None, None)),
    # Vocabulary beyond the shared items: neurophysiology tests, surgical assistants, home nursing,
    # heat, inpatient rehabilitation, compounded creams known by brand name, drugs with no DWC class
    ("Somatosensory evoked potentials, lower extremities", (DX, "EMG/NCV/NCS", None)),
    ("Current perception threshold testing", (DX, "EMG/NCV/NCS", None)),
    ("EEG", (DX, "Other", None)),
    ("Registered nurse first assistant", (SURG, "Adjunct Surgical Services", None)),
    ("Physician assistant for surgery", (SURG, "Adjunct Surgical Services", None)),
    ("Pre-operative history and physical", (SURG, "Adjunct Surgical Services", None)),
    ("Skilled nursing visits, 2 per week for 3 weeks", ("Home Health", None, None)),
    ("RN visits for wound care", ("Home Health", None, None)),
    ("RN home visits x 4", ("Home Health", None, None)),
    ("Nurse practitioner evaluation", (EM, "Medical Specialties", None)),
    ("Heat therapy for the low back", (DME, "DME", None)),
    ("Moist heat packs", (DME, "Supplies", None)),
    ("Moist heat therapy 2 times a week for 4 weeks", (REHAB, "Other Therapies", None)),
    ("Hearing aid batteries", (DME, "Supplies", None)),
    ("Bilateral hearing aids", (DME, "Prosthetics/Orthotics", None)),
    ("Conductive garment for the interferential unit", (DME, "Supplies", None)),
    ("Inpatient rehabilitation program, 2 weeks", ("Programs", None, None)),
    ("Ketophene cream 20% 120gm", (RX, TC, TC)),
    ("TGHot 180gm", (RX, TC, TC)),
    ("Xoten-C lotion", (RX, None, "Topical Analgesics")),
    ("Naloxone nasal spray", (RX, None, "Opioid Antagonist")),
    ("Nuvigil 150mg #30", (RX, None, None)),
]


@pytest.mark.parametrize(("request_text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_classify_table(request_text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert classify_service(request_text) == expected


@pytest.mark.parametrize("text", ["", "   ", "Unknown widget", "Item 1", "See attached", "#2", "12/01/2016"])
def test_unknown_text_gives_nones(text: str) -> None:
    assert classify_service(text) == (None, None, None)


def test_case_and_whitespace_insensitive() -> None:
    assert classify_service("  mri   OF THE\tLEFT  hip ") == classify_service("MRI of the left hip")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises(text: str) -> None:
    out = classify_service(text)
    assert isinstance(out, tuple) and len(out) == 3
    assert all(v is None or isinstance(v, str) for v in out)
    category, subcategory, drug_class = out
    if category is None:
        assert subcategory is None and drug_class is None


def _gold_items() -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for path in (REAL / "gold.jsonl", SEEDS / "gold.jsonl"):
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                letter = json.loads(line).get("letter") or {}
                items.extend(it for it in letter.get("items", []) if it.get("service_category"))
    return items


@pytest.mark.corpus
def test_corpus_category_accuracy() -> None:
    items = _gold_items()
    if not items:
        pytest.skip("../shared gold corpora are absent")
    hits = [0, 0, 0]
    for it in items:
        gold = (it["service_category"], it.get("service_subcategory"), it.get("drug_class"))
        pred = classify_service(str(it["request"]))
        for i in range(3):
            hits[i] += gold[i] == pred[i]
    n = len(items)
    category, subcategory, drug_class = (h / n for h in hits)
    print(f"taxonomy on {n} gold items: category {category:.3f}, subcategory {subcategory:.3f}, "
          f"drug_class {drug_class:.3f}")  # fmt: skip
    assert category >= 0.85
    assert subcategory >= 0.75


def test_bench_vocabulary_split_keeps_every_classification() -> None:
    """bench/taxonomy.py cuts the rules into entries; rebuilt without removals they classify alike."""
    from bench.taxonomy import without

    rebuilt = without(set())
    for request, _ in CASES:
        assert classify_service(request, rebuilt) == classify_service(request)

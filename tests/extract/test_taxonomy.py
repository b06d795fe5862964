"""Tests for imr.taxonomy.classify_service (DWC category / subcategory / drug class rules)."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import assume, given, settings
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

# Issue 21: wordings the rules had not met (hand-written, fictional; none is a corpus string). Synonyms,
# morphology and tokenisation (closed, open and hyphenated compounds, plurals), abbreviations, head-noun
# backoffs for unknown words, drug-name stems, brand names, dosage forms.
IMG, EMG, LAB, DXO = (DX, "Imaging/Radiology", None), (DX, "EMG/NCV/NCS", None), (DX, "Lab & Pathology", None), (
    DX, "Other", None)  # fmt: skip
PO, ES, SUP, DMED = (DME, "Prosthetics/Orthotics", None), (DME, "Electrical Stimulation", None), (
    DME, "Supplies", None), (DME, "DME", None)  # fmt: skip
PTOT, OTHER_TH, INJ_INJ, NONARTH = (REHAB, "PT/OT", None), (REHAB, "Other Therapies", None), (
    INJ, "Injection", None), (SURG, "Non-arthroscopic", None)  # fmt: skip
UNSEEN_WORDINGS: list[tuple[str, tuple[str | None, str | None, str | None]]] = [
    # imaging: word families (-gram, -graphy), views and films, a body part before "ultrasound"
    ("Flexion/extension views of the lumbar spine", IMG),
    ("Weight-bearing films of both knees", IMG),
    ("Angiogram of the right upper extremity", IMG),
    ("Bone scintigraphy", IMG),
    ("Left shoulder ultrasound", IMG),
    ("Arterial duplex of the legs", IMG),
    ("sEMG of the paraspinals", EMG),
    # labs, other tests; an unknown test is Diagnostic Testing / Other
    ("Complete blood count", LAB),
    ("Kidney function tests", LAB),
    ("CYP450 genotyping", LAB),
    ("Complete metabolic and lipid panels", LAB),
    ("Hep C panel", LAB),
    ("Sudomotor function testing", DXO),
    ("Grip strength testing", DXO),
    ("Computerized gait analysis", DXO),
    # DMEPOS: device words, equipment backoff, orthoses and supplies
    ("Foam roller", DMED),
    ("Over-the-door cervical traction", DMED),
    ("Back massager", DMED),
    ("Blood pressure monitor", DMED),
    ("Electric bed", DMED),
    ("Power mobility device", DMED),
    ("Hot and cold contrast unit, 30 day rental", DMED),
    ("Recumbent exercise bicycle", DMED),
    ("Standard commode rental", DMED),
    ("Post-op shoe", PO),
    ("Sacroiliac belt", PO),
    ("Dynasplint for the elbow", PO),
    ("Heel lifts", PO),
    ("Interferential current (IFC) unit 1 month rental", ES),
    ("Neuromuscular electrical stimulation (NMES) unit rental", ES),
    ("Kinesio tape", SUP),
    # visits: specialties by word family (-ology, -iatry), surgeons
    ("Nephrology consult", (EM, "Medical Specialties", None)),
    ("Nephrologist", (EM, "Medical Specialties", None)),
    ("Spine surgeon", (SURG, "Surgical Consult", None)),
    ("Dental crowns", (EM, "Dental Services", None)),
    # injections and surgery
    ("Percutaneous adhesiolysis", INJ_INJ),
    ("Arthrocentesis left knee", INJ_INJ),
    ("TKA right knee", NONARTH),
    ("Tendon transfer of the hand", NONARTH),
    ("Removal of retained hardware, left ankle", NONARTH),
    ("Percutaneous vertebral augmentation", (SURG, "Spine", None)),
    ("Intrathecal morphine pump trial", (SURG, "Spine", None)),
    ("General anesthesia", (SURG, "Adjunct Surgical Services", None)),
    # rehabilitation: PT words, HEP, an unknown therapy at a frequency
    ("Land-based therapy 2x4", PTOT),
    ("Neuromuscular re-education", PTOT),
    ("Gait training 2 times a week for 4 weeks", PTOT),
    ("Post-operative rehabilitation 12 sessions", PTOT),
    ("HEP instruction", PTOT),
    ("Moxibustion x 6", (REHAB, "Acupuncture", None)),
    ("Craniosacral therapy x 6", OTHER_TH),
    ("Class IV laser therapy 6 sessions", OTHER_TH),
    ("Zyxwv therapy 2 times a week for 6 weeks", OTHER_TH),
    # behavioural health, programs, home health, transportation
    ("Counseling sessions x 6", (PSY, "Therapies", None)),
    ("MMPI testing", (PSY, "Evaluation & Management", None)),
    ("Lindora weight loss program", ("Programs", None, None)),
    ("Personal care attendant 4 hours/day", ("Home Health", None, None)),
    ("NEMT to appointments", ("Transportation", None, None)),
    # drugs: stems for generics the dictionary does not list, brands, the APAP strength signature
    ("Dexlansoprazole 60mg", (RX, None, "Proton Pump Inhibitors")),
    ("Nizatidine 150mg", (RX, None, "H2 Blocker")),
    ("Meclofenamate 100mg", (RX, None, "NSAID")),
    ("Estazolam 1mg", (RX, None, "Benzodiazepines")),
    ("Brexpiprazole 2mg", (RX, None, "Atypical Antipsychotic")),
    ("Nebivolol 5mg", (RX, None, "Beta-blocker")),
    ("Cefuroxime 500mg", (RX, None, "Anti-infectives")),
    ("Dalteparin injection", (RX, None, "Injection")),
    ("Verdrocet 5/325", (RX, None, "Opioids")),
    ("Qwerty 10/325mg #60", (RX, None, "Opioids")),
    ("Fioricet 50/325/40 #30", (RX, None, "Barbiturates")),
    ("Metaxall 800mg #60", (RX, None, "Muscle Relaxant")),
    ("Zolpimist", (RX, None, "Sedative-hypnotics")),
    ("Lenzapatch #30", (RX, None, "Topical Analgesics")),
    ("Unknownbrand 2% cream 120gm", (RX, None, "Topical Analgesics")),
    ("Qwertyn 10%, Zyxwvin 5% cream", (RX, TC, TC)),
    ("Lidocaine 4% / menthol 1% patch", (RX, None, "Topical Analgesics")),
    ("Benzocaine cream", (RX, None, "Topical Analgesics")),
]


# Issue 21, probe D: rarer wordings written and labelled before being run (fictional, none a corpus string).
# The first rows were misses, fixed by generalising (a stimulation or modality word named with a device is the
# device, frequencies written "2x/wk", intra-operative services, membership as a head noun, vehicles, drug
# forms); the paraphrases after each were written after the fix, to check it is not keyed to one string.
MS, TR, PROG = (EM, "Medical Specialties", None), ("Transportation", None, None), ("Programs", None, None)
ACU, ARTH, ADJ = (REHAB, "Acupuncture", None), (SURG, "Arthroscopic", None), (SURG, "Adjunct Surgical Services", None)
TCOMP = (RX, TC, TC)
PROBE_D_WORDINGS: list[tuple[str, tuple[str | None, str | None, str | None]]] = [
    # diagnostics: abbreviations, a device word before "test", nuclear medicine, lab profiles
    ("EDX BLE", EMG),
    ("EDX of both upper extremities", EMG),
    ("Treadmill stress test", DXO),
    ("Exercise stress test", DXO),
    ("Three-phase nuclear bone study", IMG),
    ("Nuclear medicine bone scan", IMG),
    ("Chem 7", LAB),
    ("Chem-12", LAB),
    ("Lipid profile", LAB),
    ("Hepatic function profile", LAB),
    # DMEPOS: devices named with a modality word; hot tubs
    ("Paraffin wax bath unit", DMED),
    ("Paraffin bath machine purchase", DMED),
    ("Paraffin wax therapy 2x4", OTHER_TH),
    ("Microcurrent stimulator", ES),
    ("Microcurrent unit rental", ES),
    ("Microcurrent therapy x 6", OTHER_TH),
    ("Cranial electrotherapy stimulator", ES),
    ("Galvanic stimulation unit", ES),
    ("High-volt galvanic stimulation unit", ES),
    ("Home whirlpool spa", DMED),
    ("Hot tub", DMED),
    ("Transport chair", DMED),
    # surgery: the approach named after the procedure, revisions, intra-operative services
    ("Bankart repair, arthroscopic", ARTH),
    ("Labral repair, right hip, arthroscopic", ARTH),
    ("Scar revision", NONARTH),
    ("Revision of left carpal tunnel release", NONARTH),
    ("Intraoperative neuromonitoring", ADJ),
    ("Intraoperative SSEP monitoring", ADJ),
    ("Intraoperative fluoroscopy", ADJ),
    # rehabilitation: abbreviations, frequencies written 2x/wk or as a count, sessions vs a unit
    ("Aqua tx 2x4", PTOT),
    ("Aquatic PT 2x6", PTOT),
    ("Ther ex 2x/wk", PTOT),
    ("Ther-ex 2 times a week", PTOT),
    ("Acu 1x6", ACU),
    ("Acu x 8", ACU),
    ("Graston technique x 6", OTHER_TH),
    ("IASTM 2x3", OTHER_TH),
    ("Laser treatments x 12", OTHER_TH),
    ("Cryotherapy sessions x 6", OTHER_TH),
    ("Whole body cryotherapy 2x/wk x 4 wks", OTHER_TH),
    ("Cryotherapy unit, 14 day rental", DMED),
    # transportation, programs
    ("Wheelchair van transport", TR),
    ("Wheelchair accessible van transportation", TR),
    ("Gurney van", TR),
    ("Stretcher van to surgery", TR),
    ("Aquatic exercise membership", PROG),
    ("Pool exercise membership, 6 months", PROG),
    # drugs: opioid in a compounded cream, short ingredient names, oral solutions, intramuscular steroids
    ("Flurbiprofen 20% / tramadol 10% cream", TCOMP),
    ("Tramadol 8%/Gabapentin 10% ointment 180gm", TCOMP),
    ("Flurbi/Lido/Amitrip cream", TCOMP),
    ("Gaba/Keto/Lido cream", TCOMP),
    ("Flurb/Cyclobenz/Lidoc cream", TCOMP),
    ("Lactulose solution", (RX, None, "GI Agents")),
    ("Depo-Medrol 80mg IM", (RX, None, "Injection")),
    ("Kenalog 40mg IM", (RX, None, "Injection")),
    # probe D rows the rules already read (a sample): kept so that they stay read
    ("MR arthrogram of the right shoulder", IMG),
    ("CT discogram L4-5 and L5-S1", IMG),
    ("EMG/NCV BUE", EMG),
    ("F-wave and H-reflex studies", EMG),
    ("Random urine drug screen (UDS)", LAB),
    ("Videonystagmography (VNG)", DXO),
    ("Vasopneumatic compression device rental", DMED),
    ("Reacher/grabber", DMED),
    ("TENS/EMS combo unit", ES),
    ("Custom-molded AFO", PO),
    ("Lead wires for the H-wave unit", SUP),
    ("Follow-up with the PTP", MS),
    ("Periodontal scaling and root planing", (EM, "Dental Services", None)),
    ("ESI L4-5", INJ_INJ),
    ("TFESI bilateral L5", INJ_INJ),
    ("PRP injection right elbow", INJ_INJ),
    ("MBB L3-4, L4-5", (INJ, "Facet Injection", None)),
    ("ORIF of the right distal radius", NONARTH),
    ("ACDF C5-C7", (SURG, "Spine", None)),
    ("PT 2x/wk x 6 wks lumbar spine", PTOT),
    ("CMT x 6", (REHAB, "Chiropractic", None)),
    ("CBT 1x/week x 6 weeks", (PSY, "Therapies", None)),
    ("Psychometric testing", (PSY, "Evaluation & Management", None)),
    ("Home health care 8 hrs/day, 7 days/wk", ("Home Health", None, None)),
    ("FRP 160 hours", PROG),
    ("Percocet 5/325mg 1 po q6h prn #60", (RX, None, "Opioids")),
    ("Duexis 800/26.6mg #90", (RX, None, "NSAID")),
    ("Toradol 60mg IM", (RX, None, "Injection")),
    ("Euflexxa injections x3, right knee", (RX, None, "Viscosupplementation")),
    ("Androgel 1.62%", (RX, None, "Androgens/Anabolic Steroids")),
    ("Pennsaid 2% solution", (RX, None, "Topical Analgesics")),
    ("Amitriptyline 2%/gabapentin 6%/bupivacaine 2% topical", TCOMP),
    # probe E (written after this round, run once): one-letter misspellings, head nouns after a body word
    ("Physcial therapy 2x6", PTOT),
    ("Acupunture x 6", ACU),
    ("Chiropratic care 1x4", (REHAB, "Chiropractic", None)),
    ("Neurocognitive testing", (PSY, "Evaluation & Management", None)),
    ("Lumbar support pillow", DMED),
    ("Sit-to-stand lift", DMED),
]

# Probe F (issue 21; fictional requests written and labelled before being run once, kept outside the
# repository): its fixed misses, then paraphrases written after each fix so it is not keyed to one string.
# Supplies of a device named after the device, packs given in sessions, a visit to a kind of physician whatever it
# is to consider, regional anaesthesia blocks, work hardening as a program, one-letter misspellings of drugs.
PSY_EM, PSY_TH = (PSY, "Evaluation & Management", None), (PSY, "Therapies", None)
PROBE_F_WORDINGS: list[tuple[str, tuple[str | None, str | None, str | None]]] = [
    # supplies named after the device they serve
    ("IF unit supplies: electrodes, batteries, lead wires", SUP),
    ("ICS unit electrodes x 4 packs", SUP),
    ("IF unit batteries", SUP),
    ("IF unit 30-day rental", ES),
    ("Blood glucose test strips", SUP),
    ("Diabetic test strips, 100 count", SUP),
    ("Glucose strips #100", SUP),
    ("Blood sugar test", LAB),
    ("CPAP mask and tubing", SUP),
    ("BiPAP mask replacement", SUP),
    ("CPAP headgear and filters", SUP),
    ("CPAP humidifier", DMED),
    ("CPAP titration study", DXO),
    # hot and cold packs: a supply, a therapy when given in sessions
    ("Hot packs / cold packs with e-stim, 8 sessions", OTHER_TH),
    ("Cold packs with ultrasound 2x/week", OTHER_TH),
    ("Hot packs, 6 treatments", OTHER_TH),
    ("Ice packs #4", SUP),
    ("Reusable gel packs x 3", SUP),
    # a visit to a kind of physician is E&M whatever it is to consider; psych, chiro, dental, surgeons keep theirs
    ("1 referral to a pain management specialist for consideration of lumbar epidural steroid injections", MS),
    ("Consult with an interventional pain physician for facet injections", MS),
    ("Referral to a neurology specialist for EMG", MS),
    ("Consultation with a pain management doctor regarding radiofrequency ablation", MS),
    ("Referral to a psychiatric specialist", PSY_EM),
    ("Referral to a chiropractic physician for manipulation", (REHAB, "Chiropractic", None)),
    ("Referral to a dental specialist", (EM, "Dental Services", None)),
    ("Transfer of care to a spine surgeon", (SURG, "Surgical Consult", None)),
    # regional anaesthesia for a surgery
    ("Associated surgical service: Interscalene block", ADJ),
    ("Adductor canal block", ADJ),
    ("Associated surgical service: popliteal nerve catheter", ADJ),
    # programs, counselling that is not psychotherapy
    ("Work hardening program 4 weeks", PROG),
    ("Work hardening 10 sessions", PROG),
    ("Work conditioning program x 12 visits", PTOT),
    ("Nutritional counseling / weight reduction program", PROG),
    ("Nutrition counseling for weight loss program", PROG),
    ("Dietary counseling", MS),
    ("Counseling sessions x 6", PSY_TH),
    # abbreviations with a count written against them
    ("OT x8", PTOT),
    ("OT x12", PTOT),
    ("Acu x6", ACU),
    # drugs misspelled by one letter
    ("Tramadal ER 100mg", (RX, None, "Opioids")),
    ("Omeprazol 20mg", (RX, None, "Proton Pump Inhibitors")),
    ("Cyclobenzaprene 10mg", (RX, None, "Muscle Relaxant")),
    ("Naproxin 550mg", (RX, None, "NSAID")),
    ("Gabapentine 600mg", (RX, None, "Anti-epilepsy drugs")),
    ("Meloxicamm 15mg", (RX, None, "NSAID")),
    ("Duloxitine 60mg", (RX, None, "Antidepressant")),
    ("Methocarbomol 750 mg", (RX, None, "Muscle Relaxant")),
    ("Tizanadine 4mg #60", (RX, None, "Muscle Relaxant")),
    ("Esomeprazol magnesium 40mg", (RX, None, "Proton Pump Inhibitors")),
    ("Lidocane 5% patch", (RX, None, "Topical Analgesics")),
    # part 2 (written after reading the rules, run once): a modality named with a device or for home use is
    # the device, the same word at a frequency the therapy
    ("Cervical traction (over the door) for home use", DMED),
    ("Lumbar traction for home use, purchase", DMED),
    ("Cervical traction, 8 sessions", OTHER_TH),
    ("Home ultrasound unit", DMED),
    ("Portable ultrasound therapy device (SAM)", DMED),
    ("Ultrasound therapy unit for home", DMED),
    ("Therapeutic ultrasound 2x3", OTHER_TH),
    ("Infrared light therapy device for home", DMED),
    ("Infrared heat lamp", DMED),
    ("Home laser therapy device", DMED),
    ("1 month home-based trial of neurostimulator TENS-EMS", ES),
    ("Neurostimulation therapy 2x4", OTHER_TH),
    ("Neurostimulator implant", (SURG, "Spine", None)),
    # stimulation devices by brand, equipment and supplies words
    ("Quell device", ES),
    ("Zynex NexWave unit", ES),
    ("Empi TENS unit", ES),
    ("RS-4i sequential stimulator", ES),
    ("Bed wedge", DMED),
    ("Positioning wedge", DMED),
    ("Heel wedges", PO),
    ("Closing wedge osteotomy, tibia", NONARTH),
    ("Trapeze bar for bed", DMED),
    ("Sharps container", SUP),
    ("Insulin syringes #100", SUP),
    ("Insulin pen needles #100", SUP),
    ("Insulin lispro 10 units tid", (RX, None, "Antidiabetics")),
    # a "DME:" label names no item
    ("DME purchase: lumbar support brace", PO),
    ("DME purchase: knee brace", PO),
    ("DME rental: wheelchair", DMED),
    ("DME: TENS unit", ES),
    ("DME", DMED),
    # chromatography is a lab method, not imaging; moods managed in groups are behavioural health
    ("Gas chromatography/mass spectrometry confirmation", LAB),
    ("Liquid chromatography testing of urine", LAB),
    ("LC-MS urine confirmation", LAB),
    ("Myelogram, lumbar", IMG),
    ("Anxiety management group, 8 sessions", PSY_TH),
    ("Depression management group x 6", PSY_TH),
    ("Coping skills group, 6 sessions", PSY_TH),
    ("Pain management program", PROG),
    # the discipline's names, public transit, carpal tunnel release abbreviations
    ("Oriental medicine treatments x 8", ACU),
    ("TCM treatments 2x/wk x 3 wks", ACU),
    ("Bus passes for medical visits", TR),
    ("Bus fare to appointments", TR),
    ("Right CTR", NONARTH),
    ("Left ECTR", NONARTH),
    # "RFA" is also the request for authorization
    ("Consultation with neurologist (per 5/12/2015 RFA)", MS),
    ("Omeprazole 20mg per RFA dated 3/3/2016", (RX, None, "Proton Pump Inhibitors")),
    ("Repeat RFA at L5-S1", (INJ, "Facet Injection", None)),
    ("Lumbar RFA", (INJ, "Facet Injection", None)),
    # part 3 (written after part 2's fixes, run once): "therapy" with no kind named, stimulation needled or
    # through the skin, a course of decompression sessions, levels of a nutrient, sleep and evoked-response
    # studies, mood therapies, removals and excisions, hospital hours
    ("Post-operative therapy for the left shoulder, 3 times per week for 4 weeks", PTOT),
    ("Additional therapy for the right knee x 6", PTOT),
    ("Continued therapy x 6", PTOT),
    ("Therapy with a psychologist, 6 sessions", PSY_TH),
    ("Massage therapy 2x4", OTHER_TH),
    ("Physio 2x week x 4 weeks", PTOT),
    ("Intramuscular stimulation (IMS) x 6", OTHER_TH),
    ("Percutaneous electrical nerve stimulation (PENS) 4 treatments", OTHER_TH),
    ("Transcutaneous electrical nerve stimulation (TENS) for home use", ES),
    ("Spinal decompression on the DRX table, 20 sessions", OTHER_TH),
    ("Spinal decompression therapy 2x/wk x 6 wks", OTHER_TH),
    ("Lumbar decompression L4-5 x1", (SURG, "Spine", None)),
    ("Decompression of the ulnar nerve", NONARTH),
    ("Bone mineral density study", IMG),
    ("Vitamin B12 level", LAB),
    ("Folate level", LAB),
    ("Vitamin D 2000 IU daily", (RX, None, "Nutritional Products")),
    ("B-12 1000mcg IM", (RX, None, "Injection")),
    ("Overnight sleep evaluation", DXO),
    ("Attended sleep study in lab", DXO),
    ("Brainstem auditory evoked response", EMG),
    ("Visual evoked potentials", EMG),
    ("Trauma-focused therapy, 10 sessions", PSY_TH),
    ("Grief and loss counseling, 4 sessions", PSY_TH),
    ("Multidisciplinary pain management evaluation", PROG),
    ("Stand-up desk", DMED),
    ("Height adjustable desk", DMED),
    ("Left wrist ganglion cyst removal", NONARTH),
    ("Excision of lipoma, right forearm", NONARTH),
    ("Removal of loose bodies, right elbow, open", NONARTH),
    ("Removal of hardware, lumbar", (SURG, "Spine", None)),
    ("Associated surgical service: 23 hour observation", ADJ),
    ("Continued associated surgical service: 23 hour observation", ADJ),
    # part 4 (written after part 3's fixes, run once): analytes measured, psychiatric stays, a paraffin bath in
    # treatments, straps, a transport chair, a word inside a toilet or ice device's name
    ("Uric acid level", LAB),
    ("Lithium level", LAB),
    ("Two-level ACDF C5-7", (SURG, "Spine", None)),
    ("Psychiatric inpatient admission", PSY_TH),
    ("Psychiatric hospitalization, 7 days", PSY_TH),
    ("Psychiatric evaluation", PSY_EM),
    ("Paraffin bath treatments, 6", OTHER_TH),
    ("Paraffin wax bath for home use", DMED),
    ("Tennis elbow strap", PO),
    ("Patellar strap", PO),
    ("CPAP chin strap", SUP),
    ("Transport wheelchair", DMED),
    ("Wheelchair transport to clinic", TR),
    ("Toilet safety frame", DMED),
    ("Toilet grab rails", DMED),
    ("Ice therapy machine", DMED),
    ("Ice compression machine", DMED),
    ("Ice massage, 6 sessions", OTHER_TH),
]


@pytest.mark.parametrize(("request_text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_classify_table(request_text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert classify_service(request_text) == expected


@pytest.mark.parametrize(("request_text", "expected"), UNSEEN_WORDINGS, ids=[c[0][:40] for c in UNSEEN_WORDINGS])
def test_classify_unseen_wordings(request_text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert classify_service(request_text) == expected


@pytest.mark.parametrize(("request_text", "expected"), PROBE_D_WORDINGS, ids=[c[0][:40] for c in PROBE_D_WORDINGS])
def test_classify_probe_d_wordings(request_text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert classify_service(request_text) == expected


@pytest.mark.parametrize(("request_text", "expected"), PROBE_F_WORDINGS, ids=[c[0][:40] for c in PROBE_F_WORDINGS])
def test_classify_probe_f_wordings(request_text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert classify_service(request_text) == expected


def test_drug_misspellings_are_one_letter_only() -> None:
    """A word is read as a drug it misspells only one letter off (two letters off, "hearing" is no "heparin"),
    only for names of seven letters or more, and never where a dictionary name or a stem already reads it."""
    from imr.taxonomy import misspelled_drug_hits

    assert [n for _, n, _ in misspelled_drug_hits("omeprazol 20mg")] == ["omeprazole"]
    for text in ("hearing aids", "heparin 5000 units", "somma 350mg", "norcco 10/325", "hydroxyzine 25mg",
                 "gabapntne 600mg"):  # fmt: skip
        assert misspelled_drug_hits(text) == [], text
    assert classify_service("Hearing aid batteries") == SUP
    assert classify_service("Gabapntne 600mg") == (RX, None, None)


@pytest.mark.parametrize(
    "variants",
    [
        ("Power wheelchair", "Power wheel chair", "Power wheel-chair", "POWER  WHEELCHAIRS"),
        ("Follow-up visit", "Follow up visit", "Followup visit"),
        ("X-ray of the hand", "X ray of the hand", "Xray of the hand", "X-rays of the hand"),
        ("Sit-stand desk", "Sit/stand desk", "Sit stand desk"),
        ("E-stim 2x4", "E stim 2x4", "Estim 2x4"),
        ("Lidoderm\u00ae 5% patch", "Lidoderm 5% patch"),
    ],
)
def test_compounds_plurals_and_signs_read_alike(variants: tuple[str, ...]) -> None:
    """Closed, open and hyphenated compounds, plurals and trademark signs give one classification."""
    first = classify_service(variants[0])
    assert first != (None, None, None)
    assert all(classify_service(v) == first for v in variants[1:])


@pytest.mark.parametrize(
    ("misspelled", "spelled"),
    [("Physcial therapy 2x6", "Physical therapy 2x6"), ("Accupuncture x 6", "Acupuncture x 6"),
     ("Epidrual steroid injection", "Epidural steroid injection"),
     ("Orthopaedic consultation", "Orthopedic consultation"),
     ("Interferrential unit", "Interferential unit"), ("Trasnportation to visits", "Transportation to visits")],
)  # fmt: skip
def test_one_letter_misspellings_of_head_words_read_alike(misspelled: str, spelled: str) -> None:
    assert classify_service(misspelled) == classify_service(spelled) != (None, None, None)


def test_spelling_tolerance_never_turns_a_word_into_another() -> None:
    """Words one or two letters from a listed head word but meaning something else keep their own reading."""
    from imr.taxonomy import normalize

    for word in ("physician", "physics", "chiropractor", "psychiatry", "psychologist", "orthopedist", "consultant",
                 "stimulation", "injectable", "manipulative", "therapies", "evaluate", "infection", "infections",
                 "simulator", "orthotist"):  # fmt: skip
        assert normalize(word) == word
    assert classify_service("Treatment of wound infection")[0] != "Injection"


def test_spelling_tolerance_is_one_edit_not_a_letter_moved() -> None:
    """A word sharing a one-letter deletion with a head word but two edits from it (a letter moved
    to the other end) is not the head word; one letter changed or two neighbours swapped is."""
    from imr.taxonomy import normalize

    assert normalize("herapyt") == "herapyt"  # 't' moved from the front to the end of "therapy"
    assert normalize("ltrasoundu") == "ltrasoundu"
    assert normalize("theraphy") == "therapy" and normalize("physcial") == "physical"


@pytest.mark.parametrize("text", ["", "   ", "Unknown widget", "Item 1", "See attached", "#2", "12/01/2016"])
def test_unknown_text_gives_nones(text: str) -> None:
    assert classify_service(text) == (None, None, None)


def test_case_and_whitespace_insensitive() -> None:
    assert classify_service("  mri   OF THE\tLEFT  hip ") == classify_service("MRI of the left hip")


# Requests made of vocabulary words (so that rules, drugs and stems fire) mixed with any text.
_WORDS = sorted(
    {w for request, _ in CASES + UNSEEN_WORDINGS + PROBE_D_WORDINGS for w in request.split()}
    | {"therapy", "unit", "rental", "injection", "x", "2x6", "#60", "10/325mg", "associated", "surgical", "service:"}
)
_REQUESTS = st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=8)), max_size=12).map(" ".join)


def _check_triple(out: tuple[str | None, str | None, str | None]) -> None:
    assert isinstance(out, tuple) and len(out) == 3
    assert all(v is None or isinstance(v, str) for v in out)
    category, subcategory, drug_class = out
    if category is None:
        assert subcategory is None and drug_class is None
    if drug_class is not None:
        assert category == RX


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _REQUESTS))
def test_never_raises(text: str) -> None:
    _check_triple(classify_service(text))


@settings(max_examples=200, deadline=None)
@given(_REQUESTS)
def test_deterministic(text: str) -> None:
    """The same request gives the same triple, again and with a vocabulary rebuilt from the same tables."""
    from imr.taxonomy import VOCABULARY, Vocabulary

    rebuilt = Vocabulary(VOCABULARY.rules, dict(VOCABULARY.drugs), VOCABULARY.stems)
    first = classify_service(text)
    assert classify_service(text) == first
    assert classify_service(text, rebuilt) == first


@settings(max_examples=300, deadline=None)
@given(_REQUESTS, st.data())
def test_case_and_whitespace_insensitive_property(text: str, data: st.DataObject) -> None:
    """Changing the case of ASCII letters, the kind and length of white space runs, and adding white space
    around the request never changes its triple."""
    flips = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    cased = "".join(c.swapcase() if f and c.isascii() and c.isalpha() else c for c, f in zip(text, flips, strict=True))
    runs = st.sampled_from([" ", "  ", "\t", "\n", " \t ", "\r\n"])
    parts = cased.split(" ")
    spaced = parts[0] + "".join(data.draw(runs) + part for part in parts[1:])
    varied = data.draw(runs) + spaced + data.draw(runs)
    assert classify_service(varied) == classify_service(text)


_UNKNOWN_WORD = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=3, max_size=8).map(lambda w: "zq" + w)


@settings(max_examples=150, deadline=None)
@given(_UNKNOWN_WORD)
def test_unknown_words_take_the_category_of_their_head_noun(word: str) -> None:
    """A service named by a word no rule, drug or stem knows still gets its category from the head noun and
    the frequency or dosage around it."""
    assume(classify_service(word) == (None, None, None))
    assert classify_service(f"{word} therapy 2 times a week for 6 weeks") == (REHAB, "Other Therapies", None)
    assert classify_service(f"{word} sessions x 6")[0] == REHAB
    assert classify_service(f"{word} unit, 30 day rental") == (DME, "DME", None)
    assert classify_service(f"purchase of a {word}") == (DME, "DME", None)
    assert classify_service(f"{word} 20mg #60") == (RX, None, None)
    assert classify_service(f"{word} 2% cream 120gm") == (RX, None, "Topical Analgesics")
    assert classify_service(f"{word} testing") == (DX, "Other", None)
    assert classify_service(f"{word} injection") == (INJ, "Injection", None)
    assert classify_service(f"{word} program") == ("Programs", None, None)
    assert classify_service(f"{word} procedure") == (SURG, "Non-arthroscopic", None)
    assert classify_service(f"lumbar {word} procedure") == (SURG, "Spine", None)
    assert classify_service(f"{word} consultation") == (EM, "Medical Specialties", None)
    assert classify_service(f"Associated surgical service: {word} testing") == (SURG, "Adjunct Surgical Services", None)
    assert classify_service(f"Associated surgical service: {word} unit") == (DME, "DME", None)


def test_stems_agree_with_the_dictionary() -> None:
    """Every dictionary drug whose name a stem matches has the stem's class: the stems say what the curated
    names say. Brands that merely contain a stem are the exceptions (the dictionary wins over stems)."""
    from imr.taxonomy import VOCABULARY
    from imr.taxonomy_drugs import DRUGS

    assert all(re.compile(stem).groups == 0 for stem, _ in VOCABULARY.stems)  # one group per stem when joined
    brands_containing_a_stem = {"vicoprofen": "hydrocodone with ibuprofen"}
    disagree = {}
    for name, cls in DRUGS.items():
        for word in name.split():
            m = VOCABULARY.stem_re.fullmatch(word)
            if m and m.lastindex and VOCABULARY.stems[m.lastindex - 1][1] != cls:
                disagree[name] = (cls, VOCABULARY.stems[m.lastindex - 1][1])
    assert set(disagree) == set(brands_containing_a_stem), disagree
    assert sum(VOCABULARY.stem_re.fullmatch(n) is not None for n in DRUGS) >= 100  # the stems cover the table


def test_stems_name_generics_the_dictionary_lacks() -> None:
    from imr.taxonomy_drugs import DRUGS

    unlisted = {"dexlansoprazole": "Proton Pump Inhibitors", "nizatidine": "H2 Blocker", "tolfenamic": "NSAID",
                "cefpodoxime": "Anti-infectives", "pitavastatin": "Statin", "eletriptan": "Antimigraine"}  # fmt: skip
    for generic, cls in unlisted.items():
        assert classify_service(f"{generic.title()} 10mg #30") == (RX, None, cls)
    assert not {"cefpodoxime", "pitavastatin", "tolfenamic"} & set(DRUGS)
    # the dictionary wins over a stem (Vicoprofen is hydrocodone with ibuprofen, an opioid)
    assert classify_service("Vicoprofen 7.5/200mg #60") == (RX, None, "Opioids")
    # words of other classes that look like stems
    assert classify_service("Nystatin cream")[2] != "Statin"
    assert classify_service("Cholesterol panel") == (DX, "Lab & Pathology", None)
    assert classify_service("Follow-up visit in April") == (EM, "Medical Specialties", None)


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
    for request, _ in CASES + UNSEEN_WORDINGS + PROBE_D_WORDINGS:
        assert classify_service(request, rebuilt) == classify_service(request)


def test_bench_removing_entries_forgets_exactly_those_words() -> None:
    """The held-out estimate removes entries; a removed term, drug name or stem is no longer known."""
    from bench.taxonomy import Entry, GoldItem, entries, used_by, without

    every = entries()
    item = GoldItem("fictional.pdf", "Purchase of a power wheelchair", (DME, "DME", None))
    used = used_by(item, every)
    wheelchair = r"wheel ?chairs?(?! (?:accessible )?(?:vans?|transport\w*))"  # a wheelchair van is transport
    assert {e.text for e in used} == {wheelchair, "purchase"}
    assert classify_service(item.request, without(used)) == (None, None, None)
    assert classify_service(item.request, without(used - {e for e in used if e.text == "purchase"})) == (
        DME, "DME", None)  # fmt: skip
    # drug names and stems are entries too
    drug = GoldItem("fictional.pdf", "Pantoprazole 40mg #30", (RX, None, "Proton Pump Inhibitors"))
    drug_used = used_by(drug, every)
    assert {(e.kind, e.text) for e in drug_used} >= {("drug", "pantoprazole"), ("stem", "[a-z]+prazole")}
    assert classify_service(drug.request, without({Entry("drug", "pantoprazole")}))[2] == "Proton Pump Inhibitors"
    drug_vocabulary = {e for e in drug_used if e.kind != "term"}
    assert classify_service(drug.request, without(drug_vocabulary)) == (RX, None, None)  # the dosage is left
    assert classify_service(drug.request, without(drug_used)) == (None, None, None)

"""DWC service taxonomy for an item's request text (category, subcategory, drug class).

DWC assigns ``service_category`` / ``service_subcategory`` / ``drug_class`` in its index; the letter never
prints them.  :func:`classify_service` reproduces them with explainable rules:

1. The request is normalised (lower case, dashes, spaces) and leading prefixes are removed and remembered:
   "Retrospective", "Associated surgical service:", "Post-op", "Pre-op".
2. Every rule in :data:`_RULES` is a precompiled regex for one (category, subcategory).  A drug dictionary
   (:mod:`imr.taxonomy_drugs`) adds one more candidate: the first drug name in the text.  Among all matches
   the winner is the one with the lowest *tier*, then the earliest position (the head noun of a request comes
   first: "Acupuncture with capsaicin patch" is acupuncture), then the rule order (specific before generic:
   "TENS unit" before "electrical stimulation").  Tier 1 holds generic visit words (consult, follow-up,
   exam) and tier 2 a dosage-unit fallback, so they only decide when nothing specific matched.
3. DWC conventions are applied afterwards: labs, x-rays, EKG or clearance requested as an "Associated
   surgical service" or "Pre-op" are Surgery / Adjunct Surgical Services, while equipment, therapy and drugs
   requested that way keep their own category; pharmaceuticals have no subcategory except topical compounds;
   a generic surgical procedure on the spine is Surgery / Spine.

Unknown text gives ``(None, None, None)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from imr.taxonomy_drugs import (
    COMPOUND_ONLY,
    COMPOUNDED_PRODUCTS,
    DRUGS,
    LOW_PRIORITY,
    PROCEDURAL_INJECTABLES,
    TOPICAL_COMMERCIAL,
    TOPICAL_PRODUCTS,
    TRANSDERMAL_KEEP,
    UNCLASSED,
)

Triple = tuple[str | None, str | None, str | None]
_NONE: Final[Triple] = (None, None, None)

DX, DME, EM, INJ, RX, PSY, REHAB, SURG = (
    "Diagnostic Testing", "DMEPOS", "Evaluation & Management", "Injection", "Pharmaceuticals",
    "Behavioral and Mental Health", "Rehabilitation", "Surgery",
)  # fmt: skip
ADJUNCT = "Adjunct Surgical Services"
TOPICAL_COMPOUNDS = "Topical Compounds"


@dataclass(frozen=True, slots=True)
class _Rule:
    """One keyword rule: ``pattern`` found in the request -> (category, subcategory)."""

    name: str
    pattern: re.Pattern[str]
    category: str
    subcategory: str | None
    tier: int = 0
    drug_class: str | None = None


def _rule(
    name: str, pattern: str, category: str, subcategory: str | None, tier: int = 0, drug_class: str | None = None
) -> _Rule:
    return _Rule(name, re.compile(pattern), category, subcategory, tier, drug_class)


_FREQ = r"(?:\d+\s*(?:x|times)\s*\d+|times (?:a|per) week|per week|a week|weekly|sessions?\b)"
_NOT_GUIDED = r"(?![\s-]*guid)"

# Order matters only for ties at the same position: specific before generic.
# fmt: off
_RULES: Final[tuple[_Rule, ...]] = (
    # --- surgery: adjunct services and consultations --------------------------------------------------
    _rule("adjunct", r"\b(?:assistant surgeon|assistant at surgery|surgical assist\w*|co-?surgeon|"
          r"(?:medical|pre-?op\w*|surgical|cardiac|internal medicine) clearance|clearance for surgery|"
          r"inpatient (?:stay|admission|hospital)|hospital (?:stay|admission)|length of stay|"
          r"(?:days?|nights?) (?:of )?(?:inpatient|hospitali[sz]ation)|overnight (?:stay|observation)|"
          r"anesthesia (?:services?|care|consult\w*)|anesthesiolog\w*|surgery center|facility fee|"
          r"(?:registered )?nurse first assist\w*|rnfa|(?:surgical )?(?:physician|physician's) assistant (?:for|at|in|"
          r"during) (?:the )?surgery|surgical (?:physician|physician's) assistant|pa[\s-]?c? (?:surgical )?assist\w*|"
          r"pre-?(?:op(?:erative)?|surgical) (?:history and physical|h\s?&\s?p|work-?up|testing|evaluation|labs?)|"
          r"(?:post-?op(?:erative)?|overnight) (?:hospital )?stay)", SURG, ADJUNCT),
    _rule("surgical consult",
          r"\b(?:(?:spine|spinal|orthop\w*|ortho|neuro|hand|general|plastic|vascular|foot|podiatric)\s+)?"
          r"(?:neuro)?surg(?:ery|eon|eons|ical)\s+(?:\w+\s+){0,2}?(?:consult\w*|eval\w*|opinion|referral|follow[\s-]?up|"
          r"visit|re-?eval\w*|assessment)|"
          r"\b(?:consult\w*|referral|refer(?:red)?|eval\w*|toc|transfer of care|second opinion|follow[\s-]?ups?|"
          r"appointment|visits?)\b(?:\W+\w+){0,4}?\W+(?:neuro)?(?:surgeon|surgery|surgical)\w*",
          SURG, "Surgical Consult"),
    # --- behavioural health and programs ------------------------------------------------------------------
    _rule("psych", r"\b(?:(?:neuro)?psych\w*|cbt|cognitive[\s-]behavio\w*|cognitive therap\w*|mental health|"
          r"partial hospitali\w*|day treatment|hypno\w*|group therapy|relaxation (?:training|therapy)|"
          r"stress management|behavioral (?:health|therapy|medicine|pain)|emdr|support group)", PSY, None),
    _rule("program", r"\b(?:functional restoration|frp|help program|(?:multi|inter)[\s-]?disciplinary (?:pain )?"
          r"(?:program|rehab\w*|treatment|evaluation)|chronic pain (?:management )?program|"
          r"pain (?:management )?program|gym|health club|fitness (?:center|club|membership|program)|ymca|membership|"
          r"weight (?:loss|reduction|management) (?:program|clinic)|weight watchers|nutrisystem|medifast|"
          r"brain injury (?:program|rehab\w*)|detox\w*|inpatient (?:pain |acute |physical )?rehab\w*|"
          r"rehab\w* (?:program|facility|center|admission)|residential (?:treatment|program|rehab\w*)|"
          r"day (?:rehab\w*|treatment) program|transitional living|opioid (?:weaning|taper\w*|tapering) program|"
          r"(?:weaning|tapering|restoration) program)", "Programs", None),
    # --- injections -------------------------------------------------------------------------------------
    _rule("facet", r"\b(?:facet(?!ectomy)\w*|medial branch\w*|mbb|mbnb|radiofrequency|rf (?:ablation|neurotomy|"
          r"rhizotomy|lesioning)|rfa|rhizotomy|neurotomy)", INJ, "Facet Injection"),
    _rule("injection procedure", r"\b(?:epidural|[ctl]?esis?|tfesi|ilesi|selective nerve root|snrb|nerve blocks?|"
          r"blocks?|trigger[\s-]points?\s+inj\w*|tpis?|prp|platelet[\s-]rich|botox|botulinum|prolotherap\w*|"
          r"stem cell|intra-?articular|stellate|sympathetic|lysis of adhesions)\b", INJ, "Injection"),
    _rule("injection", r"\b(?:inject\w*|shots?)\b", INJ, "Injection"),
    _rule("spinal cord stimulator", r"\b(?:spinal cord stim\w*|scs|dorsal column stim\w*|neurostimulator "
          r"(?:implant\w*|trial|placement)|intrathecal (?:pump|drug delivery))", SURG, "Spine"),
    # --- DMEPOS (device words before the therapy of the same name) ---------------------------------------
    _rule("stim supplies", r"\b(?:tens|ems|nmes|h[\s-]?wave|interferential|e[\s-]?stim|stimulator)\s+(?:unit\s+)?"
          r"(?:electrodes?|pads?|patches|batter(?:y|ies)|lead wires?|supplies)\b|\bconductive garments?",
          DME, "Supplies"),
    _rule("stim device", r"\b(?:tens|ems|nmes|h[\s-]?wave|interferential (?:\w+ )?(?:unit|stimulator|device)|"
          r"if unit|ics unit|(?:e[\s-]?stim|electrical (?:muscle )?stimulation|electro[\s-]?stim\w*|muscle "
          r"stim\w*|stim) (?:unit|device|machine)|stimulator|bone (?:growth )?stim\w*)\b",
          DME, "Electrical Stimulation"),
    _rule("supplies", r"\b(?:gloves?|wipes?|electrodes?|batter(?:y|ies)|lead wires?|supplies|pads?|wraps?|"
          r"bandages?|dressings?|gauze|catheters?|diapers?|incontinence|underpads?|chux|tape|syringes?|"
          r"needles|test strips|lancets|ostomy|compression (?:stockings?|socks|garments?|hose)|ted hose|"
          r"(?:ice|gel|cold|hot(?:/cold)?|heat|moist heat|heating) packs?|thermacare|heat wraps?|"
          r"hearing aid batter(?:y|ies))\b", DME, "Supplies"),
    _rule("orthotics", r"\b(?:braces?|bracing|splints?|(?<!month )supports?(?! group)|orthos[ie]s|orthotics?|"
          r"insoles?|shoe inserts?|orthopedic shoes?|cam (?:walker|boot)|walker boot|walking boot|boot|"
          r"(?:ultra|arc)?sling\w*|collar|immobili[sz]er|c?t?lso|corset|binder|prosthe\w+|afo|kafo|"
          r"unloader|thumb spica|heel cups?|abduction pillow|(?:knee|elbow|ankle|wrist) sleeves?|"
          r"hearing aids?|hearing devices?|amplification devices?)\b",
          DME, "Prosthetics/Orthotics"),
    _rule("dme", r"\b(?:wheel\s?chairs?|power chair|scooter|walkers?|rollator|canes?|crutch\w*|commode|"
          r"(?:shower|bath|tub)\b[\w/ ]{0,12}?\b(?:chair|bench|stool|seat)|grab bars?|toilet (?:seat|riser|frame)|"
          r"(?:hospital|adjustable) bed|bed rails?|mattress\w*|pillows?|cushions?|work\s?stations?|"
          r"(?:standing|sit[\s-]stand) desk|ergonomic (?:chair|keyboard|mouse|desk|equipment)|chairs?|"
          r"cold therapy|hot\s*/\s*cold (?:therapy|unit)|cryotherapy|cryo[\s-]?cuff|ice machine|polar care|"
          r"game ready|vascutherm|\w*therm\w* unit|heating pads?|heat unit|(?:(?:moist )?heat therapy|"
          r"thermotherapy)(?!.*" + _FREQ + r")|(?:hot|heat) and cold (?:therapy|unit)|contrast therapy unit|"
          r"dvt (?:prevention |prophylaxis )?(?:unit|device|pump|compression)|(?:pneumatic|sequential) "
          r"compression|compression (?:unit|device|pump)|cpm|continuous passive motion|traction (?:unit|device)|"
          r"home traction|exercise (?:equipment|bike|ball|kit)|stationary bike|treadmill|pedal exerciser|"
          r"reacher|grabber|lift chair|hoyer|patient lift|stair lift|ramp|cpap|bipap|nebuli[sz]er|oxygen|"
          r"durable medical equipment|dme|(?:infrared|heat) (?:lamp|unit|device)|"
          r"paraffin (?:bath|unit)|massage (?:chair|device|unit|tool)|inversion table)\b", DME, "DME"),
    # --- diagnostics ------------------------------------------------------------------------------------
    _rule("emg", r"\b(?:emg|ncv|ncs|nerve conduction\w*|electromyogra\w*|electrodiagnostic\w*|"
          r"(?:somato)?sensory evoked potentials?|evoked potentials?|d?sseps?|neurodiagnostic\w*|"
          r"current perception threshold|pnct|v-?snct|nerve (?:fiber )?(?:testing|studies|study))\b" + _NOT_GUIDED,
          DX, "EMG/NCV/NCS"),
    _rule("dx other", r"\b(?:functional capacity|(?:q)?fce|capacity evaluation|impedance imaging|tpii|"
          r"sleep (?:study|studies|test)|polysomno\w*|ekg|ecg|electrocardiogra\w*|echocardiogra\w*|"
          r"stress test|pulmonary function|spirometry|range of motion (?:test\w*|measure\w*)|"
          r"computeri[sz]ed (?:rom|range|muscle|strength)|muscle testing|quantitative sensory|vng|"
          r"videonystagmo\w*|audiogra\w*|audiometr\w*|hearing test|holter|autonomic test\w*|sudoscan|"
          r"vestibular test\w*|eeg|electroencephalogra\w*|thermogra\w*|tilt table|qsart|"
          r"(?:diagnostic|medical) test(?:s|ing)?|neurometer|posturography|nerve fiber density)\b", DX, "Other"),
    _rule("imaging", r"\b(?:mri|mra|magnetic resonance|mr arthrogra\w*|ct|cat scan|computed tomograph\w*|"
          r"x[\s-]?rays?|radiograph\w*|bone scan|dexa|dxa|bone density|arthrogra\w*|myelogra\w*|discogra\w*|"
          r"pet scan|spect|diagnostic ultrasound|ultrasound (?:of|for|study|scan|exam\w*|imaging|evaluation)|"
          r"(?:musculoskeletal|duplex|doppler) ultrasound|sonogra\w*|ultrasonograph\w*|doppler|imaging|"
          r"scans?)\b" + _NOT_GUIDED, DX, "Imaging/Radiology"),
    _rule("labs", r"\b(?:labs?|laborator\w*|urine (?:drug|tox\w*)\w*|drug (?:screen|test)\w*|uds|udt|"
          r"toxicology|cbc|cmp|bmp|chem(?:istry)? (?:panel|profile)|metabolic panel|lipid panel|\w+ panel|"
          r"blood (?:work|tests?|draw)|bloodwork|urinalysis|ua|pt/ptt|ptt|inr|hba1c|a1c|tsh|liver function|"
          r"lfts?|renal function|creatinine|esr|crp|sed rate|rheumatoid factor|genetic test\w*|dna test\w*|"
          r"pharmacogene\w*|cytokine|biopsy|pathology|culture|(?:vitamin d|testosterone|drug) levels?)\b",
          DX, "Lab & Pathology"),
    # --- rehabilitation -----------------------------------------------------------------------------------
    _rule("acupuncture", r"\b(?:(?:elect\w*|infrared|laser|manual|auricular)\s+)?(?:electro[\s-]?)?acupunct\w*|"
          r"\bacupressure",
          REHAB, "Acupuncture"),
    _rule("chiropractic", r"\b(?:chiro\w*|(?:spinal |osteopathic )?manipulat\w*+(?!\s+under\b)|cmt|omt|"
          r"spinal adjust\w*)", REHAB, "Chiropractic"),
    _rule("decompression therapy", r"\b(?:(?:spinal )?decompression (?:therapy|table|machine)|non-?surgical "
          r"decompression|vax-?d|drx\d*)", REHAB, "Other Therapies"),
    _rule("pt/ot", r"\b(?:physical therap\w*|physiotherap\w*|physical medicine(?!\s+(?:and|&)\s+rehab)|"
          r"occupational therap\w*|pt/ot|"
          r"(?<![/-])pt(?!\s*/\s*(?:ptt|inr))|ot(?=\s*(?:\d|x\b|sessions?|visits?|eval|for|times))|"
          r"therapeutic exercises?|manual therap\w*|aqua(?:tic)? therap\w*|pool therap\w*|hydrotherap\w*|"
          r"hand therap\w*|work (?:hardening|conditioning)|vestibular (?:rehab\w*|therap\w*)|"
          r"physical (?:exam\w*|rehab\w*)(?=.*" + _FREQ + r"))\b", REHAB, "PT/OT"),
    _rule("other therapies", r"\b(?:eswt|shock\s?wave|extracorporeal|infrared (?:therap\w*|treatments?|light|"
          r"sessions?|\d)|neurostimulat\w*|lint|e[\s-]?stim\w*|electrical (?:muscle )?stimulation|electrotherap\w*|"
          r"galvanic|microcurrent|scrambler|calmare|interferential|ultrasound|massage\w*|myofascial release|"
          r"biofeedback|traction|iontophoresis|phonophoresis|paraffin|whirlpool|laser therap\w*|lllt|cold laser|"
          r"modalities|dry needling|speech therap\w*|hyperbaric|vibration therap\w*|"
          r"(?:moist )?heat(?: therapy| treatments?)?(?=.*" + _FREQ + r"))\b" + _NOT_GUIDED,
          REHAB, "Other Therapies"),
    # --- other categories ---------------------------------------------------------------------------------
    _rule("home health", r"\b(?:home health|home (?:care|aide|nursing|assistance|help|attendant)|in[\s-]home "
          r"(?:care|services?|assistance|support|health|aide)|homemaker|housekeeping|caregiver|attendant care|"
          r"nursing (?:care|visits?|services?)|home (?:nurse|nursing) visits?|"
          r"(?:rn|lvn|registered nurse|skilled nurs\w*|visiting nurse|nurse(?!\s+practitioner)|nursing)"
          r"(?:\W+\w+){0,2}?\W+(?:visits?|evaluation|assessment)|wound care visits?|home infusion)",
          "Home Health", None),
    _rule("transportation", r"\b(?:transport\w*|taxi|cab|uber|lyft|ambulance|mileage|paratransit|van service)\b",
          "Transportation", None),
    _rule("dental", r"\b(?:dental|dentist\w*|teeth|tooth|oral surg\w*|periodont\w*|endodont\w*|orthodont\w*|"
          r"prosthodont\w*|crowns?|dentures?|root canal|night guard|mouth guard|occlusal|oral appliance|"
          r"(?:tmj|bite) (?:splint|appliance|orthotic|guard))\b", EM, "Dental Services"),
    _rule("arthroscopic", r"\b(?:arthroscop\w*|(?:knee|shoulder|hip|wrist|ankle|elbow) scope)\b",
          SURG, "Arthroscopic"),
    _rule("spine surgery", r"\b(?:(?:hemi)?laminectom\w*|laminotom\w*|laminoplast\w*|dis[ck]ectom\w*|"
          r"microdis[ck]ectom\w*|foraminotom\w*|corpectom\w*|facetectom\w*|kyphoplast\w*|vertebroplast\w*|acdf|"
          r"[tpxao]lif|interbody|pedicle screw\w*|disc (?:replacement|arthroplasty)|artificial disc)\b",
          SURG, "Spine"),
    _rule("surgery", r"\b(?:\w+ectom(?:y|ies)|\w+plast(?:y|ies)|(?!phleb)\w+otom(?:y|ies)|\w+desis|\w+rrhaph\w*|"
          r"repairs?|(?<!extended )(?<!immediate )(?<!sustained )(?<!controlled )(?<!delayed )release|"
          r"reconstruction|(?:knee|hip|shoulder|joint|total) replacement|fixation|orif|removal of (?:hardware|"
          r"implants?|screws?|plates?)|hardware removal|excision|amputation|transposition|surgery|surgical "
          r"(?:procedure|intervention|treatment|repair|decompression)|debridement|decompression|fusion|"
          r"manipulation under (?:general )?anesthesia|mua|neurolysis|tenodesis|grafting|exploration)\b",
          SURG, "Non-arthroscopic"),
    # --- generic visits (tier 1) ------------------------------------------------------------------------------
    _rule("e&m", r"\b(?:consult\w*|referrals?|refer|follow[\s-]?ups?|office visits?|visits?|evaluat\w*|"
          r"exam(?:ination)?s?|transfer of care|toc|second opinion|appointments?|specialist|pain management|"
          r"neurolog\w*|rheumatolog\w*|internal medicine|internist|cardiolog\w*|orthop(?:a)?ed\w*|podiatr\w*|"
          r"urolog\w*|gastroenterolog\w*|dermatolog\w*|endocrinolog\w*|pulmonolog\w*|hematolog\w*|"
          r"ophthalmolog\w*|optometr\w*|otolaryngolog\w*|ent|sleep medicine|physiatr\w*|pm&r|primary care|pcp|"
          r"medication management|re-?evaluation)\b", EM, "Medical Specialties", tier=1),
    # --- dosage units for a drug the dictionary does not know (tier 2) ------------------------------------
    _rule("compound", r"\b(?:compound\w*|topical compound\w*)\b", RX, TOPICAL_COMPOUNDS, tier=2,
          drug_class=TOPICAL_COMPOUNDS),
    _rule("dosage", r"\b(?:\d+(?:\.\d+)?\s*(?:mg|mcg|ml|meq|iu)\b|tablets?|tabs?|capsules?|caps|oral "
          r"suspension|syrup|refills?|by mouth|po (?:bid|tid|qid|qd|q\d+h|daily|prn)|creams?|ointments?|lotions?|"
          r"topicals?|medications?|prescriptions?)", RX, None, tier=2),
)
# fmt: on

_PREFIX = re.compile(
    r"^(?:(?P<retro>retrospective|retro|prospective|concurrent)\b\s*(?:request\s+(?:for|of)\s+)?:?|"
    r"(?P<assoc>associated surgical services?)\s*[:\-]?|"
    r"(?P<pre>pre|peri)[\s-]?(?:op(?:erative)?|surgical)\b\s*:?|"
    r"post[\s-]?(?:op(?:erative)?|surgical)\b\s*:?)\s*"
)
_PREOP_ANYWHERE = re.compile(r"\b(?:pre|peri)[\s-]?op(?:erative)?\b|\bassociated surgical service")
_SPINE_REGION = re.compile(
    r"\b(?:spine|spinal|cervical|thoracic|lumbar|lumbosacral|sacral|sacroiliac|si joint|vertebra\w*|"
    r"dis[ck]s?|[ctl]\d(?:\s*-\s*[ctls]?\d)?|l5\s*-\s*s1)\b"
)
_TOPICAL_FORM = re.compile(
    r"\b(?:creams?|gels?|ointments?|lotions?|patch(?:es)?|topical\w*|transdermal|liniment|balm|roll[\s-]?on|"
    r"foam|(?<!nasal )sprays?|rub|emulsion|solution)\b|\d\s*%"
)
_ORAL_FORM = re.compile(r"\b(?:oral|tabs?|tablets?|capsules?|caps|by mouth|po)\b")
_COMPOUNDED = re.compile(r"\bcompound\w*")
_PSY_EVAL = re.compile(
    r"\b(?:eval\w*|consult\w*|assess\w*|test\w*|screen\w*|follow[\s-]?up|visits?|medication management|"
    r"clearance|exam\w*|re-?eval\w*)"
)
_PSY_THERAPY = re.compile(
    r"\b(?:\w*therap\w*|cbt|cognitive|sessions?|treatments?|group|hypno\w*|relaxation|biofeedback|"
    r"partial hospitali\w*|day treatment|counsel\w*|stress management)"
)
_INJECTED = re.compile(r"\b(?:inject\w*|shots?|im|intramuscular)\b")


def _drug_pattern(drugs: Iterable[str]) -> re.Pattern[str]:
    names = sorted(drugs, key=len, reverse=True)
    alts = [re.sub(r"\\[ \-]", r"[\\s-]*", re.escape(n)) for n in names]
    return re.compile(r"(?<![a-z])(" + "|".join(alts) + r")(?![a-z])")


_SEP = re.compile(r"[\s-]+")


@dataclass(frozen=True)
class Vocabulary:
    """The keyword rules and the drug dictionary a classification uses (the default is the curated
    one; ``bench/taxonomy.py`` builds reduced ones to estimate accuracy on unseen requests)."""

    rules: tuple[_Rule, ...]
    drugs: Mapping[str, str]
    drug_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    canon: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "drug_re", _drug_pattern(self.drugs) if self.drugs else re.compile(r"(?!)"))
        object.__setattr__(self, "canon", {_SEP.sub("", n): n for n in self.drugs})


VOCABULARY: Final = Vocabulary(_RULES, DRUGS)


def _normalize(request: str) -> str:
    text = request.lower().replace("\u2013", "-").replace("\u2014", "-").replace("\u2011", "-")
    return re.sub(r"\s+", " ", text).strip()


def _strip_prefixes(text: str) -> tuple[str, bool]:
    """Remove leading request prefixes; report whether the item is a pre-op / associated surgical service."""
    surgical = bool(_PREOP_ANYWHERE.search(text))
    for _ in range(4):
        m = _PREFIX.match(text)
        if not m or not m.group(0):
            break
        text = text[m.end() :]
    return text, surgical


def _drug_hits(text: str, vocabulary: Vocabulary) -> list[tuple[int, str, str]]:
    """(position, canonical name, class) for every dictionary drug in ``text``, in order."""
    out: list[tuple[int, str, str]] = []
    for m in vocabulary.drug_re.finditer(text):
        name = vocabulary.canon.get(_SEP.sub("", m.group(1)))
        if name is not None:
            out.append((m.start(), name, vocabulary.drugs[name]))
    return out


def _classify_drugs(text: str, hits: list[tuple[int, str, str]]) -> Triple:
    """Pharmaceuticals triple for the drugs found (topical compound, topical analgesic or the drug's class)."""
    names = {n for _, n, _ in hits}
    classes = [c for _, _, c in hits if c != COMPOUND_ONLY]
    topical = bool(_TOPICAL_FORM.search(text)) and not _ORAL_FORM.search(text)
    if names & COMPOUNDED_PRODUCTS:
        return RX, TOPICAL_COMPOUNDS, TOPICAL_COMPOUNDS
    if names & TOPICAL_PRODUCTS:
        return RX, None, "Topical Analgesics"
    if _COMPOUNDED.search(text) and (topical or len(names) > 1):
        return RX, TOPICAL_COMPOUNDS, TOPICAL_COMPOUNDS
    if topical and not any(c in TRANSDERMAL_KEEP for c in classes):
        if names <= TOPICAL_COMMERCIAL:
            return RX, None, "Topical Analgesics"
        return RX, TOPICAL_COMPOUNDS, TOPICAL_COMPOUNDS
    ranked = [c for _, n, c in hits if c != COMPOUND_ONLY and n not in LOW_PRIORITY]
    if ranked:
        return RX, None, _drug_class(ranked[0])
    return RX, None, (_drug_class(classes[0]) if classes else None)


def _drug_class(cls: str) -> str | None:
    return None if cls == UNCLASSED else cls


def _apply_injection(result: Triple, rule: _Rule | None, text: str, hits: list[tuple[int, str, str]]) -> Triple:
    """Drugs given by injection: viscosupplements and systemic drugs are Pharmaceuticals, local/steroid shots
    into a joint, nerve or trigger point are Injection / Injection."""
    if not hits or not _INJECTED.search(text):
        return result
    names = {n for _, n, _ in hits}
    classes = {c for _, _, c in hits}
    if "Viscosupplementation" in classes:
        return RX, None, "Viscosupplementation"
    systemic = names - PROCEDURAL_INJECTABLES - {n for n in names if DRUGS[n] == COMPOUND_ONLY}
    if result[0] == RX:
        return (RX, None, "Injection") if systemic else (INJ, "Injection", None)
    if rule is not None and rule.name == "injection" and systemic:
        return RX, None, "Injection"
    return result


def _psych_subcategory(text: str) -> str:
    """Behavioral health: evaluation/management visits vs therapies, by whichever is named first."""
    ev = _PSY_EVAL.search(text)
    th = _PSY_THERAPY.search(text)
    if ev and (not th or ev.start() < th.start()):
        return "Evaluation & Management"
    if th:
        return "Therapies"
    return "Evaluation & Management" if "psychiatr" in text else "Therapies"


def classify_service(
    request: str, vocabulary: Vocabulary = VOCABULARY
) -> tuple[str | None, str | None, str | None]:
    """(service_category, service_subcategory, drug_class) for a request; None where unknown.

    Never raises: any text (including empty or non-medical text) gives a triple.
    """
    if not isinstance(request, str) or not request.strip():
        return _NONE
    text, surgical = _strip_prefixes(_normalize(request))
    best: tuple[int, int, int] | None = None
    winner: _Rule | None = None
    for idx, rule in enumerate(vocabulary.rules):
        m = rule.pattern.search(text)
        if m and (best is None or (rule.tier, m.start(), idx) < best):
            best, winner = (rule.tier, m.start(), idx), rule
    hits = _drug_hits(text, vocabulary)
    if hits and (best is None or (0, hits[0][0], len(vocabulary.rules)) < best):
        winner = None
        result = _classify_drugs(text, hits)
    elif winner is not None:
        sub = winner.subcategory
        if winner.category == PSY:
            sub = _psych_subcategory(text)
        elif winner.name == "surgery" and _SPINE_REGION.search(text):
            sub = "Spine"
        result = (winner.category, sub, winner.drug_class)
        if winner.category == RX and hits:
            result = _classify_drugs(text, hits)
    else:
        result = _NONE
    result = _apply_injection(result, winner, text, hits)
    if surgical and result[0] in (DX, EM, None):
        return SURG, ADJUNCT, None
    return result

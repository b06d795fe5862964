"""The keyword rules of the DWC service taxonomy, as data: for each (category, subcategory), the words
that name it.

Each :class:`Rule` is a table row: a name, the DWC category and subcategory it gives, and its *terms*, one
synonym, abbreviation or word family per entry (a small regex: ``\\w*`` for a word family, ``?`` for an
optional letter). A rule matches when one of its terms is found as a whole word in the normalised request
(:func:`imr.taxonomy.normalize`: lower case, a hyphen between letters read as a space). When terms are
compiled:

* a space in a term also matches no space or a slash ("power chair" finds "powerchair", "sit stand" finds
  "sit/stand"), so closed, open and hyphenated compounds are one term;
* a plural ``s`` / ``es`` is accepted after every term ("brace" finds "braces"), unless the rule is
  open-ended (``after=""``: its terms are stems that may continue, "psych" finds "psychotherapy").

Which rule wins when several match is the engine's business (:mod:`imr.taxonomy`): the lowest *tier*, then
the earliest position, then the order of :data:`RULES`. Tier 0 holds the specific words; tier 1 generic
visit words; tier 2 the head-noun backoffs (an unknown "... therapy 2x6" is a therapy, an unknown
"... unit rental" is equipment, an unknown "... 10mg" is a drug), so a request in words no rule has met
still gets its category.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Final

DX, DME, EM, INJ, RX, PSY, REHAB, SURG = (
    "Diagnostic Testing", "DMEPOS", "Evaluation & Management", "Injection", "Pharmaceuticals",
    "Behavioral and Mental Health", "Rehabilitation", "Surgery",
)  # fmt: skip
PROGRAMS, HOME_HEALTH, TRANSPORTATION = "Programs", "Home Health", "Transportation"
ADJUNCT = "Adjunct Surgical Services"
TOPICAL_COMPOUNDS = "Topical Compounds"

#: What follows a term by default: an optional plural, then the end of the word.
WORD_END: Final = r"(?:e?s)?\b"
#: Imaging, therapy and testing words are not the service when they only guide another ("ultrasound-guided").
NOT_GUIDED: Final = WORD_END + r"(?![\s-]*guid)"
#: A frequency or a count of sessions ("2x6", "2 times a week", "weekly", "6 sessions").
FREQ: Final = (
    r"(?:\d+ ?(?:x|times) ?\d+|times (?:a|per) week|per week|a week|weekly|sessions?\b|"
    r"(?:x|times) ?(?:/|a |per )? ?(?:wks?|weeks?)\b|x ?(?:[2-9]|\d\d+)\s*$)"
)
#: ... somewhere after the term.
FREQUENCY: Final = r"(?=.*" + FREQ + ")"


def _spaced(term: str) -> str:
    """``term`` with each literal space (outside character classes and lookbehinds) made optional and
    allowed to be a slash."""
    out: list[str] = []
    in_class = False
    stack: list[bool] = []  # one entry per open group: is it a lookbehind?
    i = 0
    while i < len(term):
        ch = term[i]
        if ch == "\\":
            out.append(term[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            stack.append(term.startswith(("(?<=", "(?<!"), i))
        elif ch == ")" and stack:
            stack.pop()
        elif ch == " " and not any(stack):
            out.append(r"[\s/]?")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def compile_terms(terms: tuple[str, ...], after: str = WORD_END) -> re.Pattern[str]:
    """One regex finding any of ``terms`` as a whole word (see the module docstring)."""
    if not terms:
        return re.compile(r"(?!)")
    return re.compile(r"\b(?:" + "|".join(_spaced(t) for t in terms) + ")" + after)


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the table: any of ``terms`` found in the request -> (category, subcategory)."""

    name: str
    category: str
    subcategory: str | None
    terms: tuple[str, ...]
    tier: int = 0
    drug_class: str | None = None
    after: str = WORD_END
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", compile_terms(self.terms, self.after))

    def keeping(self, terms: tuple[str, ...]) -> Rule:
        """The same rule with only ``terms`` (``bench/taxonomy.py`` removes terms to test generality)."""
        return dataclasses.replace(self, terms=terms)

    def term_pattern(self, term: str) -> re.Pattern[str]:
        """The regex of one term alone, as this rule compiles it."""
        return compile_terms((term,), self.after)


# Words shared by several rules.
#: A stimulation named as a therapy is the device when a device is named after it ("NMES (...) unit rental").
_NO_DEVICE = r"(?!.*\b(?:units?|devices?|machines?|stimulators?|rental|purchase)\b)"
_SURGEON_KIND = (
    r"(?:spine|spinal|orthop\w*|ortho|neuro|hand|general|plastic|vascular|foot|podiatric|shoulder|knee|joint|"
    r"upper extremity|microvascular|colorectal|thoracic|cardiothoracic)"
)
_VISIT = (
    r"(?:consult\w*|referral|refer(?:red)?|eval\w*|toc|transfer of care|second opinion|follow ?ups?|"
    r"appointment|visits?)"
)
#: Hot or cold packs: a supply, but a therapy when given in sessions ("hot packs with e-stim, 8 sessions").
_PACKS = "(?:ice|gel|cold|hot(?: ?/ ?cold)?|heat|moist heat|heating) packs?"
#: Sessions or a weekly frequency (stricter than FREQ: a trailing count is a quantity of packs, "ice packs x2").
_SESSIONS = (
    r".*\b(?:sessions?|visits?|treatments?|\d+ ?(?:x|times) ?(?:\d+|(?:/|a|per) ?(?:wk|week))|(?:a|per) week|weekly)\b"
)
#: A course of sessions (stricter than FREQUENCY: "L5-S1 x1" names a level, not a frequency).
_COURSE_WORDS = r".*\b(?:sessions?|visits?|treatments?|(?:a|per|/) ?(?:wk|week)|weekly)\b"
_COURSE = "(?=" + _COURSE_WORDS + ")"
#: What is taken out in a removal or excision ("ganglion cyst removal", "removal of retained hardware").
_REMOVED = (
    r"(?:hardware|implants?|screws?|plates?|pins?|wires?|rods?|cysts?|mass(?:es)?|lesions?|tumou?rs?|nodules?|"
    r"ganglions?|foreign bod(?:y|ies)|neuromas?|lipomas?|loose bod(?:y|ies))"
)
_BODY = (
    r"(?:shoulder|knee|hip|elbow|wrist|hand|ankle|foot|heel|neck|back|abdomen|abdominal|pelvi[cs]|groin|"
    r"thyroid|renal|kidney|carotid|venous|arterial|vascular|scrotal|testicular|soft tissue|musculoskeletal|"
    r"duplex|doppler|tendon|achilles|rotator cuff|muscle|breast|liver|gallbladder|bladder)"
)

# fmt: off
RULES: Final[tuple[Rule, ...]] = (
    # --- surgery: adjunct services and consultations -----------------------------------------------------
    Rule("adjunct", SURG, ADJUNCT, (
        "assistant surgeon", "assistant at surgery", r"surgical assist\w*", "co ?surgeon",
        r"(?:medical|pre ?op\w*|surgical|cardiac|internal medicine) clearance", "clearance for surgery",
        "inpatient (?:stay|admission|hospital)", "hospital (?:stay|admission)", "length of stay",
        r"(?:days?|nights?) (?:of )?(?:inpatient|hospitali[sz]ation)", "overnight (?:stay|observation)",
        r"anesthesia (?:services?|care|consult\w*)", "regional anesthesia",
        r"(?:interscalene|supraclavicular|infraclavicular|adductor canal|popliteal) (?:nerve )?(?:block|catheter)\w*",
        r"anesthesiolog\w*", "anesthesia", "anesthetist",
        "surgery center", "facility fee", r"(?:registered )?nurse first assist\w*", "rnfa",
        "(?:surgical )?(?:physician|physician's) assistant (?:for|at|in|during) (?:the )?surgery",
        "surgical (?:physician|physician's) assistant", r"pa ?c? (?:surgical )?assist\w*",
        r"pre ?(?:op(?:erative)?|surgical) (?:history and physical|h ?& ?p|work ?up|testing|evaluation|labs?)",
        "(?:post ?op(?:erative)?|overnight) (?:hospital )?stay", "recovery room", "observation stay",
        r"\d+ ?(?:hours?|hrs?) (?:observation|stay|admission)",
        r"(?:intra ?op\w* )?neuro ?(?:physiologic\w* )?monitor\w*", "iom", r"intra ?op\w* monitor\w*",
    ), after=""),
    Rule("surgical consult", SURG, "Surgical Consult", (
        r"(?:" + _SURGEON_KIND + r" )?(?:neuro)?surg(?:ery|eon|eons|ical) (?:\w+ ){0,2}?(?:consult\w*|eval\w*|"
        r"opinion|referral|follow ?up|visit|re ?eval\w*|assessment)",
        r"\b" + _VISIT + r"\b(?:\W+\w+){0,4}?\W+(?:neuro)?(?:surgeon|surgery|surgical)\w*",
        _SURGEON_KIND + r" ?surgeons?\b",
    ), after=""),
    # A visit to a kind of physician is the service, whatever it is meant to consider ("referral to a pain
    # specialist for consideration of injections"); behavioural health, chiropractic, acupuncture and dental
    # visits keep their own rules, surgeons the surgical consult above.
    Rule("specialist visit", EM, "Medical Specialties", (
        r"(?!.*\b(?:psych|chiro|acupunct|dent))(?:consult\w*|referrals?|refer(?:red)?|transfer of care|toc) "
        r"(?:to|with) (?:an? |the )?(?:\w+ ){0,3}?(?:specialist|physician|doctor|md|clinic|provider)",
    )),
    # --- behavioural health and programs ------------------------------------------------------------------
    Rule("psych", PSY, None, (
        r"(?:neuro)?psych\w*", r"neuro ?cognitive\w*", "cbt", r"cognitive behavio\w*", r"cognitive therap\w*",
        "mental health",
        r"partial hospitali\w*", "day treatment", r"hypno\w*", "group therapy", "relaxation (?:training|therapy)",
        "stress management", "behavioral (?:health|therapy|medicine|pain)", "emdr", "support group",
        r"(?<!nutrition )(?<!nutritional )(?<!dietary )(?<!diet )counsel\w*",
        r"(?:individual|family|marital|couples?|talk) (?:therapy|sessions?)", "anger management",
        r"(?:anxiety|depression|grief|trauma|anger|coping)\w* (?:\w+ )?"
        r"(?:management|groups?|skills|counsel\w*|treatment|therap\w*)",
        "mindfulness", "ptsd", "post ?traumatic stress", "mmpi", "battery for health improvement", "bhi",
    ), after=""),
    Rule("program", PROGRAMS, None, (
        "functional restoration", "frp", "help program",
        r"(?:multi|inter) ?disciplinary (?:pain )?(?:management )?(?:program|rehab\w*|treatment|evaluation)",
        "chronic pain (?:management )?program", "pain (?:management )?program", "gym", "health club",
        "fitness (?:center|club|membership|program)", "ymca", r"(?:\w+ ){0,3}?memberships?",
        "weight (?:loss|reduction|management) (?:program|clinic)", "weight watchers", "nutrisystem", "medifast",
        "lindora", r"brain injury (?:program|rehab\w*)", r"detox\w*", r"inpatient (?:pain |acute |physical )?rehab\w*",
        r"rehab\w* (?:program|facility|center|admission)", r"residential (?:treatment|program|rehab\w*)",
        r"day (?:rehab\w*|treatment) program", "transitional living", r"opioid (?:weaning|taper\w*) program",
        "(?:weaning|tapering|restoration) program", "work hardening",
    ), after=""),
    # --- injections ---------------------------------------------------------------------------------------
    Rule("facet", INJ, "Facet Injection", (
        r"facet(?!ectomy)\w*", r"medial branch\w*", "mbb", "mbnb", "radiofrequency",
        "rf (?:ablation|neurotomy|rhizotomy|lesioning)",
        # "RFA" is also the request for authorization: "per the RFA", "5/12/2015 RFA", "RFA dated ..."
        r"(?<!per )(?<!per the )(?<!\d )rfa(?! (?:dated|date|received|submitted|form)\b)", "rhizotomy", "neurotomy",
        r"zygapophys\w*",
    ), after=""),
    Rule("injection procedure", INJ, "Injection", (
        "epidural", "[ctl]?esis?", "tfesi", "ilesi", "selective nerve root", "snrb", "nerve blocks?",
        "blocks?", r"trigger ?points? inj\w*", "tpis?", "prp", "platelet ?rich", "botox", "botulinum",
        r"prolotherap\w*", "stem cell", "intra ?articular", "stellate", "sympathetic", "lysis of adhesions",
        "adhesiolysis", "racz", "arthrocentesis", "joint aspiration", "aspiration", "blood patch",
        r"sclerotherap\w*", "infiltration",
    )),
    Rule("injection", INJ, "Injection", (r"inject\w*", "shots?")),
    Rule("spinal cord stimulator", SURG, "Spine", (
        r"spinal cord stim\w*", "scs", r"dorsal column stim\w*",
        r"neurostimulator (?:implant\w*|trial|placement)", r"intrathecal (?:\w+ )?(?:pump|drug delivery|catheter)",
        "(?:pain|morphine|baclofen) pump",
        r"(?:dorsal root ganglion|drg) stim\w*",
    ), after=""),
    # --- DMEPOS (device words before the therapy of the same name) ----------------------------------------
    Rule("stim supplies", DME, "Supplies", (
        r"(?:tens|ems|nmes|h ?wave|interferential|e ?stim|stimulator|(?:if|ics)(?= unit)) (?:unit )?"
        r"(?:electrodes?|pads?|patches|batter(?:y|ies)|lead wires?|supplies)",
        "conductive garments?",
    )),
    Rule("stim device", DME, "Electrical Stimulation", (
        "tens", "ems", "nmes", r"transcutaneous electrical (?:nerve )?stimulat\w*", "h ?wave",
        r"interferential (?:\(?\w+\)? ){0,3}?(?:unit|stimulator|device)", "if unit",
        "ics unit",
        r"(?:e ?stim|electrical (?:muscle |nerve )?stimulation|electro ?stim\w*|muscle stim\w*|stim) "
        r"(?:unit|device|machine)",
        r"\w*stimulat\w* (?:unit|device|machine|system)", "(?:neuro)?stimulator", r"bone (?:growth )?stim\w*", "exogen",
        r"cranial electro ?therap\w* stim\w*", r"alpha ?stim\w*", "quell", "zynex", "nexwave", "empi", "rs ?4i",
        "sanexas", "biowave", "compex",
        r"(?:microcurrent|galvanic|high volt\w*|electro ?therap\w*|ces|pemf) (?:\w+ )?(?:unit|device|machine|system)",
    )),
    Rule("supplies", DME, "Supplies", (
        "gloves?", "wipes?", "electrodes?", "batter(?:y|ies)", "lead wires?", "supplies", "pads?", "wraps?",
        "bandages?", "dressings?", "gauze", "catheters?", "diapers?", "incontinence", "underpads?", "chux", "tape",
        "(?:insulin )?syringes?", "(?:insulin )?(?:pen )?needles", "sharps (?:containers?|disposal)",
        "(?:(?:blood )?(?:glucose|sugar) |diabetic )?(?:test )?strips", "lancets", "ostomy",
        "(?:c|bi) ?pap (?:masks?|tubing|hoses?|filters?|headgear|chin ?straps?|cushions?|supplies)", "tubing",
        "compression (?:stockings?|socks|garments?|hose)", "ted hose",
        _PACKS + "(?!" + _SESSIONS + ")", "thermacare", "heat wraps?",
        "hearing aid batter(?:y|ies)", r"kinesio ?tap\w*", "coban", "steri ?strips?", "alcohol (?:swabs?|prep)",
        "urinals?", "bedpans?",
    )),
    Rule("orthotics", DME, "Prosthetics/Orthotics", (
        "braces?", "bracing", r"\w*splints?", "(?<!month )supports?(?! (?:group|pillow|cushion))", "orthos[ie]s",
        "orthotics?",
        "insoles?", "shoe inserts?", "orthopedic shoes?", "cam (?:walker|boot)", "walker boot", "walking boot",
        "boot", r"(?:ultra|arc)?sling\w*", "gunslinger", "collar", r"immobili[sz]er", "c?t?lso", "corset",
        "binder", r"prosthe\w+", "afo", "kafo", "unloader", "thumb spica", "heel (?:cups?|lifts?|wedges?)",
        r"(?:tennis elbow|counter ?force|patell?ar|knee|elbow|wrist|cho ?pat) straps?",
        "abduction pillow", "sleeves?", "hearing aids?", "hearing devices?", "amplification devices?",
        "shoes?", "belts?", "halo", "posture (?:corrector|shirt)",
    )),
    Rule("dme", DME, "DME", (
        r"wheel ?chairs?(?! (?:accessible )?(?:vans?|transport\w*))", "transport (?:wheel ?)?chairs?", "power chair",
        "scooter",
        "walkers?", "rollator", "canes?", r"crutch\w*", "commode",
        r"(?:shower|bath|tub)\b[\w/ ]{0,12}?\b(?:chair|bench|stool|seat)", "grab bars?",
        r"toilet (?:\w+ )?(?:seat|riser|frame|rails?)", "(?:hospital|adjustable|electric|power|semi ?electric) bed",
        "bed rails?",
        r"mattress\w*", "pillows?", "cushions?", "work ?stations?",
        "(?:standing|sit stand|stand up|height adjustable) desk",
        "ergonomic (?:chair|keyboard|mouse|desk|equipment)", "chairs?", "cold therapy", "hot ?/ ?cold (?:therapy|unit)",
        r"cryotherapy (?:unit|device|machine|system)", "cryotherapy(?!.*" + FREQ + ")", "cryo ?cuff",
        r"ice (?:\w+ )?(?:machine|unit|device|system)", "polar care", "game ready", "vascutherm",
        r"\w*therm\w* unit", "heating pads?", "heat unit",
        r"(?:(?:moist )?heat therapy|thermotherapy)(?!.*" + FREQ + ")",
        "(?:hot|heat) and cold (?:therapy|unit)", "contrast therapy unit",
        "dvt (?:prevention |prophylaxis )?(?:unit|device|pump|compression)", "(?:pneumatic|sequential) compression",
        "compression (?:unit|device|pump)", "cpm", "continuous passive motion", "traction (?:unit|device|system|kit)",
        r"home (?:\w+ )?traction", "over the door", "saunders",
        r"exercise (?:\w+ )?(?:equipment|bike|bicycle|cycle|ball|kit|bands?|mat|machine)",
        "(?:stationary|recumbent) (?:exercise )?(?:bike|bicycle|cycle)", "treadmill(?! (?:stress |exercise )?test)",
        "pedal exerciser", "foam roller",
        "resistance bands?", r"thera ?band\w*",
        "theraputty", "dumbbells?", "reacher", "grabber", "lift chair", "hoyer", "patient lift", "stair lift", "lifts?",
        "ramp",
        "(?:c|bi) ?pap(?! titration)", r"nebuli[sz]er", "oxygen",
        "(?:durable medical equipment|dme)(?! ?(?:purchase|rental)? ?:)",
        r"(?:infrared|heat|ultrasound|laser|light) (?:\w+ ){0,2}?(?:lamp|unit|device|machine)",
        r"traction\b(?=.*\b(?:home|over the door)\b)", "(?:bed|foam|positioning|leg|knee|body|seat) wedges?",
        "trapeze", r"paraffin (?:wax )?(?:bath|unit|machine|device)(?!" + _COURSE_WORDS + ")",
        "hot tubs?", "jacuzzi", r"(?:whirlpool|home) (?:spa|tub|bath unit)", "spas?",
        "massage (?:chair|device|unit|tool|ball|roller)", "massager", "inversion table",
        "(?:blood pressure|bp) (?:monitor|cuff)", r"pulse ox\w*", "glucometer", "glucose meter", "humidifier",
        "sock aid", "dressing (?:aid|stick)", r"long handled \w+", "shoe horn", "leg lifter", "adaptive equipment",
    )),
    # --- diagnostics --------------------------------------------------------------------------------------
    Rule("emg", DX, "EMG/NCV/NCS", (
        "emg", "semg", "ncv", "ncs", r"nerve conduction\w*", r"electromyogra\w*", r"electrodiagnostic\w*",
        r"electroneuro\w*", "(?:somato)?sensory evoked potentials?", "evoked (?:potentials?|responses?)", "baep",
        "baer", "vep", "d?sseps?",
        r"neurodiagnostic\w*", "current perception threshold", "pnct", "v ?snct",
        "nerve (?:fiber )?(?:testing|studies|study)", "h reflex", "f wave", "edx",
    ), after=NOT_GUIDED),
    Rule("dx other", DX, "Other", (
        "functional capacity", "q?fce", "capacity evaluation", "impedance imaging", "tpii",
        "sleep (?:study|studies|test)", r"polysomno\w*", r"(?:overnight|attended|in ?lab) sleep \w+",
        "(?:c|bi) ?pap titration", "ekg", "ecg",
        r"electrocardiogra\w*", r"echocardiogra\w*",
        "stress test", r"(?:exercise|treadmill|cardiac|nuclear|chemical|pharmacologic\w*) stress (?:test\w*|echo\w*)",
        "pulmonary function", "spirometry", r"range of motion (?:test\w*|measure\w*)",
        "computeri[sz]ed (?:rom|range|muscle|strength)", "muscle testing", "quantitative sensory", "vng",
        r"videonystagmo\w*", r"audiogra\w*", r"audiometr\w*", r"audiolog\w*", "hearing test", "holter",
        r"autonomic test\w*", "sudoscan", r"sudomotor\w*", r"vestibular test\w*", "eeg", r"electroencephalogra\w*",
        r"thermogra\w*", "tilt table", "qsart", r"(?:diagnostic|medical) test(?:s|ing)?", "neurometer",
        "posturography", "nerve fiber density", "thermal imaging",
        r"cardio ?(?:respiratory|pulmonary) (?:\w+ )?test\w*",
    )),
    Rule("imaging", DX, "Imaging/Radiology", (
        "mri", "mra", "magnetic resonance", r"mr arthrogra\w*", "ct", "cat scan", r"computed tomograph\w*",
        "x ?rays?", r"radiograph\w*", r"bone (?:scan|stud(?:y|ies)|imaging)", "nuclear (?:medicine|imaging|scan)",
        "(?:three|3) phase", "dexa", "dxa", "bone (?:mineral )?density", r"arthrogra\w*", r"myelogra\w*",
        r"discogra\w*", "pet scan", "spect", "diagnostic ultrasound",
        r"ultrasound (?:of|for|study|scan|exam\w*|imaging|evaluation)",
        _BODY + " ultrasound(?!.*" + FREQ + ")", r"sonogra\w*", r"ultrasonograph\w*", "doppler", "duplex", "imaging",
        "scans?",
        r"(?!program|chromatog)\w+ogra(?:m|ms|phy|phies)", r"radiologic\w*", r"scintigra\w*", r"fluoroscop\w*",
        "films?",
        "views?",
    ), after=NOT_GUIDED),
    Rule("labs", DX, "Lab & Pathology", (
        "labs?", r"laborator\w*", r"urine (?:drug|tox\w*)\w*", r"drug (?:screen|test)\w*", "uds", "udt",
        "toxicology", "cbc", "cmp", "bmp", "chem(?:istry)? (?:panel|profile)", r"chem\W?\d+", "smac",
        "(?:lipid|metabolic|hepatic|liver|renal|thyroid|coagulation|iron|arthritis|rheumatoid) profile", "lipids",
        "metabolic panel", "lipid panel",
        r"\w+ panel", "blood (?:work|tests?|draw|count|glucose|sugar|levels?)", "bloodwork", "urinalysis", "ua",
        "pt/ptt", "ptt", "inr", "hba1c", "a1c", "tsh", "liver function", "lfts?", "renal function", "creatinine",
        "esr", "crp", "sed rate", "rheumatoid factor", r"genetic\w*", r"genotyp\w*", r"dna test\w*",
        r"pharmacogene\w*", "cytokine", "biopsy", "pathology", "culture",
        r"(?:vitamin \w+|b ?12|folate|ferritin|iron|magnesium|potassium|zinc|testosterone|cortisol|drug) levels?",
        "(?:uric acid|lithium|ammonia|lactate|cpk|ck|psa|amylase|lipase) (?:levels?|tests?)?",
        "complete blood count", "(?:liver|hepatic|kidney|renal|thyroid) (?:function|enzymes?|tests?)",
        "liver enzymes?", "electrolytes?", "glucose", "coagulation", r"cyp ?\d\w*", "saliva", "oral fluid",
        r"urine (?:test|screen|analysis|sample|culture)\w*", "serum", "hemoglobin", "hematocrit", "ferritin",
        r"serolog\w*", r"cytolog\w*", r"histolog\w*", r"chromatograph\w*", r"mass spectromet\w*", "[gl]c ?ms",
    )),
    # --- rehabilitation -----------------------------------------------------------------------------------
    Rule("acupuncture", REHAB, "Acupuncture", (
        r"(?:(?:elect\w*|infrared|laser|manual|auricular) )?(?:electro ?)?acupunct\w*", "acupressure",
        "moxibustion", "oriental medicine", "traditional chinese medicine", "tcm",
        r"acu(?= ?(?:\d|x(?:\b| ?\d)|sessions?|visits?|treatments?|tx\b))",
    ), after=""),
    Rule("chiropractic", REHAB, "Chiropractic", (
        r"chiro\w*", r"(?:spinal |osteopathic )?manipulat\w*+(?! under\b)", "cmt", "omt", r"spinal adjust\w*",
    ), after=""),
    Rule("decompression therapy", REHAB, "Other Therapies", (
        "(?:spinal )?decompression (?:therapy|table|machine)", "(?:spinal )?decompression" + _COURSE,
        "non ?surgical decompression", "vax ?d", r"drx\d*",
    ), after=""),
    Rule("pt/ot", REHAB, "PT/OT", (
        r"physical therap\w*", r"physiotherap\w*", "physio",
        # "therapy" with no kind named ("Post-operative therapy 3x4", "Additional therapy x 6") is PT
        r"(?:^|\b(?:additional|continued|further|outpatient|post ?op\w*) )therap(?:y|ies)"
        r"(?!.*\b(?:psych|counsel|cbt|behavio|depress|anxiety|speech|vision|massage))",
        "physical medicine(?! (?:and|&) rehab)", r"occupational therap\w*",
        "pt/ot", "(?<![/-])pt(?! ?/ ?(?:ptt|inr))", r"ot(?= ?(?:\d|x(?:\b| ?\d)|sessions?|visits?|eval|for|times))",
        "therapeutic exercises?", r"manual therap\w*", r"aqua(?:tic)? (?:therap\w*|tx|pt|exercises?|rehab\w*)",
        r"ther ?ex\b", r"pool therap\w*",
        r"hydrotherap\w*", r"hand therap\w*", "work conditioning", r"vestibular (?:rehab\w*|therap\w*)",
        r"physical (?:exam\w*|rehab\w*)" + FREQUENCY, r"land based (?:therap\w*|pt|exercise\w*)",
        r"water therap\w*", r"therapeutic activit\w*", "neuromuscular re ?education", "gait training",
        "balance training", r"kinesiotherap\w*", r"pelvic floor (?:therap\w*|rehab\w*|pt|physical)",
        "mckenzie", "home exercise program", r"hep(?! ?[abc]\b)", "exercises?", "strengthening",
    )),
    Rule("other therapies", REHAB, "Other Therapies", (
        "eswt", "shock ?wave", "extracorporeal", r"infrared (?:therap\w*|treatments?|light|sessions?|\d)",
        r"neurostimulat(?!ors?\b)\w*", "lint", r"e ?stim\w*" + _NO_DEVICE,
        "electrical (?:muscle )?stimulation" + _NO_DEVICE,
        r"electrotherap\w*" + _NO_DEVICE, "galvanic" + _NO_DEVICE, "microcurrent" + _NO_DEVICE, "scrambler", "calmare",
        "interferential" + _NO_DEVICE, "intramuscular (?:electrical )?stimulation",
        "percutaneous (?:electrical )?(?:nerve )?stimulation" + _NO_DEVICE, "pens (?:therapy|treatments?|sessions?)",
        "ultrasound" + _NO_DEVICE, r"massage\w*",
        "myofascial release", "biofeedback", "traction" + _NO_DEVICE, "iontophoresis", "phonophoresis",
        "paraffin" + _NO_DEVICE,
        "whirlpool(?! (?:spa|tub))", r"laser (?:therap\w*|treatments?|sessions?)", "graston",
        r"instrument assisted soft tissue \w+", "iastm", "astym", r"active release(?: technique\w*)?",
        r"cryotherap\w*" + FREQUENCY, "lllt", "cold laser", "modalities", "dry needling", r"speech therap\w*",
        "hyperbaric", r"vibration therap\w*", r"(?:moist )?heat(?: therapy| treatments?)?" + FREQUENCY,
        r"cranio ?sacral\w*", r"vision therap\w*", "hivamat", "deep oscillation",
        r"(?:class (?:iv|4)|high (?:intensity|power)|low level|hot|k) laser\w*", _PACKS + "(?=" + _SESSIONS + ")",
    ), after=NOT_GUIDED),
    # --- other categories ---------------------------------------------------------------------------------
    Rule("home health", HOME_HEALTH, None, (
        "home health", "home (?:care|aide|nursing|assistance|help|attendant)",
        "in home (?:care|services?|assistance|support|health|aide)", "homemaker", "housekeeping", "caregiver",
        "attendant care", "nursing (?:care|visits?|services?)", "home (?:nurse|nursing) visits?",
        r"(?:rn|lvn|registered nurse|skilled nurs\w*|visiting nurse|nurse(?! practitioner)|nursing)"
        r"(?:\W+\w+){0,2}?\W+(?:visits?|evaluation|assessment)",
        "wound care visits?", "home infusion", r"personal care (?:attendant|assist\w*|aide|services?)", "chore",
        "attendants?", "respite care", "companion care", "cna",
    ), after=""),
    Rule("transportation", TRANSPORTATION, None, (
        r"transport\w*(?! (?:wheel ?)?chairs?)", "taxi", "cab", r"bus(?: pass\w*| fares?| tickets?)?",
        r"transit pass\w*", "uber", "lyft", "ambulance", "mileage", "paratransit", "van service",
        "nemt", "car service", "shuttle", "drivers?", "rides? to", "vans?", "gurney", "stretcher (?:van|transport)",
    )),
    Rule("dental", EM, "Dental Services", (
        "dental", r"dentist\w*", "teeth", "tooth", r"oral surg\w*", r"periodont\w*", r"endodont\w*",
        r"orthodont\w*", r"prosthodont\w*", "crowns?", "dentures?", "root canal", "night guard", "mouth guard",
        "occlusal", "oral appliance", "(?:tmj|bite) (?:splint|appliance|orthotic|guard)", "fillings?",
        "root planing", "scaling and root",
    )),
    Rule("arthroscopic", SURG, "Arthroscopic", (r"arthroscop\w*", "(?:knee|shoulder|hip|wrist|ankle|elbow) scope")),
    Rule("spine surgery", SURG, "Spine", (
        r"(?:hemi)?laminectom\w*", r"laminotom\w*", r"laminoplast\w*", r"dis[ck]ectom\w*", r"microdis[ck]ectom\w*",
        r"foraminotom\w*", r"corpectom\w*", r"facetectom\w*", r"kyphoplast\w*", r"vertebroplast\w*",
        "vertebral augmentation", "acdf",
        "[tpxao]lif", "interbody", r"pedicle screw\w*", "disc (?:replacement|arthroplasty)", "artificial disc",
    )),
    Rule("surgery", SURG, "Non-arthroscopic", (
        r"\w+ectom(?:y|ies)", r"\w+plast(?:y|ies)", r"(?!phleb)\w+otom(?:y|ies)", r"\w+desis", r"\w+rrhaph\w*",
        r"\w+pex(?:y|ies)", "repairs?",
        "(?<!extended )(?<!immediate )(?<!sustained )(?<!controlled )(?<!delayed )release",
        "reconstruction", "(?:knee|hip|shoulder|joint|total) replacement", "fixation", "orif", "e?ctr",
        r"removal of (?:\w+ ){0,2}?" + _REMOVED, _REMOVED + " (?:removal|excision)",
        "excision", "amputation",
        "transposition", "surgery", "surgical (?:procedure|intervention|treatment|repair|decompression)",
        "debridement", "decompression", "fusion", "manipulation under (?:general )?anesthesia", "mua",
        "neurolysis", "tenolysis", "tenodesis", "grafting", "exploration", "tka", "tha", "tsa", "uka", "rsa",
        "(?:tendon|nerve|muscle) transfers?", "(?:closed|open) reduction", "tenex", "bankart", "resection",
        "operation", "revisions?",
    )),
    # --- generic visits (tier 1) --------------------------------------------------------------------------
    Rule("e&m", EM, "Medical Specialties", (
        r"consult\w*", "referrals?", "refer", "follow ?ups?", "office visits?", "visits?", r"evaluat\w*",
        "exam(?:ination)?s?", "transfer of care", "toc", "second opinion", "appointments?", "specialist",
        "pain management", "pain medicine", r"neurolog\w*", r"rheumatolog\w*", "internal medicine", "internist",
        r"cardiolog\w*", r"orthop(?:a)?ed\w*", r"podiatr\w*", r"urolog\w*", r"gastroenterolog\w*", r"dermatolog\w*",
        r"endocrinolog\w*", r"pulmonolog\w*", r"hematolog\w*", r"ophthalmolog\w*", r"optometr\w*",
        r"otolaryngolog\w*", "ent", "sleep medicine", r"physiatr\w*", "pm&r", "primary care", "pcp",
        "medication management", r"re ?evaluation", "infectious disease", r"(?:nutrition\w*|dietary|diet) counsel\w*",
        r"dieti[tc]ian\w*", r"nutritionist\w*", r"\w+olog(?:y|ist|ic|ical)",
        r"\w+iatr(?:y|ist|ic|ics)", "nurse practitioner",
    ), tier=1),
    # --- head-noun backoffs: words no specific rule knows, named by what they are (tier 2) -----------------
    Rule("compound", RX, TOPICAL_COMPOUNDS, (r"compound\w*", r"topical compound\w*"), tier=2,
         drug_class=TOPICAL_COMPOUNDS),
    Rule("dosage", RX, None, (
        r"\d+(?:\.\d+)? ?(?:mg|mcg|ml|meq|iu|gm?|grams?)\b", r"\d+(?:\.\d+)? ?%", "tablets?", "tabs?",
        "capsules?", "caps", "oral (?:suspension|solution)", "suspension", "syrup", "refills?", "by mouth",
        r"po (?:bid|tid|qid|qd|q\d+h|daily|prn)", "creams?", "ointments?", "lotions?", "gels?", "topicals?",
        "medications?", "prescriptions?", "inhalers?", "nasal spray", "suppositor(?:y|ies)", "lozenges?",
        "troches?", "elixir", "vials?",
    ), tier=2, after=""),
    Rule("therapy (backoff)", REHAB, "Other Therapies", (
        r"\w*therap(?:y|ies)", "sessions?", r"(?:treatments?|tx)" + FREQUENCY, r"\d+ ?(?:x|times) ?\d+",
        r"x ?\d+ (?:visits?|weeks?)",
        r"(?:once|twice|\w+ times) (?:a|per) week",
    ), tier=2),
    Rule("rehabilitation (backoff)", REHAB, "PT/OT", (r"rehab\w*",), tier=2),
    Rule("equipment (backoff)", DME, "DME", (
        "rentals?", "purchase", "units?", "devices?", "machines?", "equipment", "kits?", "monitors?", "dme",
    ), tier=2),
    Rule("testing (backoff)", DX, "Other", (
        "tests?", "testing", "stud(?:y|ies)", "screening", "analysis", "measurements?",
    ), tier=2),
    Rule("procedure (backoff)", SURG, "Non-arthroscopic", ("procedures?", "operative", "surgical"), tier=2),
    Rule("surgeon (backoff)", SURG, "Surgical Consult", ("surgeons?",), tier=2),
    Rule("program (backoff)", PROGRAMS, None, ("programs?", "memberships?", "classes"), tier=2),
)
# fmt: on

#: Words a request misspells by one letter (dropped, added, changed or two swapped: "physcial therapy",
#: "acupunture", "chiropratic") are read as these words. Only the long head words of services are listed, so a
#: one-letter slip cannot turn one service word into another.
SPELLED: Final[tuple[str, ...]] = (
    "physical", "therapy", "acupuncture", "chiropractic", "injection", "injections", "epidural", "consultation",
    "evaluation", "psychological", "psychotherapy", "psychiatric", "orthopedic", "arthroscopic", "arthroscopy",
    "electromyography", "laminectomy", "discectomy", "meniscectomy", "physiotherapy", "occupational",
    "interferential", "transportation", "functional", "restoration", "wheelchair", "radiofrequency", "manipulation",
    "ultrasound", "orthotics", "stimulator", "acupressure", "compounded",
)
#: Real words one letter from a :data:`SPELLED` word, never read as it ("wound infection" is no injection).
NOT_MISSPELLED: Final[frozenset[str]] = frozenset({
    "infection", "infections", "simulator", "simulators", "devaluation", "confounded", "orthotist", "orthotists",
})

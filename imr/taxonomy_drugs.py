"""Drug dictionary for the DWC taxonomy: generic and brand names -> DWC drug class.

Class names are spelled as in the DWC search tool's drop-down (see docs/imr-letters.md section 3, with the
source's typos "Calcium Cannel" and "Opoid" corrected).  Names are lower case; a space or hyphen in a name
matches any run of spaces or hyphens in the request.  The lists are deliberately limited to drugs that
commonly appear in California workers' compensation disputes.
"""

from __future__ import annotations

# Marker for ingredients with no DWC class of their own (compounding bases, local anaesthetics).
COMPOUND_ONLY = "compound-only"
# Marker for drugs with no class in the DWC drop-down (wakefulness agents, stimulants): Pharmaceuticals
# with no drug class.
UNCLASSED = "unclassed"

# fmt: off
_CLASSES: dict[str, tuple[str, ...]] = {
    "Opioids": (
        "hydrocodone", "norco", "vicodin", "lortab", "lorcet", "xodol", "hysingla", "zohydro", "vicoprofen",
        "reprexain", "oxycodone", "oxycontin", "percocet", "roxicodone", "roxicet", "endocet", "percodan",
        "endodan", "xartemis", "oxaydo", "xtampza", "primlev", "nalocet", "prolate", "oxymorphone", "opana",
        "hydromorphone", "dilaudid", "exalgo", "morphine", "ms contin", "kadian", "avinza", "embeda", "msir",
        "tramadol", "ultram", "ultracet", "ryzolt", "conzip", "rybix", "synapryn", "tapentadol", "nucynta",
        "methadone", "dolophine", "fentanyl", "duragesic", "actiq", "fentora", "subsys", "buprenorphine",
        "butrans", "belbuca", "suboxone", "subutex", "zubsolv", "bunavail", "codeine", "tylenol #3",
        "tylenol #4", "tylenol no 3", "tylenol no. 3", "tylenol with codeine", "meperidine", "demerol",
        "levorphanol", "pentazocine", "talwin", "butorphanol", "stadol", "dihydrocodeine", "trezix", "panlor",
        "propoxyphene", "darvocet", "apadaz", "benzhydrocodone",
        "arymo", "morphabond", "troxyca", "targiniq", "vantrela", "hycet", "zamicet", "zydone", "ibudone", "xylon",
        "verdrocet", "oxecta", "roxybond", "magnacet", "tylox", "abstral", "lazanda", "onsolis", "nalbuphine",
        "nubain", "methadose", "probuphine", "sublocade", "sufentanil",
    ),
    "NSAID": (
        "naproxen", "naprosyn", "anaprox", "anaprox ds", "aleve", "naprelan", "ibuprofen", "motrin", "advil",
        "celecoxib", "celebrex", "diclofenac", "voltaren", "cataflam", "zipsor", "zorvolex", "arthrotec",
        "cambia", "meloxicam", "mobic", "vivlodex", "qmiiz", "etodolac", "lodine", "nabumetone", "relafen",
        "ketorolac", "toradol", "sprix", "indomethacin", "indocin", "tivorbex", "piroxicam", "feldene",
        "oxaprozin", "daypro", "sulindac", "clinoril", "diflunisal", "dolobid", "fenoprofen", "nalfon",
        "fenortho", "flurbiprofen", "ansaid", "ketoprofen", "mefenamic acid", "ponstel", "salsalate",
        "aspirin", "duexis", "vimovo", "tolmetin", "lofena", "nsaid", "nsaids", "tolectin", "orudis", "oruvail",
        "trilisate", "choline magnesium trisalicylate", "ecotrin", "meclofenamate",
        "flurbi",  # the short names compounding pharmacies and requests give ingredients ("Flurbi/Cyclo/Lido")
    ),
    "Muscle Relaxant": (
        "cyclobenzaprine", "flexeril", "fexmid", "amrix", "tabradol", "cyclophene", "orphenadrine", "norflex",
        "norgesic", "orphengesic", "tizanidine", "zanaflex", "methocarbamol", "robaxin", "baclofen",
        "lioresal", "carisoprodol", "soma", "metaxalone", "skelaxin", "chlorzoxazone", "parafon forte",
        "lorzone", "dantrolene", "dantrium", "muscle relaxant", "muscle relaxants", "metaxall", "vanadom",
        "cyclo", "baclo",
    ),
    "Proton Pump Inhibitors": (
        "omeprazole", "prilosec", "pantoprazole", "protonix", "esomeprazole", "nexium", "lansoprazole",
        "prevacid", "rabeprazole", "aciphex", "dexlansoprazole", "dexilant", "zegerid",
    ),
    "H2 Blocker": (
        "famotidine", "pepcid", "ranitidine", "zantac", "cimetidine", "tagamet", "nizatidine", "axid",
        "deprizine",
    ),
    "Antiemetic": (
        "ondansetron", "zofran", "promethazine", "phenergan", "metoclopramide", "reglan", "prochlorperazine",
        "compazine", "meclizine", "antivert", "scopolamine", "transderm scop", "trimethobenzamide", "tigan",
        "granisetron", "dimenhydrinate", "dramamine", "bonine", "zuplenz", "sancuso", "aprepitant", "emend",
        "palonosetron", "aloxi",
    ),
    "Anti-epilepsy drugs": (
        "gabapentin", "neurontin", "gralise", "horizant", "fanatrex", "gaba", "pregabalin", "lyrica", "topiramate",
        "topamax", "carbamazepine", "tegretol", "oxcarbazepine", "trileptal", "lamotrigine", "lamictal",
        "levetiracetam", "keppra", "divalproex", "depakote", "valproic acid", "phenytoin", "dilantin",
        "zonisamide", "zonegran", "lacosamide", "vimpat", "primidone", "mysoline", "tiagabine", "gabitril",
        "felbamate", "felbatol", "oxtellar", "qudexy", "trokendi", "aptiom", "perampanel", "fycompa", "rufinamide",
        "banzel", "zarontin", "depakene",
    ),
    "Antidepressant": (
        "duloxetine", "cymbalta", "amitriptyline", "amitrip", "amitript", "elavil", "nortriptyline", "pamelor",
        "trazodone",
        "desyrel", "oleptro", "sertraline", "zoloft", "fluoxetine", "prozac", "paroxetine", "paxil",
        "citalopram", "celexa", "escitalopram", "lexapro", "venlafaxine", "effexor", "desvenlafaxine",
        "pristiq", "bupropion", "wellbutrin", "mirtazapine", "remeron", "doxepin", "imipramine", "tofranil",
        "desipramine", "milnacipran", "savella", "vilazodone", "viibryd", "vortioxetine", "trintellix",
        "brintellix", "antidepressant", "antidepressants", "fetzima", "levomilnacipran", "irenka", "aplenzin",
        "forfivo", "budeprion", "zyban", "sinequan", "anafranil", "nardil", "phenelzine", "parnate", "emsam",
        "pexeva", "brisdelle", "sarafem", "khedezla", "amoxapine", "maprotiline", "nefazodone",
    ),
    "Sedative-hypnotics": (
        "zolpidem", "ambien", "ambien cr", "intermezzo", "edluar", "eszopiclone", "lunesta", "zaleplon",
        "sonata", "ramelteon", "rozerem", "suvorexant", "belsomra", "silenor", "chloral hydrate", "zolpimist",
        "hetlioz", "tasimelteon",
    ),
    "Benzodiazepines": (
        "alprazolam", "xanax", "lorazepam", "ativan", "clonazepam", "klonopin", "diazepam", "valium",
        "temazepam", "restoril", "chlordiazepoxide", "librium", "oxazepam", "triazolam", "halcion",
        "clorazepate", "tranxene", "estazolam", "prosom", "flurazepam", "dalmane", "quazepam", "doral", "midazolam",
        "versed", "clobazam", "onfi",
    ),
    "AntiAnxiety": ("buspirone", "buspar", "meprobamate"),
    "Antihistamine": (
        "diphenhydramine", "benadryl", "dicopanol", "hydroxyzine", "vistaril", "atarax", "cetirizine",
        "zyrtec", "loratadine", "claritin", "fexofenadine", "allegra", "doxylamine", "chlorpheniramine",
        "cyproheptadine", "periactin", "levocetirizine", "xyzal", "desloratadine", "clarinex", "carbinoxamine",
        "clemastine", "unisom",
    ),
    "Topical Analgesics": (
        "lidoderm", "terocin", "lidopro", "flector", "pennsaid", "voltaren gel", "biofreeze", "capsaicin",
        "zostrix", "qutenza", "menthol", "methyl salicylate", "bengay", "ben gay", "icy hot", "salonpas",
        "menthoderm", "mentoderm", "methoderm", "mentherm", "dendracin", "medrox", "kera tek", "ultracin", "aspercreme",
        "trolamine salicylate", "lidocaine", "lido", "xylocaine", "emla", "prilocaine", "solaraze", "xoten", "xoten c",
        "biotherm", "lidothol", "thermazene", "capzasin", "lenzapatch", "tiger balm", "myoflex", "theragesic",
        "thera gesic", "sportscreme", "benzocaine", "pramoxine", "tetracaine",
    ),
    "Adrenal Cortical Steroids": (
        "prednisone", "prednisolone", "methylprednisolone", "medrol", "depo medrol", "solu medrol",
        "dexamethasone", "decadron", "triamcinolone", "kenalog", "betamethasone", "celestone",
        "hydrocortisone", "cortisone", "sterapred", "dexpak", "methylpred",
    ),
    "Alpha-blocker": (
        "tamsulosin", "flomax", "prazosin", "minipress", "terazosin", "doxazosin", "alfuzosin", "silodosin",
        "rapaflo", "uroxatral", "cardura", "hytrin",
    ),
    "Androgens/Anabolic Steroids": (
        "testosterone", "androgel", "androderm", "testim", "axiron", "fortesta", "depo testosterone",
        "oxandrolone", "nandrolone", "aveed", "testopel", "natesto", "vogelxo",
    ),
    "Anti-coagulant": (
        "warfarin", "coumadin", "enoxaparin", "lovenox", "rivaroxaban", "xarelto", "apixaban", "eliquis",
        "dabigatran", "pradaxa", "heparin", "clopidogrel", "plavix", "dalteparin", "fragmin", "edoxaban", "savaysa",
        "ticagrelor", "brilinta", "prasugrel", "effient",
    ),
    "Antidiabetics": (
        "metformin", "glucophage", "insulin", "lantus", "humalog", "novolog", "glipizide", "glyburide",
        "glimepiride", "sitagliptin", "januvia", "janumet", "pioglitazone", "actos", "liraglutide",
        "victoza", "empagliflozin", "jardiance", "canagliflozin", "invokana", "tradjenta", "onglyza", "farxiga",
        "dapagliflozin", "trulicity", "byetta", "bydureon", "amaryl", "glucotrol", "avandia", "levemir", "toujeo",
        "tresiba", "basaglar", "humulin", "novolin",
    ),
    "Antihypertensive": (
        "lisinopril", "losartan", "hydrochlorothiazide", "hctz", "clonidine", "catapres", "hydralazine",
        "valsartan", "benazepril", "enalapril", "furosemide", "lasix", "spironolactone", "irbesartan",
        "olmesartan", "chlorthalidone", "triamterene", "zestril", "prinivil", "cozaar", "hyzaar", "diovan", "benicar",
        "lotensin", "vasotec", "ramipril", "altace", "micardis", "avapro", "atacand", "aldactone", "guanfacine",
        "minoxidil",
    ),
    "Calcium Channel Blocker": (
        "amlodipine", "norvasc", "nifedipine", "diltiazem", "cardizem", "verapamil", "procardia", "adalat", "calan",
        "isoptin", "felodipine", "plendil", "sular",
    ),
    "Beta-blocker": (
        "metoprolol", "lopressor", "toprol", "propranolol", "inderal", "atenolol", "tenormin", "carvedilol",
        "coreg", "nadolol", "bisoprolol", "labetalol", "nebivolol", "bystolic",
    ),
    "Anti-infectives": (
        "amoxicillin", "augmentin", "cephalexin", "keflex", "ciprofloxacin", "cipro", "levofloxacin",
        "levaquin", "azithromycin", "zithromax", "doxycycline", "clindamycin", "bactrim", "sulfamethoxazole",
        "nitrofurantoin", "macrobid", "metronidazole", "flagyl", "acyclovir", "valacyclovir", "valtrex",
        "fluconazole", "diflucan", "mupirocin", "bactroban", "vancomycin", "cefazolin", "ancef", "rifampin",
        "penicillin", "antibiotic", "antibiotics", "nystatin", "terbinafine", "lamisil", "silvadene",
        "silver sulfadiazine", "neosporin", "z pack", "zpak", "oseltamivir", "tamiflu", "erythromycin", "minocycline",
    ),
    "Antimigraine": (
        "sumatriptan", "imitrex", "rizatriptan", "maxalt", "zolmitriptan", "zomig", "eletriptan", "relpax",
        "naratriptan", "amerge", "frovatriptan", "ergotamine", "cafergot", "treximet", "frova", "axert", "almotriptan",
        "migranal", "dihydroergotamine",
    ),
    "Asthma": (
        "albuterol", "proair", "ventolin", "proventil", "advair", "symbicort", "montelukast", "singulair",
        "spiriva", "tiotropium", "flovent", "qvar", "dulera", "breo", "xopenex", "pulmicort", "asmanex", "alvesco",
        "serevent", "salmeterol", "foradil", "incruse", "anoro", "stiolto", "combivent", "atrovent",
    ),
    "Atypical Antipsychotic": (
        "quetiapine", "seroquel", "aripiprazole", "abilify", "olanzapine", "zyprexa", "risperidone",
        "risperdal", "ziprasidone", "geodon", "lurasidone", "latuda", "brexpiprazole", "rexulti", "cariprazine",
        "vraylar", "asenapine", "saphris", "iloperidone", "fanapt", "paliperidone", "invega", "clozapine", "clozaril",
    ),
    "Barbiturates": ("butalbital", "fioricet", "fiorinal", "esgic", "phenobarbital"),
    "Bisphosphonates": (
        "alendronate", "fosamax", "risedronate", "actonel", "ibandronate", "boniva", "zoledronic acid",
        "reclast",
    ),
    "Cannabinoids": (
        "dronabinol", "marinol", "nabilone", "cesamet", "medical marijuana", "marijuana", "cannabis", "syndros",
        "cannabidiol", "cbd",
    ),
    "Dopamine agonists": (
        "ropinirole", "requip", "pramipexole", "mirapex", "carbidopa", "levodopa", "sinemet", "rotigotine", "neupro",
        "apomorphine", "bromocriptine", "cabergoline",
    ),
    "Fibric Acid": ("fenofibrate", "tricor", "gemfibrozil", "lopid"),
    "GI Agents": (
        "docusate", "colace", "senna", "senokot", "sennosides", "peri colace", "laxacin", "lactulose",
        "miralax", "polyethylene glycol", "lubiprostone", "amitiza", "linaclotide", "linzess", "naloxegol",
        "movantik", "methylnaltrexone", "relistor", "naldemedine", "symproic", "dicyclomine", "bentyl",
        "sucralfate", "carafate", "bisacodyl", "dulcolax", "misoprostol", "cytotec", "loperamide", "imodium",
        "hyoscyamine", "simethicone", "stool softener", "laxative", "laxatives", "plecanatide", "trulance",
        "psyllium", "metamucil", "fibercon", "milk of magnesia", "lomotil", "antacid", "antacids", "maalox",
        "mylanta", "tums",
    ),
    "Hormones": (
        "levothyroxine", "synthroid", "liothyronine", "armour thyroid", "estradiol", "estrogen", "premarin",
        "progesterone", "medroxyprogesterone", "calcitonin", "miacalcin", "dhea", "teriparatide", "forteo",
    ),
    "Impotence Agents": (
        "sildenafil", "viagra", "tadalafil", "cialis", "vardenafil", "levitra", "avanafil", "stendra",
        "alprostadil", "caverject", "edex",
    ),
    "Misc Analgesics": ("acetaminophen", "tylenol", "apap", "paracetamol", "ziconotide", "prialt", "ofirmev"),
    "Nutritional Products": (
        "theramine", "sentra am", "sentra pm", "sentradine", "gabadone", "trepadone", "percura", "appetrex",
        "hypertensa", "somnicin", "genicin", "synovacin", "cidaflex", "limbrel", "deplin", "glucosamine", "chondroitin",
        "vitamin", "vitamins", "multivitamin", "vitamin d", "vitamin b12", "b 12", "cyanocobalamin", "folic acid",
        "fish oil", "omega 3", "calcium", "magnesium", "probiotic", "probiotics", "melatonin", "turmeric",
        "medical food", "dietary supplement", "ergocalciferol", "cholecalciferol", "ferrous sulfate", "iron",
        "zinc", "coq10", "coenzyme q10", "l methylfolate", "metanx", "fosteum",
    ),
    "Opioid Antagonist": ("naloxone", "narcan", "evzio", "naltrexone", "vivitrol", "revia"),
    "Statin": (
        "atorvastatin", "lipitor", "simvastatin", "zocor", "rosuvastatin", "crestor", "pravastatin",
        "lovastatin", "livalo", "pravachol", "mevacor", "vytorin",
    ),
    "TNF-modified": (
        "etanercept", "enbrel", "adalimumab", "humira", "infliximab", "remicade", "certolizumab", "cimzia",
        "golimumab", "simponi",
    ),
    "Viscosupplementation": (
        "synvisc", "synvisc one", "euflexxa", "orthovisc", "supartz", "hyalgan", "gel one", "monovisc",
        "durolane", "genvisc", "hymovis", "trivisc", "gelsyn", "hyaluronic acid", "hyaluronan",
        "viscosupplementation", "viscosupplement", "gel syn", "visco 3",
    ),
    "Topical Compounds": (
        # compounded topical kits sold under a brand name (ingredients in parentheses)
        "ketophene",  # ketoprofen
        "theraflex", "fluriflex", "flurbitac", "flurlido", "flurlido a",  # flurbiprofen + cyclobenzaprine/lidocaine
        "tghot", "tg hot", "tgice", "tg ice",  # tramadol, gabapentin, menthol, camphor, capsaicin
        "gabacyclotram", "gabaketolido", "ultraflex", "ultraflex g", "cycloketo", "ketolido", "flurbiflex",
        "compound kit", "compounded kit",
    ),
    UNCLASSED: (
        "modafinil", "provigil", "armodafinil", "nuvigil", "methylphenidate", "ritalin", "adderall",
        "amphetamine", "dextroamphetamine", "atomoxetine", "strattera",
    ),
    COMPOUND_ONLY: (
        "ketamine", "keto", "dextromethorphan", "camphor", "bupivacaine", "marcaine", "ropivacaine", "naropin",
        "mepivacaine", "carbocaine", "lipoderm", "versapro", "versabase", "pentravan", "pcca",
    ),
}

#: name (lower case) -> DWC drug class (or COMPOUND_ONLY).
DRUGS: dict[str, str] = {name: cls for cls, names in _CLASSES.items() for name in names}

#: Brand-name commercial topical products: always "Topical Analgesics", whatever their ingredient list.
TOPICAL_PRODUCTS: frozenset[str] = frozenset(
    {
        "lidoderm", "terocin", "lidopro", "flector", "pennsaid", "voltaren gel", "biofreeze", "zostrix",
        "qutenza", "bengay", "ben gay", "icy hot", "salonpas", "menthoderm", "mentoderm", "methoderm", "mentherm",
        "dendracin", "medrox", "kera tek", "ultracin", "aspercreme", "emla", "solaraze", "xoten", "xoten c",
        "biotherm", "lidothol", "thermazene", "capzasin", "lenzapatch", "tiger balm", "myoflex", "theragesic",
        "thera gesic", "sportscreme",
    }
)

#: Compounded topical kits known by a brand name: always "Topical Compounds".
COMPOUNDED_PRODUCTS: frozenset[str] = frozenset(
    name for name, cls in DRUGS.items() if cls == "Topical Compounds"
)

#: Generic ingredients sold as commercial (non-compounded) topicals on their own or together.
TOPICAL_COMMERCIAL: frozenset[str] = frozenset(
    {
        "lidocaine", "lido", "xylocaine", "prilocaine", "diclofenac", "voltaren", "capsaicin", "menthol",
        "methyl salicylate", "trolamine salicylate", "camphor", "benzocaine", "pramoxine", "tetracaine",
    }
)

#: Classes that keep their own class in patch / transdermal form (e.g. Butrans, Androderm).
TRANSDERMAL_KEEP: frozenset[str] = frozenset(
    {"Opioids", "Hormones", "Androgens/Anabolic Steroids", "Antiemetic", "Antihypertensive", "Dopamine agonists"}
)

#: Drugs whose injection is a procedure (local anaesthetic or steroid into a joint, nerve or trigger point).
PROCEDURAL_INJECTABLES: frozenset[str] = frozenset(
    {
        "lidocaine", "xylocaine", "bupivacaine", "marcaine", "ropivacaine", "kenalog", "triamcinolone",
        "depo medrol", "methylprednisolone", "dexamethasone", "decadron", "betamethasone", "celestone",
        "cortisone", "hydrocortisone", "mepivacaine", "carbocaine",
    }
)

#: Ingredients that never decide the class of a combination product (e.g. hydrocodone/APAP -> Opioids).
LOW_PRIORITY: frozenset[str] = frozenset({"acetaminophen", "tylenol", "apap", "paracetamol", "caffeine"})
# fmt: on

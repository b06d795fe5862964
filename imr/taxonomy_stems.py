"""Drug-name stems -> DWC drug class, for generic names the dictionary does not list.

Generic drug names are built from stems the USAN Council assigns by pharmacological class ("-prazole":
proton pump inhibitors, "-setron": 5-HT3 antagonists, "-triptan": antimigraine agents...). A stem names the
class of a drug nobody wrote into :mod:`imr.taxonomy_drugs` ("dexlansoprazole", "palonosetron",
"almotriptan"), so the drug class of an unseen generic still comes out right.

Each entry is a regex for a whole word (lower case) and its class (one entry is a strength signature
rather than a stem, see below). The dictionary always wins over a stem
(it is consulted first); entries are tried in order, so a narrower stem comes before a wider one that
contains it ("-piprazole", an antipsychotic, before "-prazole"). A stem that would name a word of
another class carries the exception in its regex ("cholesterol" is not "-terol", "april" not "-pril").
``tests/extract/test_taxonomy.py`` checks every stem against the dictionary: a listed drug a stem matches
has the stem's class, or is named here as an exception.
"""

from __future__ import annotations

from typing import Final

# fmt: off
STEMS: Final[tuple[tuple[str, str], ...]] = (
    # gastrointestinal
    (r"[a-z]+piprazole", "Atypical Antipsychotic"),            # aripiprazole, brexpiprazole
    (r"[a-z]+prazole", "Proton Pump Inhibitors"),              # omeprazole, dexlansoprazole
    (r"[a-z]+tidine", "H2 Blocker"),                            # famotidine, nizatidine
    (r"[a-z]+setron", "Antiemetic"),                            # ondansetron, palonosetron
    # pain
    (r"[a-z]+(?:codone|morphone|orphanol|fentanil|fentanyl)", "Opioids"),
    (r"(?!apomorphine)[a-z]*orphine", "Opioids"),               # morphine, buprenorphine
    (r"[a-z]+(?:coxib|profen|fenac|oxicam|fenamate|fenamic|metacin)", "NSAID"),
    (r"[a-z]+(?:triptan)", "Antimigraine"),
    # not a stem but a strength signature: two strengths, the second an acetaminophen dose ("10/325mg"), is
    # an opioid with acetaminophen (Norco, Percocet, Ultracet); butalbital products print three strengths
    (r"\d+(?:\.\d+)?/(?:300|325|500|650|750)(?! ?/)(?: ?mg)?", "Opioids"),
    # nervous system
    (r"[a-z]+(?:azepam|azolam|azepate|bazam)", "Benzodiazepines"),  # lorazepam, estazolam, clobazam
    (r"[a-z]+(?:gabalin|racetam|trigine|carbazepine|gabine|suximide)", "Anti-epilepsy drugs"),
    (r"[a-z]+(?:triptyline|ipramine|faxine|traline|alopram|milnacipran|azodone)", "Antidepressant"),
    (r"(?!atomoxetine)[a-z]+oxetine", "Antidepressant"),        # fluoxetine; atomoxetine is a stimulant
    (r"[a-z]+(?:peridone|rasidone|tiapine|anserin)", "Atypical Antipsychotic"),
    (r"[a-z]+(?:plon|piclone|melteon|orexant)", "Sedative-hypnotics"),  # zaleplon, eszopiclone, ramelteon
    (r"[a-z]+barbital", "Barbiturates"),
    # heart and blood
    (r"(?!nystatin)[a-z]+statin", "Statin"),
    (r"[a-z]+(?:olol|alol|ilol)", "Beta-blocker"),
    (r"[a-z]+dipine", "Calcium Channel Blocker"),
    (r"(?!april)[a-z]+pril", "Antihypertensive"),               # lisinopril, ramipril (not the month)
    (r"[a-z]+(?:sartan|thiazide|semide|etanide)", "Antihypertensive"),
    (r"[a-z]+osin", "Alpha-blocker"),                           # tamsulosin, silodosin
    (r"[a-z]+(?:parin|xaban|gatran|dogrel|sugrel|agrelor)", "Anti-coagulant"),
    (r"[a-z]+fibrate", "Fibric Acid"),
    # hormones and metabolism
    (r"[a-z]+(?:dronate|dronic)", "Bisphosphonates"),
    (r"[a-z]+(?:gliptin|glitazone|gliflozin|glutide|glinide)", "Antidiabetics"),
    (r"gl[iy][a-z]*ide", "Antidiabetics"),                      # glipizide, glyburide
    (r"[a-z]+drolone", "Androgens/Anabolic Steroids"),          # nandrolone
    (r"[a-z]+(?:asone|isone|isolone|cinolone|cortisone)", "Adrenal Cortical Steroids"),
    (r"[a-z]+(?:thyronine|thyroxine)", "Hormones"),
    (r"[a-z]+afil", "Impotence Agents"),
    # lungs and infections
    (r"(?!cholesterol)[a-z]+terol", "Asthma"),                  # albuterol, salmeterol
    (r"[a-z]+(?:tropium|lukast)", "Asthma"),
    (r"[a-z]+(?:floxacin|cillin|mycin|cycline|conazole|ciclovir|nidazole)", "Anti-infectives"),
    (r"cef[a-z]{3,}", "Anti-infectives"),                          # cefazolin, cefuroxime
)
# fmt: on

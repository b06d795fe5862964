"""DWC service taxonomy accuracy: in-sample on the shared gold items, and a held-out estimate.

Run ``python -m bench.taxonomy`` (a few seconds). It prints a markdown report on stdout
(``--out FILE`` also writes it). The shared corpora are found at ``../shared`` beside the repository
(or ``IMR_SHARED_DIR``).

What the numbers mean:

* **In-sample**: :func:`imr.taxonomy.classify_service` against ``service_category``,
  ``service_subcategory`` and ``drug_class`` of every gold item of the real and seed letters. The
  rules were written looking at these items, so this number says little about unseen letters.
* **Held-out estimate (5 folds over the real letters)**: the vocabulary is cut into entries: each term of a
  rule (:mod:`imr.taxonomy_rules`: one synonym, abbreviation or word family), each drug name
  (:mod:`imr.taxonomy_drugs`) and each drug stem (:mod:`imr.taxonomy_stems`). An entry *derived from* a letter
  is one that matches one of its item requests. For each fold, every entry that matches items of that fold's
  letters only (no item of another fold or of the seeds uses it) is removed, as if the rules had been written
  on the other folds, and the fold's items are classified with what is left. So a rule, word or stem
  added to the tables earns held-out credit only where items of another fold also use it: generality (word
  families, compounds written closed or open, plurals, stems shared by several generics, head-noun backoffs
  for unknown words) is what moves this number, a word only one letter uses cannot. This is pessimistic:
  an entry a curator would have written from general knowledge (the drug dictionary lists several hundred
  names no letter uses) is still removed when only that fold's letters happen to use it. It is also
  optimistic in one way: the rule order, tiers and post-rules (prefix handling, injection and pre-op
  conventions, the one-letter spelling tolerance for the head words of :data:`imr.taxonomy_rules.SPELLED`)
  stay as written on all the items. The second variant keeps the drug dictionary and stems
  whole (drug names are domain knowledge, not learned from letters) and removes rule terms only.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import platform
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from imr.taxonomy import STEM_WORD, VOCABULARY, Vocabulary, classify_service, request_text

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("IMR_SHARED_DIR", ROOT.parent / "shared"))
FOLDS = 5
Triple = tuple[str | None, str | None, str | None]


@dataclass(frozen=True)
class GoldItem:
    letter: str  # file name of the letter
    request: str
    expected: Triple


def load_items(gold_paths: Iterable[Path]) -> list[GoldItem]:
    """Every item of every parsed gold letter."""
    out: list[GoldItem] = []
    for path in gold_paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            letter = record.get("letter") or {}
            name = Path(record["source"]["path"]).name
            for item in letter.get("items") or []:
                expected = (item["service_category"], item["service_subcategory"], item["drug_class"])
                out.append(GoldItem(name, item["request"], expected))
    return out


@dataclass(frozen=True)
class Entry:
    """One vocabulary entry: a term of a rule, a drug name or a drug stem."""

    kind: str  # "term", "drug" or "stem"
    text: str  # the term's regex, the drug name or the stem's regex
    rule: int = -1  # index into VOCABULARY.rules for a term

    def label(self) -> str:
        if self.kind == "term":
            return f"{VOCABULARY.rules[self.rule].name}: {self.text}"
        return f"{self.kind} {self.text!r}"


def entries(vocabulary: Vocabulary = VOCABULARY) -> list[Entry]:
    """Every entry of the vocabulary: each rule's terms, each drug name, each stem."""
    found = [Entry("term", term, k) for k, rule in enumerate(vocabulary.rules) for term in rule.terms]
    found += [Entry("drug", name) for name in vocabulary.drugs]
    return found + [Entry("stem", stem) for stem, _ in vocabulary.stems]


def used_by(item: GoldItem, every: Sequence[Entry], vocabulary: Vocabulary = VOCABULARY) -> set[Entry]:
    """Entries matching the item's request (as the classifier sees it)."""
    text = request_text(item.request)[0]
    hits: set[Entry] = set()
    drug_names = {vocabulary.canon.get(re.sub(r"[\s-]+", "", m.group(1))) for m in vocabulary.drug_re.finditer(text)}
    for entry in every:
        if entry.kind == "drug":
            found = entry.text in drug_names
        elif entry.kind == "stem":
            found = any(re.fullmatch(entry.text, w.group(0)) for w in STEM_WORD.finditer(text))
        else:
            found = vocabulary.rules[entry.rule].term_pattern(entry.text).search(text) is not None
        if found:
            hits.add(entry)
    return hits


def without(removed: set[Entry], vocabulary: Vocabulary = VOCABULARY) -> Vocabulary:
    """The curated vocabulary less some entries (a rule left with no term is dropped)."""
    rules = []
    for k, rule in enumerate(vocabulary.rules):
        kept = tuple(t for t in rule.terms if Entry("term", t, k) not in removed)
        if kept:
            rules.append(rule if kept == rule.terms else rule.keeping(kept))
    drugs = {n: c for n, c in vocabulary.drugs.items() if Entry("drug", n) not in removed}
    stems = tuple((s, c) for s, c in vocabulary.stems if Entry("stem", s) not in removed)
    return dataclasses.replace(vocabulary, rules=tuple(rules), drugs=drugs, stems=stems)


def fold_of(letter: str) -> int:
    return int(hashlib.sha256(letter.encode()).hexdigest(), 16) % FOLDS


def accuracy(items: Sequence[GoldItem], vocabulary: Vocabulary = VOCABULARY) -> tuple[float, float, float, int]:
    """(category, subcategory, drug class) accuracy and the item count."""
    got = [classify_service(i.request, vocabulary) for i in items]
    n = len(items) or 1
    c, s, d = (sum(g[k] == i.expected[k] for g, i in zip(got, items, strict=True)) / n for k in range(3))
    return c, s, d, len(items)


def report(real: list[GoldItem], seeds: list[GoldItem]) -> str:
    every = entries()
    assert accuracy(real + seeds, without(set())) == accuracy(real + seeds), "entry split changed the classifier"
    uses: dict[Entry, set[int]] = defaultdict(set)  # entry -> folds using it (-1: seeds)
    letters: dict[Entry, set[str]] = defaultdict(set)
    for item in real + seeds:
        for entry in used_by(item, every):
            uses[entry].add(fold_of(item.letter) if item in real else -1)
            letters[entry].add(item.letter)
    lines = [
        "# Taxonomy accuracy (bench/taxonomy.py)",
        "",
        f"Python {platform.python_version()}; {len(every)} vocabulary entries "
        f"({sum(e.kind == 'term' for e in every)} rule terms, {len(VOCABULARY.drugs)} drug names, "
        f"{len(VOCABULARY.stems)} drug stems); "
        f"{len({e for e in uses})} of them match some gold request.",
        "",
        "| set | items | category | subcategory | drug class |",
        "|---|---|---|---|---|",
    ]
    for name, items in (("real + seeds, in-sample", real + seeds), ("real, in-sample", real)):
        c, s, d, n = accuracy(items)
        lines.append(f"| {name} | {n} | {c:.3f} | {s:.3f} | {d:.3f} |")
    notes: list[str] = []
    variants = (("all fold-only entries removed", False), ("rules removed, drug dictionary kept", True))
    for variant, keep_drugs in variants:
        totals = [0.0, 0.0, 0.0]
        count = 0
        for fold in range(FOLDS):
            held = [i for i in real if fold_of(i.letter) == fold]
            only = {e for e, folds in uses.items() if folds == {fold} and not (keep_drugs and e.kind != "term")}
            c, s, d, n = accuracy(held, without(only))
            lines.append(
                f"| fold {fold} held out, {variant} ({len({i.letter for i in held})} letters, "
                f"{len(only)} entries) | {n} | {c:.3f} | {s:.3f} | {d:.3f} |"
            )
            for k, v in enumerate((c, s, d)):
                totals[k] += v * n
            count += n
            if not keep_drugs:
                notes += [
                    f"- fold {fold}: `{e.label()}` (from {', '.join(sorted(letters[e]))})"
                    for e in sorted(only, key=Entry.label)
                ]
        c, s, d = (t / count for t in totals)
        lines.append(f"| **held-out, {variant}, 5 folds pooled** | {count} | **{c:.3f}** | **{s:.3f}** | **{d:.3f}** |")
    lines += ["", "Entries removed from each held-out fold (derived from that fold's letters only):", "", *notes]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    real_gold, seed_gold = SHARED / "corpus" / "real" / "gold.jsonl", SHARED / "corpus" / "seeds" / "gold.jsonl"
    if not real_gold.exists():
        print(f"{real_gold} is absent", file=sys.stderr)
        return 2
    text = report(load_items([real_gold]), load_items([seed_gold]) if seed_gold.exists() else [])
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

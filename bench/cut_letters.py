"""Letters cut short (issue 21, no item ever lost): what a letter whose last pages are missing becomes.

Run ``python -m bench.cut_letters`` (about a minute). For generated text letters of every layout
(``--seeds`` per layout, every other one with the older-layout and furniture hard cases), each is cut
after 50, 60, 70, 80, 90 and 95 % of its lines, as a fax that lost its last pages or a scan of the
first pages only, and extracted. The report counts, per layout, the cut letters that parsed with
every item, parsed with fewer items (the silent loss this guards against), or were set aside (by
reason code). It prints markdown on stdout.

A letter cut right after an item's conclusion cannot be told from a whole letter by its text: what
remains in "fewer items" is that case (``tests/extract/test_extract_item_loss.py`` checks it).

``--shuffled``: the same mailed copies with their pages in a random order (not the letter's):
counted "exact" (read as the letter), "differs" (parsed otherwise: silent) or set aside.

``--missing-page``: mailed copies instead (letterhead, running header and ``Page N of M`` on every
page, as text with form feeds and as PDF), each with one page left out, every page in turn; what
they become is counted the same way ("parsed" for a letter that parsed at all, which it never
should without a page).
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

from bench.ocr import letter_exact
from imr.extract.entry import extract_bytes
from imr.models import LetterRecord
from imr.synth import LAYOUTS, HardCases, SyntheticLetter, generate_letter, render_text
from imr.synth.pdf_pages import pages_of
from imr.synth.pdf_render import PdfOptions, render_pdf_counted

CUTS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def measure(seeds: int) -> dict[str, Counter[str]]:
    """Per layout: how the cut letters came out (``all items``, ``fewer items``, ``rejected <code>``)."""
    out: dict[str, Counter[str]] = {layout: Counter() for layout in LAYOUTS}
    for layout in LAYOUTS:
        for seed in range(seeds):
            hard = HardCases.furniture_and_credentials() if seed % 2 else HardCases()
            synthetic = generate_letter(seed * 7 + 3, layout=layout, hard=hard)
            lines = render_text(synthetic, "lf").decode("utf-8").split("\n")
            want = len(synthetic.letter.items)
            for cut in CUTS:
                rec = extract_bytes("\n".join(lines[: int(len(lines) * cut)]).encode("utf-8"), "cut.txt")
                if rec.letter is not None:
                    out[layout]["all items" if len(rec.letter.items) == want else "fewer items"] += 1
                else:
                    out[layout][f"rejected {rec.errors[0].code}"] += 1
    return out


def _mailed_copies(layout: str, seeds: int) -> Iterator[tuple[int, SyntheticLetter, list[bytes], bytes, int]]:
    """``seeds`` generated numbered mailed copies of ``layout`` (two pages or more): each one's
    seed, letter, text pages (by form feeds), PDF and PDF page count."""
    made = 0
    for seed in range(seeds * 20):
        synthetic = generate_letter(seed * 7 + 3, layout=layout, hard=HardCases.older())
        text = render_text(synthetic, "lf")
        if "page_furniture" not in synthetic.features or b"\f" not in text:
            continue
        pdf, count = render_pdf_counted(synthetic, PdfOptions(seed=seed))
        yield seed, synthetic, text.split(b"\f"), pdf, count
        made += 1
        if made == seeds:
            return


def measure_missing_page(seeds: int) -> dict[str, Counter[str]]:
    """Per layout: how numbered mailed copies (text and PDF) with one page left out came out."""
    out: dict[str, Counter[str]] = {layout: Counter() for layout in LAYOUTS}
    for layout in LAYOUTS:
        for _, _, pages, pdf, count in _mailed_copies(layout, seeds):
            cut = [(b"\f".join(p for i, p in enumerate(pages) if i != k), "cut.txt") for k in range(len(pages))]
            if count > 1:
                cut += [(pages_of(pdf, [i for i in range(count) if i != k]), "cut.pdf") for k in range(count)]
            for data, name in cut:
                rec = extract_bytes(data, name)
                out[layout]["parsed" if rec.letter is not None else f"rejected {rec.errors[0].code}"] += 1
    return out


def _outcome(rec: LetterRecord, gold: dict[str, Any]) -> str:
    """``exact`` by the scorer's letter-exact with every request the same (case aside), else
    ``differs``, or the reason a letter was set aside."""
    if rec.letter is None:
        return f"rejected {rec.errors[0].code}"
    pred = rec.to_dict()
    requests = [i["request"].casefold() for i in pred["letter"]["items"]] == [
        i["request"].casefold() for i in gold["letter"]["items"]
    ]
    return "exact" if letter_exact(pred, gold) and requests else "differs"


def measure_shuffled(seeds: int) -> dict[str, Counter[str]]:
    """Per layout: how numbered mailed copies (text and PDF) with their pages shuffled came out."""
    out: dict[str, Counter[str]] = {layout: Counter() for layout in LAYOUTS}
    for layout in LAYOUTS:
        for seed, synthetic, pages, pdf, count in _mailed_copies(layout, seeds):
            rng = random.Random(seed)
            data = b"\f".join(pages[k] for k in _shuffled(rng, len(pages)))
            gold = synthetic.record(path="x.txt", data=data, media_type="text/plain", pages=None).to_dict()
            out[layout][_outcome(extract_bytes(data, "x.txt"), gold)] += 1
            if count > 1:
                data = pages_of(pdf, _shuffled(rng, count))
                gold = synthetic.record(path="x.pdf", data=data, media_type="application/pdf", pages=count).to_dict()
                out[layout][_outcome(extract_bytes(data, "x.pdf"), gold)] += 1
    return out


def _shuffled(rng: random.Random, n: int) -> list[int]:
    """A random order of ``n`` pages that is not theirs."""
    order = list(range(n))
    while order == sorted(order):
        rng.shuffle(order)
    return order


def report(counts: dict[str, Counter[str]], caption: str) -> str:
    read = ("all items", "fewer items", "parsed", "exact", "differs")
    kinds = [
        *[k for k in read if any(k in c for c in counts.values())],
        *sorted({k for c in counts.values() for k in c if k.startswith("rejected")}),
    ]
    rows = [
        caption,
        "",
        "| layout | " + " | ".join(kinds) + " |",
        "|---|" + "---:|" * len(kinds),
    ]
    for layout, c in counts.items():
        rows.append(f"| {layout} | " + " | ".join(str(c[k]) for k in kinds) + " |")
    total = Counter[str]()
    for c in counts.values():
        total.update(c)
    rows.append("| **all** | " + " | ".join(f"**{total[k]}**" for k in kinds) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=15, help="letters per layout (default 15)")
    parser.add_argument("--missing-page", action="store_true", help="numbered mailed copies without one page")
    parser.add_argument("--shuffled", action="store_true", help="numbered mailed copies with their pages shuffled")
    args = parser.parse_args(argv)
    if args.shuffled:
        caption = f"Generated numbered mailed copies, {args.seeds} per layout, pages shuffled (text and PDF)."
        print(report(measure_shuffled(args.seeds), caption))
    elif args.missing_page:
        caption = f"Generated numbered mailed copies, {args.seeds} per layout, one page left out (text and PDF)."
        print(report(measure_missing_page(args.seeds), caption))
    else:
        cuts = ", ".join(f"{c:.0%}" for c in CUTS)
        caption = f"Generated text letters, {args.seeds} per layout, each cut after {cuts} of its lines."
        print(report(measure(args.seeds), caption))


if __name__ == "__main__":
    main()

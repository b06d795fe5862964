"""Letters cut short (issue 21, no item ever lost): what a letter whose last pages are missing becomes.

Run ``python -m bench.cut_letters`` (about a minute). For generated text letters of every layout
(``--seeds`` per layout, every other one with the older-layout and furniture hard cases), each is cut
after 50, 60, 70, 80, 90 and 95 % of its lines, as a fax that lost its last pages or a scan of the
first pages only, and extracted. The report counts, per layout, the cut letters that parsed with
every item, parsed with fewer items (the silent loss this guards against), or were set aside (by
reason code). It prints markdown on stdout.

A letter cut right after an item's conclusion cannot be told from a whole letter by its text: what
remains in "fewer items" is that case (``tests/extract/test_extract_item_loss.py`` checks it).
"""

from __future__ import annotations

import argparse
from collections import Counter

from imr.extract.entry import extract_bytes
from imr.synth import LAYOUTS, HardCases, generate_letter, render_text

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


def report(counts: dict[str, Counter[str]], seeds: int) -> str:
    kinds = ["all items", "fewer items", *sorted({k for c in counts.values() for k in c if k.startswith("rejected")})]
    cuts = ", ".join(f"{c:.0%}" for c in CUTS)
    rows = [
        f"Generated text letters, {seeds} per layout, each cut after {cuts} of its lines.",
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
    args = parser.parse_args(argv)
    print(report(measure(args.seeds), args.seeds))


if __name__ == "__main__":
    main()

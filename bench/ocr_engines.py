"""Tesseract against rapidocr on the same scanned synthetic pages: seconds per page and word errors;
and the OCR throughput of imr-etl per kind of copy against bare Tesseract on the same pages.

    .venv/bin/python -m bench.ocr_engines prepare /tmp/ocr-pages --letters 6   # pages + reference words
    .venv/bin/python bench/ocr_engines.py tesseract /tmp/ocr-pages
    /tmp/rapid/bin/python bench/ocr_engines.py rapidocr /tmp/ocr-pages         # a scratch venv with
                                                                               # rapidocr + onnxruntime
    .venv/bin/python -m bench.ocr_engines throughput --letters 3               # scans and faxes, per page

``throughput`` renders synthetic letters (layout D2, the real letters' layout), makes each kind of
copy of them (a 200-dpi greyscale scan; faxes from a machine and from a server, fine 204 x 196 and
standard 204 x 98), and reads every copy twice, one letter at a time in this process: with
``extract_bytes(..., ocr="auto")`` (render or fax cleanup, rule erasing, Tesseract, second reads,
parsing: the whole letter) and with bare Tesseract (``--psm 4``, ``OMP_THREAD_LIMIT=1``) on PDFium's
200-dpi greyscale render of the same pages, the way a plain OCR step would read them. It prints a
markdown table of CPU seconds (this process and its children) and wall seconds per page.
``prepare`` renders synthetic letters, scans them (:mod:`imr.synth.scanned`: 200 dpi greyscale,
skew, speckle, blur, JPEG) and writes each page as PNG beside the words of its born-digital text
layer. The engines are then run on the very same PNGs, one page at a time in this process
(rapidocr is not a dependency of the project: it is measured from a scratch virtualenv, so the
engine steps need only the standard library, Pillow and the engine). Word error rate = 1 - the
share of reference words matched in order (difflib over the word sequences, case-sensitive,
punctuation kept). Seconds per page are wall and CPU (this process plus its children).
"""

from __future__ import annotations

import difflib
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def prepare(out: Path, letters: int, seed: int) -> None:
    """Write page PNGs of scanned synthetic letters and their reference words."""
    import pypdfium2 as pdfium

    from imr.extract.pdfium_text import read_pdfium_words
    from imr.synth.corpus import write_corpus
    from imr.synth.scanned import scan_pdf

    out.mkdir(parents=True, exist_ok=True)
    src = out / "born"
    write_corpus(src, letters, seed=seed, formats=("pdf",), bad=False)
    n = 0
    for pdf_path in sorted(src.glob("*.pdf")):
        born = pdf_path.read_bytes()
        words = read_pdfium_words(born)
        scan = pdfium.PdfDocument(scan_pdf(born, seed=n))
        for i in range(len(scan)):
            n += 1
            image = scan[i].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
            image.save(out / f"page_{n:03d}.png")
            (out / f"page_{n:03d}.txt").write_text(" ".join(w.text for w in words[i]), encoding="utf-8")
    print(f"prepared {n} pages in {out}")


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _tesseract(png: Path) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cmd = ["tesseract", str(png), "stdout", "--psm", "4", "--dpi", "200", "-l", "eng"]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout


def _rapidocr_engine() -> Any:
    from rapidocr import RapidOCR  # a scratch venv's package, not a project dependency

    return RapidOCR()


def _wer(ref: str, hyp: str) -> tuple[int, int]:
    r, h = ref.split(), hyp.split()
    matched = sum(b.size for b in difflib.SequenceMatcher(None, r, h, autojunk=False).get_matching_blocks())
    return len(r) - matched, len(r)


def run(engine: str, folder: Path) -> None:
    """OCR every page PNG of ``folder`` with ``engine``; print seconds per page and word error rate."""
    pages = sorted(folder.glob("page_*.png"))
    rapid = _rapidocr_engine() if engine == "rapidocr" else None
    if rapid is not None:
        rapid(str(pages[0]))  # model load is not per page
    errors = total = 0
    t0, c0 = time.perf_counter(), _cpu()
    for png in pages:
        if rapid is not None:
            result = rapid(str(png))
            text = "\n".join(getattr(result, "txts", None) or ())
        else:
            text = _tesseract(png)
        e, n = _wer(png.with_suffix(".txt").read_text(encoding="utf-8"), text)
        errors, total = errors + e, total + n
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    print(
        f"{engine}: pages={len(pages)} wall_s_per_page={wall / len(pages):.2f} cpu_s_per_page={cpu / len(pages):.2f} "
        f"word_error_rate={errors / max(total, 1):.4f} load_average={os.getloadavg()[0]:.1f}"
    )


def _copies(letters: int) -> dict[str, list[bytes]]:
    """Each kind of copy of ``letters`` synthetic D2 letters (no cover sheets: pages are the letter's)."""
    from imr.synth import generate_letter
    from imr.synth.fax import FINE, MACHINE, SERVER, STANDARD, FaxOptions, fax_pdf
    from imr.synth.pdf_render import render_pdf_counted
    from imr.synth.scanned import scan_pdf

    born = [render_pdf_counted(generate_letter(40 + i, layout="D2"))[0] for i in range(letters)]
    kinds: dict[str, list[bytes]] = {"scan, 200 dpi greyscale JPEG": [scan_pdf(b, seed=i) for i, b in enumerate(born)]}
    for sender in (MACHINE, SERVER):
        for name, resolution in (("fine 204 x 196", FINE), ("standard 204 x 98", STANDARD)):
            options = FaxOptions(resolution=resolution, sender=sender, dropped_lines=4)
            kinds[f"fax from a {sender}, {name}"] = [fax_pdf(b, i, options) for i, b in enumerate(born)]
    return kinds


def throughput(letters: int) -> None:
    """Print seconds per page of imr's OCR and of bare Tesseract on the same pages, per kind of copy."""
    import tempfile

    import pypdfium2 as pdfium

    from imr.extract.entry import extract_bytes

    print("| pages | n | imr CPU s/page | bare Tesseract CPU s/page | ratio | imr wall s/page | bare wall s/page |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="imr-ocr-throughput-") as tmp:
        for kind, copies in _copies(letters).items():
            pages = sum(len(pdfium.PdfDocument(c)) for c in copies)
            t, c = time.perf_counter(), _cpu()
            for data in copies:
                extract_bytes(data, "copy.pdf", ocr="auto")
            imr_wall, imr_cpu = time.perf_counter() - t, _cpu() - c
            pngs = []
            for k, data in enumerate(copies):
                pdf = pdfium.PdfDocument(data)
                for i in range(len(pdf)):
                    png = Path(tmp) / f"p{k}_{i}.png"
                    pdf[i].render(scale=200 / 72, grayscale=True).to_pil().convert("L").save(png)
                    pngs.append(png)
            t, c = time.perf_counter(), _cpu()
            for png in pngs:
                _tesseract(png)
            bare_wall, bare_cpu = time.perf_counter() - t, _cpu() - c
            print(
                f"| {kind} | {pages} | {imr_cpu / pages:.2f} | {bare_cpu / pages:.2f} | {imr_cpu / bare_cpu:.2f}x "
                f"| {imr_wall / pages:.2f} | {bare_wall / pages:.2f} |",
                flush=True,
            )
    print(f"load_average={os.getloadavg()[0]:.1f}")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "throughput":
        throughput(int(args[args.index("--letters") + 1]) if "--letters" in args else 3)
        return 0
    if len(args) >= 2 and args[0] == "prepare":
        letters = int(args[args.index("--letters") + 1]) if "--letters" in args else 6
        prepare(Path(args[1]), letters, seed=17)
        return 0
    if len(args) == 2 and args[0] in ("tesseract", "rapidocr"):
        run(args[0], Path(args[1]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())

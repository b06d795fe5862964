"""Write one offline HTML page of a letter: its extracted values beside its pages, each value's
evidence boxed on the page image (a PDF) or marked on its line (a text letter).

A FILE is extracted with evidence (as `imr extract` does, same --pdf-engine and --ocr) and shown.
A CASE number (CM13-0000001) is looked up in the warehouse: the letter of the case that counts
(else one in review, else the latest), as stored with its evidence, and the file it was read from
where the ingest left it (the archive). Prints the page's path. No Prefect, no Great
Expectations; the warehouse is opened only for a case number.

Examples:
  imr show letters/CM13-0000001.pdf --out build/show
  imr show CM13-0000001 --out build/show --db postgresql+psycopg://etl@db:5432/imr
  xdg-open "$(imr show scan.pdf --out /tmp/show)"
Exit status: 0 when the page was written; 2 for a file or case that cannot be shown (the line
says what to do); 1 when the warehouse cannot be read.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from imr.commands.common import CommandError, add_db_argument, add_reading_arguments, reading_options

if TYPE_CHECKING:
    from imr.models import LetterRecord

HELP = "write an offline HTML page of a letter (file or case number): values beside the page with their boxes"

#: A case number as letters print it (``CM13-0000001``).
CASE_PATTERN = re.compile(r"CM\d{2}-\d{7}", re.IGNORECASE)


class NotShownError(Exception):
    """The file or case cannot be shown: one line that says what to do (exit status 2)."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr show``."""
    p.add_argument("target", metavar="FILE_OR_CASE", help="a letter file (.pdf/.txt) or a case number (CM13-0000001)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the page (created if missing)")
    add_db_argument(p)
    add_reading_arguments(p)


def run(args: argparse.Namespace) -> int:
    """Write the page and print its path; see the module's exit statuses."""
    from imr.errors import ImrError

    target = str(args.target)
    try:
        if Path(target).is_file():
            page = _show_file(Path(target), args)
        elif Path(target).exists():
            raise NotShownError(f"{target} is a folder: give one letter file or a case number")
        elif CASE_PATTERN.fullmatch(target.strip()):
            page = _show_case(target.strip().upper(), args)
        else:
            raise NotShownError(f"no such file: {target} (give a letter file, or a case number like CM13-0000001)")
    except NotShownError as e:
        print(f"imr show: {e}", file=sys.stderr)
        return 2
    except (CommandError, ImrError) as e:
        print(f"imr show: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"imr show: cannot write the page into {args.out}: {e.strerror or e} (check the folder)", file=sys.stderr)
        return 1
    print(page)
    return 0


def extract_with_evidence(path: Path, args: argparse.Namespace) -> LetterRecord:
    """The record of the file at ``path`` with the evidence of its values (``--pdf-engine``,
    ``--ocr``, else the settings, as ``imr extract``)."""
    from imr.extract.entry import extract_file

    engine, ocr = reading_options(args)
    return extract_file(path, pdf_engine=engine, ocr=ocr, evidence=True)


def _show_file(path: Path, args: argparse.Namespace) -> Path:
    from imr.show import write_page

    try:
        data = path.read_bytes()
    except OSError as e:
        raise NotShownError(f"cannot read {path}: {e.strerror or e} (check its permissions)") from None
    return write_page(extract_with_evidence(path, args), data, args.out)


def _show_case(case_number: str, args: argparse.Namespace) -> Path:
    import warehouse
    from imr.commands.common import open_warehouse, warehouse_url
    from imr.show import write_page

    engine = open_warehouse(warehouse_url(args), create=False)
    try:
        found = warehouse.letter_for_case(engine, case_number)
    finally:
        engine.dispose()
    if found is None:
        raise NotShownError(
            f"no letter of case {case_number} in the warehouse (check the number with `imr export`, "
            "or show the letter's file: imr show FILE)"
        )
    record, where = found
    data = _letter_bytes(record, where, case_number)
    if not record.evidence:  # stored without evidence (loaded before revision 0010): read it from the file
        record.evidence = extract_with_evidence(Path(str(where)), args).evidence
    return write_page(record, data, args.out)


def _letter_bytes(record: LetterRecord, where: str | None, case_number: str) -> bytes:
    """The bytes of the file at ``where``, which must be the letter's (its sha256); else NotShownError."""
    import hashlib

    again = "put the archived file back where the ledger says, or show a copy of it: imr show FILE"
    if where is None:
        raise NotShownError(f"the file of case {case_number} is not where the warehouse recorded it ({again})")
    try:
        data = Path(where).read_bytes()
    except OSError as e:
        raise NotShownError(
            f"cannot read the file of case {case_number} at {where}: {e.strerror or e} ({again})"
        ) from None
    if hashlib.sha256(data).hexdigest() != record.source.sha256:
        raise NotShownError(f"the file at {where} is not the letter of case {case_number} (another sha256; {again})")
    return data

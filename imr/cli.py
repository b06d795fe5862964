"""The ``imr`` command line: a thin shell over the library.

Each subcommand lives in ``imr/commands/<name>.py`` and defines ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. Command modules are imported only when
their command runs (or for ``--help``), so ``imr extract`` never imports Prefect or
Great Expectations.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

#: subcommand name -> module under imr.commands (kebab-case names, snake_case modules)
COMMANDS: dict[str, str] = {
    "extract": "extract",
    "ingest": "ingest",
    "export": "export",
    "batches": "batches",
    "rerun": "rerun",
    "backfill": "backfill",
    "server": "server",
    "serve": "serve",
    "automations": "automations",
    "db-upgrade": "db_upgrade",
    "synth": "synth",
    "report": "report",
    "db-grant-readonly": "db_grant_readonly",
    "review": "review",
    "show": "show",
}

#: commands that start or talk to Prefect: their Prefect environment defaults are set first
PREFECT_COMMANDS = frozenset({"ingest", "rerun", "backfill", "server", "serve", "automations"})


def _load(name: str) -> ModuleType:
    return importlib.import_module(f"imr.commands.{COMMANDS[name]}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that subcommand's module is imported."""
    parser = argparse.ArgumentParser(
        prog="imr",
        description="Turn California DWC IMR final determination letters into a validated warehouse.",
        epilog="Example: imr extract letters/ --format jsonl > records.jsonl",
    )
    from imr import __version__

    parser.add_argument("--version", action="version", version=f"imr-etl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is not None and name != only:
            sub.add_parser(name, add_help=False)
            continue
        mod = _load(name)
        p = sub.add_parser(
            name,
            help=mod.HELP,
            description=mod.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        mod.add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``imr``; returns the exit code (0 ok, 2 usage error, 1 the command failed)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in args_list if not a.startswith("-")), None)
    only = first if first in COMMANDS else None
    parser = build_parser(only)
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command in PREFECT_COMMANDS:
        from imr import prefect_env

        prefect_env.apply()  # before Prefect is imported
    try:
        return int(_load(args.command).run(args))
    except KeyboardInterrupt:
        print("imr: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""Subcommands of ``imr``; each module defines HELP, add_arguments(parser) and run(args)."""

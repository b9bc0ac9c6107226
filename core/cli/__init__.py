"""The ``fieldbench`` command: one sub-command module per concept, errors as one line on stderr.

A command imports the stages it runs inside its function, so the help and other commands start quickly.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from core.errors import FieldbenchError

__all__ = ["main", "build_parser"]

# Each module has ``register(subparsers)``, which adds its sub-commands and sets ``func(args) -> int``.
COMMAND_MODULES: tuple[str, ...] = (
    "core.cli.inspect_cmd",
    "core.cli.extract_cmd",
    "core.cli.evaluate_cmd",
    "core.cli.schema_cmd",
    "core.cli.workflow_cmd",
    "core.cli.usage_cmd",
    "core.cli.classify_cmd",
    "core.cli.import_cmd",
    "core.cli.template_cmd",
    "core.cli.feedback_cmd",
    "core.cli.train_cmd",
    "core.cli.models_cmd",
    "core.cli.runs_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(prog="fieldbench", description="Local document field extraction.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 a user error, 2 a usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except FieldbenchError as exc:
        print(f"fieldbench: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fieldbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) closed the pipe: stop quietly, as other command-line tools do.
        sys.stderr.close()
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

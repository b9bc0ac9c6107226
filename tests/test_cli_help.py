"""The ``fieldbench`` help of every command starts without the heavy libraries (issue 12: 1.4-2.6 s before)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator

from core.cli import build_parser

# What the commands use once they run; none of it is needed to print a help. (PyMuPDF alone took a second.)
HEAVY = ("pymupdf", "sqlalchemy", "pandas", "cv2", "numpy", "sklearn", "openai", "instructor", "jsonschema", "PIL")
HELP_IN_A_FRESH_INTERPRETER = (
    "import contextlib, io, sys\n"
    "from core.cli import main\n"
    "for path in sys.argv[1:]:\n"
    "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
    "        main([*path.split(), '--help'])\n"
    f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
)


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> Iterator[str]:
    yield prefix
    for action in parser._actions:  # argparse keeps its sub-parsers here; there is no public accessor
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, f"{prefix} {name}".strip())


def test_every_help_prints_without_importing_a_heavy_library() -> None:
    commands = list(_commands(build_parser()))
    assert "extract" in commands and "schema check" in commands
    out = subprocess.run(
        [sys.executable, "-c", HELP_IN_A_FRESH_INTERPRETER, *commands], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"the help imported {out.stdout.strip()}"


def test_the_lazy_faces_still_give_every_name() -> None:
    import core
    import core.documents

    for face in (core, core.documents):
        for name in face.__all__:
            assert getattr(face, name) is not None, f"{face.__name__}.{name}"
        assert set(face.__all__) <= set(dir(face))

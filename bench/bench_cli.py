"""Benchmark the start of the ``fieldbench`` command: ``--help`` and every sub-command's ``--help``.

Run: ``.venv/bin/python bench/bench_cli.py [--repeat N]``; writes ``bench/results/cli.md``.

Each help runs in a fresh interpreter (``python -m core ... --help``), as a user starts it, alternately with the
others and with a bare interpreter start (``python -c pass``), ``repeat`` times; the table gives the minimum
and the median of each, and what the command costs above the bare start. A help builds the whole parser, so
it shows what every command pays before it does anything; the heavy libraries it imported are listed too.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator

from _common import REPO, interleaved, machine, table, write_result

from core.cli import build_parser

AIM = 0.4  # seconds above a bare interpreter start: "help within a few tenths of a second" (issue 12)
HEAVY = ("pymupdf", "sqlalchemy", "pandas", "cv2", "numpy", "sklearn", "openai", "instructor", "jsonschema")
CHECK_IMPORTS = (
    "import sys, contextlib, io\n"
    "from core.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
    "    main(sys.argv[1:])\n"
    f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
)


def commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path of the parser: ``()``, ``("extract",)``, ``("schema", "check")`` ..."""
    yield prefix
    for action in parser._actions:  # argparse keeps its sub-parsers here; there is no public accessor
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*prefix, name))


def _run(args: list[str]) -> None:
    subprocess.run(args, cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def heavy_imports(path: tuple[str, ...]) -> str:
    """The heavy libraries imported by the time the help of ``path`` is printed."""
    out = subprocess.run(
        [sys.executable, "-c", CHECK_IMPORTS, *path, "--help"], cwd=REPO, check=True, capture_output=True, text=True
    )
    return out.stdout.strip() or "none"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    paths = list(commands(build_parser()))
    candidates = {"python -c pass": lambda: _run([sys.executable, "-c", "pass"])}
    for path in paths:
        label = " ".join(("fieldbench", *path, "--help"))
        candidates[label] = lambda path=path: _run([sys.executable, "-m", "core", *path, "--help"])
    timings = interleaved(candidates, args.repeat)
    bare = timings["python -c pass"].min
    rows = []
    for (label, timing), path in zip(timings.items(), [None, *paths], strict=True):
        imported = "" if path is None else heavy_imports(path)
        above = "" if path is None else f"{timing.min - bare:.2f}"
        rows.append([f"`{label}`", f"{timing.min:.2f}", f"{timing.median:.2f}", above, imported])
    worst = max(t.min for label, t in timings.items() if label != "python -c pass") - bare
    report = "\n\n".join(
        [
            "# `fieldbench` start: the help of every command",
            f"{len(paths)} commands, each in a fresh interpreter; {args.repeat} alternating runs each; {machine()}.",
            table(["command", "s (min)", "s (median)", "s above a bare start (min)", "heavy imports"], rows),
            f"Slowest help above a bare interpreter start: **{worst:.2f} s** (aim: under {AIM} s).",
            "Command: `.venv/bin/python bench/bench_cli.py`",
        ]
    )
    print(report)
    write_result("cli", report)
    return 0 if worst <= AIM else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

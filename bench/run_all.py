"""Run every benchmark (``bench/bench_*.py``) in turn; each prints its table and writes bench/results/*.md.

Usage: ``.venv/bin/python bench/run_all.py [NAME ...]`` (names filter, e.g. ``extraction``); ``make bench``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

__all__ = ["main"]

BENCH = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    """Run the benchmarks whose names contain any of ``argv`` (all when empty); 1 if any failed."""
    scripts = sorted(BENCH.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(name in s.stem for name in argv)]
    failed: list[str] = []
    for script in scripts:
        print(f"=== {script.name}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=BENCH.parent)
        outcome = "ok" if code == 0 else f"exit {code}"
        print(f"=== {script.name}: {outcome} in {time.perf_counter() - start:.1f} s\n")
        if code != 0:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""What the loading and OCR benchmarks share: repeated timing (min and median), tables, result files."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
# The openly licensed sets ship with the repository; the others are looked for outside it and skipped if absent.
DATASETS = REPO / "datasets"
EXTERNAL_DATASETS = Path(os.environ.get("FIELDBENCH_DATASETS", REPO.parent / "shared" / "datasets"))
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

__all__ = [
    "REPO",
    "RESULTS",
    "DATASETS",
    "EXTERNAL_DATASETS",
    "dataset_folders",
    "HELD_APART_GENERATORS",
    "generator",
    "held_apart",
    "Timing",
    "measure",
    "interleaved",
    "table",
    "write_result",
    "machine",
]


def dataset_folders(external: tuple[str, ...] = ()) -> list[Path]:
    """The repository's dataset folders, then the ``external`` ones found under EXTERNAL_DATASETS."""
    folders = sorted(p for p in DATASETS.iterdir() if (p / "schema.json").is_file())
    folders += [EXTERNAL_DATASETS / name for name in external if (EXTERNAL_DATASETS / name / "schema.json").is_file()]
    return folders


# The development sets are split once, before any tuning, into a part whose wrong predictions may be read and a
# part never looked at (only its totals are reported), so a rule fitted to the documents it was read from shows
# as a gap between the two. zugferd-dev by generator (the PDF producer): the intarsys and FNFE documents are
# looked at, the symtrax and Mustangproject ones held apart; every other set by sorted name: every third
# document (positions 2, 5, 8 ...) is held apart; a receipt's PDF and JPEG share a name and so a part.
HELD_APART_GENERATORS = frozenset({"symtrax", "mustangproject"})


def generator(name: str) -> str:
    """The producer family of a zugferd-dev document, from its name.

    >>> generator("ZUGFeRDv2_correct_symtrax_Beispiele_BASIC"), generator("XML_Rechnung_FX_EN16931_Einfach")
    ('symtrax', 'intarsys')
    """
    if name.startswith("XML_Rechnung"):
        return "intarsys"  # the XRechnung samples of the intarsys toolkit (its PDF producer)
    parts = name.split("_")
    return parts[2].casefold() if len(parts) > 2 else name.casefold()


def held_apart(dataset: str, names: Sequence[str]) -> set[str]:
    """The document names of ``dataset`` that are held apart (never looked at), by the rule above."""
    if dataset == "zugferd-dev":
        return {n for n in names if generator(n) in HELD_APART_GENERATORS}
    ordered = sorted(set(names))
    return {n for i, n in enumerate(ordered) if i % 3 == 2}


class Timing:
    """Seconds of repeated runs of one thing: the minimum (least disturbed) and the median."""

    def __init__(self, runs: Sequence[float]) -> None:
        self.runs = list(runs)

    @property
    def min(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def measure(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(candidates: dict[str, Callable[[], object]], repeat: int) -> dict[str, Timing]:
    """Time each candidate ``repeat`` times, alternating them (and their order), so that load from other
    processes on a shared machine falls on all of them alike."""
    runs: dict[str, list[float]] = {name: [] for name in candidates}
    order = list(candidates)
    for _ in range(repeat):
        for name in order:
            runs[name].append(measure(candidates[name]))
        order.reverse()  # who runs first alternates too
    return {name: Timing(values) for name, values in runs.items()}


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    """One line about where the numbers come from."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    python = platform.python_version()
    return f"{platform.machine()}, {cpus} CPUs, Python {python}, load average {load:.1f} at the start"


def write_result(name: str, text: str) -> Path:
    """Write ``bench/results/NAME.md`` and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text(text.rstrip() + "\n", encoding="utf-8")
    return path

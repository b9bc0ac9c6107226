"""The local engine's thresholds stay named: no fractional literal decides behaviour inside a function.

Weights, ratios and tolerances are module constants whose comment gives their unit and reason (issue 10); a
new one written inline fails here. Integers are left to review: most are indices, counts or regex groups.
"""

from __future__ import annotations

import ast
from pathlib import Path

LOCAL = Path(__file__).resolve().parents[1] / "core" / "extraction" / "local"
# 0.0 and 1.0 are neutral (no score, no factor); 100.0 is rapidfuzz's scale; 1e-9 guards a division; 1e9 is
# "beyond any page" for open-ended column bounds.
ALLOWED = {0.0, 1.0, 100.0, 1e-9, 1e9}


def _inline_floats(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    named = {id(n) for stmt in tree.body if isinstance(stmt, ast.Assign | ast.AnnAssign) for n in ast.walk(stmt)}
    return [
        f"{path.relative_to(LOCAL)}:{node.lineno}: {node.value}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and type(node.value) is float
        and id(node) not in named
        and abs(node.value) not in ALLOWED
    ]


def test_no_inline_fractional_thresholds() -> None:
    found = [hit for path in sorted(LOCAL.rglob("*.py")) for hit in _inline_floats(path)]
    assert not found, "name these as module constants with their reason:\n" + "\n".join(found)

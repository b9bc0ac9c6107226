"""The pages' contract: app.py lists every page and no helper, pages stay thin, every file says what it is for,
helpers declare ``__all__``, and core's vocabularies (file types, engines, charsets, text modes) are not
written out again in the pages."""

from __future__ import annotations

import ast
from pathlib import Path

from core.documents import CHARSETS, DOCUMENT_SUFFIXES, TEXT_MODES, UPLOAD_TYPES
from core.extraction import ENGINE_CHOICES

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "pages"
PAGE_LINES = 250  # a page reads widgets, calls core once or twice and renders; more means logic crept in
VOCABULARY = {*DOCUMENT_SUFFIXES, *UPLOAD_TYPES, *CHARSETS, *TEXT_MODES, *ENGINE_CHOICES}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _pages() -> list[Path]:
    return sorted(p for p in PAGES.glob("*.py") if not p.name.startswith("_"))


def _helpers() -> list[Path]:
    return sorted(p for p in PAGES.glob("_*.py"))


def test_app_navigation_lists_every_page_and_no_helper() -> None:
    listed = [
        node.args[0].value
        for node in ast.walk(_tree(REPO / "app.py"))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "Page"
        and isinstance(node.args[0], ast.Constant)
    ]
    assert sorted(listed) == [f"pages/{p.name}" for p in _pages()]


def test_pages_are_thin_and_every_file_says_what_it_is_for() -> None:
    for path in [*_pages(), *_helpers()]:
        assert ast.get_docstring(_tree(path)), f"{path.name} has no docstring"
    for path in _pages():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= PAGE_LINES, f"{path.name} has {lines} lines"


def test_helpers_declare_what_they_offer() -> None:
    for path in _helpers():
        tree = _tree(path)
        exported = [
            node.value
            for node in tree.body
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        ]
        assert exported, f"{path.name} has no __all__"
        names = {elt.value for elt in exported[0].elts}  # type: ignore[attr-defined]
        defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        defined |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
        assert names <= defined, f"{path.name}.__all__ names {sorted(names - defined)}, which it does not define"


def test_core_vocabularies_are_not_written_out_in_the_pages() -> None:
    for path in [*_pages(), *_helpers(), REPO / "app.py"]:
        literals = {
            node.value
            for node in ast.walk(_tree(path))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert not literals & VOCABULARY, f"{path.name} spells out {sorted(literals & VOCABULARY)}: use core's names"


def test_pages_have_no_bare_strings_but_their_docstring() -> None:
    # Streamlit's "magic" writes every bare expression of a page script onto the page: a docstring under a
    # constant would appear as text.
    for path in _pages():
        body = _tree(path).body[1:]
        strings = [n.lineno for n in body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)]
        assert not strings, f"{path.name}: bare strings at lines {strings}"

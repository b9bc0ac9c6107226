"""The package contract: core imports without Streamlit, every public name imports, every module says what it is for."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import core


def _core_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(core.__path__, prefix="core."))


def test_core_imports_without_streamlit_in_a_fresh_interpreter() -> None:
    modules = [m for m in _core_modules() if m != "core.__main__"]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", "a core module imported streamlit"


def test_every_public_name_imports() -> None:
    for name in core.__all__:
        assert getattr(core, name) is not None


def test_every_module_has_a_docstring_and_all() -> None:
    for name in _core_modules():
        if name == "core.__main__":
            continue
        module = importlib.import_module(name)
        assert module.__doc__ and module.__doc__.strip(), f"{name} has no docstring"
        is_package = (module.__file__ or "").endswith("__init__.py")
        if not is_package:
            assert hasattr(module, "__all__"), f"{name} has no __all__"
            for public in module.__all__:
                assert hasattr(module, public), f"{name}.__all__ names {public!r}, which it does not define"

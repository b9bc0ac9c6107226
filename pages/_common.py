"""What every page shares: the store (one per process) and showing Fieldbench errors plainly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import streamlit as st

from core.demo import ensure_demo_workflow
from core.errors import FieldbenchError
from core.store import Store


@st.cache_resource
def get_store() -> Store:
    """The store of FIELDBENCH_HOME, opened once per server process, with the demo workflow on first start."""
    store = Store.open()
    # Without sample_docs/ next to the package (an installed wheel) the app works without the demo.
    with suppress(FieldbenchError):
        ensure_demo_workflow(store)
    return store


@contextmanager
def show_errors() -> Iterator[None]:
    """Show a FieldbenchError as one red line (with its hint) instead of a traceback."""
    try:
        yield
    except FieldbenchError as exc:
        st.error(str(exc))

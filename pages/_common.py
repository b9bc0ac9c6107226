"""What every page shares: the store (one per process) and showing Fieldbench errors plainly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from core.errors import FieldbenchError
from core.store import Store


@st.cache_resource
def get_store() -> Store:
    """The store of FIELDBENCH_HOME, opened once per server process."""
    return Store.open()


@contextmanager
def show_errors() -> Iterator[None]:
    """Show a FieldbenchError as one red line (with its hint) instead of a traceback."""
    try:
        yield
    except FieldbenchError as exc:
        st.error(str(exc))

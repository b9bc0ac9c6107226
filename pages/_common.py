"""What every page shares: the store (one per process) and showing Fieldbench errors plainly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from core.config import get_settings
from core.demo import ensure_demo_workflow
from core.errors import FieldbenchError
from core.store import Store

# A `pages/` folder beside app.py makes Streamlit run a deep link (e.g. /usage) as an old-style multipage app,
# without app.py, until st.navigation has run once in the process. Hand such a run over to app.py's navigation.
if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()


def get_store() -> Store:
    """The store of FIELDBENCH_HOME, opened once per server process, with the demo workflow on first start."""
    settings = get_settings()
    return _open_store(str(settings.home), settings.database_url)


@st.cache_resource
def _open_store(home: str, database_url: str | None) -> Store:
    # Keyed on the data directory and URL: a changed FIELDBENCH_HOME (tests, a second data set) gets its own store.
    store = Store.open(get_settings())
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

"""Untrusted text shows as plain text (issue 13): a Markdown/HTML payload as a file name, as a value and as line
ids an LLM cites is never rendered as a link, an image or HTML, wherever the pages show it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from google.protobuf.message import Message
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from core.schema import Field, Workflow
from core.store import Store
from tests.app.markdown import shown
from tests.invoices import invoice_pdf
from tests.llm_server import LLMServer, Reply

APP = str(Path(__file__).resolve().parents[2] / "app.py")
NAME = "[click](http://evil.test/a) ![pic](http://evil.test/i.png) <img src=http://evil.test/x.png> :red[x].pdf"
VALUE = "[v](http://evil.test/v) <b>bold</b> ![w](http://evil.test/w.png)"
LINE_ID = "![l](http://evil.test/l.png)"
PLAIN_ELEMENTS = {"text", "code", "arrow_data_frame", "json", "text_area", "text_input"}  # shown as they are
MARKDOWN_FIELDS = {"body", "label", "help", "caption", "captions"}  # what Streamlit renders as Markdown
RENDER = MarkdownIt("commonmark", {"html": True})  # raw HTML on: a payload that gets through shows here


def _strings(message: Message) -> Iterator[str]:
    for descriptor, value in message.ListFields():
        items = [value] if isinstance(value, (str, bytes, int, float, Message)) else list(value)  # repeated: a list
        if descriptor.message_type is not None:
            for item in items:
                yield from _strings(item)
        elif descriptor.name in MARKDOWN_FIELDS:
            yield from items


def _markdown_sources(app: AppTest) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown (titles, captions, messages, labels...)."""

    def walk(node: Any) -> Iterator[Any]:
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    sources = []
    for node in walk(app._tree):
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message) and getattr(node, "type", None) not in PLAIN_ELEMENTS:
            sources.extend(s for s in _strings(proto) if isinstance(s, str))
    return sources


def _rendered_links(source: str) -> list[str]:
    html = RENDER.render(source)
    return [tag for tag in ("<a ", "<img", "<b>") if tag in html]


def _assert_plain(app: AppTest, *payloads: str) -> None:
    sources = _markdown_sources(app)
    for payload in payloads:
        assert any(payload in shown(s) for s in sources), f"{payload!r} is not on the page"
    rendered = {s: _rendered_links(s) for s in sources}
    assert not {s: tags for s, tags in rendered.items() if tags}, "untrusted text rendered as Markdown"


def test_the_check_itself_sees_a_link_an_image_and_html() -> None:
    assert _rendered_links(f"Reading {NAME}") == ["<a ", "<img"]
    assert _rendered_links(VALUE) == ["<a ", "<img", "<b>"]


@pytest.fixture
def app() -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(APP, default_timeout=180)


def test_a_file_name_on_the_documents_page(app: AppTest) -> None:
    app.run()
    app.switch_page("pages/documents.py")
    app.run()
    app.file_uploader(key="documents_uploads").set_value((NAME, invoice_pdf(), "application/pdf")).run()
    assert not app.exception and not app.error
    _assert_plain(app, NAME)


def test_a_value_and_cited_line_ids_from_the_llm_on_the_extract_page(app: AppTest, llm_server: LLMServer) -> None:
    store = Store.open()
    store.workflows.create(Workflow(name="A payload", fields=[Field(name="invoice_number")]))
    store.close()
    llm_server.script(Reply.answer({"invoice_number": {"value": VALUE, "lines": [LINE_ID]}}))
    app.run()
    app.switch_page("pages/extract.py")
    app.run()
    app.selectbox(key="extract_workflow").select_index(0)  # "A payload" sorts before the demo
    app.file_uploader(key="extract_uploads").set_value((NAME, invoice_pdf(), "application/pdf"))
    app.radio(key="extract_engine").set_value("llm").run()
    [extract] = [b for b in app.button if b.label == "Extract"]
    extract.click().run()
    assert not app.exception and not app.error
    assert app.dataframe[0].value.to_dict("records")[0]["value"] == VALUE  # shown as it is, in the table
    _assert_plain(app, f"cited lines not in the document: {LINE_ID}")

    # A bad file of that name: its error names it, plainly.
    app.file_uploader(key="extract_uploads").set_value((NAME, b"%PDF-1.7 no", "application/pdf")).run()
    [extract] = [b for b in app.button if b.label == "Extract"]
    extract.click().run()
    assert not app.exception and app.error
    _assert_plain(app, f"{NAME}: ")

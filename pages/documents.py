"""Documents: upload PDFs and images and see what Fieldbench reads on each page (words, boxes, source)."""

from __future__ import annotations

import streamlit as st

from core.demo import sample_documents
from core.documents import Document, DocumentSpec, Page
from core.documents.scanned import mode_effect
from core.store import Store
from pages._widgets import TEXT_LAYER_NOTE, document_uploader, get_store, page_viewer, plain, spec_inputs, with_progress

NO_SAMPLE = "(none)"
TEXT_HEIGHT = 420  # pixels: the recognised text of one page beside its image, about as tall
MIN_TEXT_HEIGHT = 120  # pixels: with all pages shown, each page's text still shows a few lines


def _page_details(document: Document, page: Page, height: int) -> None:
    """What was read on a page: its source, timing, size, word count, crop, and the text itself."""
    timing = f"{page.seconds:.2f} s" + (", from the cache" if page.cached else "")
    mean = "" if page.mean_confidence is None else f", mean confidence {page.mean_confidence:.0%}"
    st.markdown(f"**Page {page.number}** · **Source:** {page.source_name} · **Time:** {timing}")
    st.caption(f"{page.width:.0f} × {page.height:.0f} pt · {len(page.words)} words (boxes on the image){mean}")
    if page.crop is not None:
        st.caption(f"Cropped from page {page.source_page + 1} of the file.")
    st.text_area("Recognised text", page.text, height=height, key=f"text-{document.id}-{page.number}")


def _show_document(document: Document) -> None:
    st.subheader(plain(document.name))
    st.caption(f"{document.kind.upper()} · {len(document.pages)} pages · id {document.id[:12]}")
    image_col, text_col = st.columns([3, 2])
    with image_col:
        boxes = {page.number: [w.bbox for w in page.words] for page in document.pages}
        shown = page_viewer(document, key=f"view-{document.id}", boxes=boxes)
    with text_col:
        height = max(TEXT_HEIGHT // len(shown), MIN_TEXT_HEIGHT)
        for number in shown:
            _page_details(document, document.pages[number - 1], height)


def _read(store: Store, name: str, data: bytes, spec: DocumentSpec, password: str | None) -> Document | None:
    """Read and store a file under a progress bar; None (and one red line) when it cannot be read."""
    return with_progress(
        f"Reading {plain(name)}",
        lambda bar: store.documents.add_and_load(
            data, name, spec=spec, password=password, progress=bar.pages(plain(name))
        ),
    )


def _load(store: Store, document_id: str, spec: DocumentSpec, password: str | None) -> Document | None:
    """Load a stored document under a progress bar; None (and one red line) when it cannot be read."""
    label = document_id[:12]
    return with_progress(
        f"Reading {label}",
        lambda bar: store.documents.load(document_id, spec=spec, password=password, progress=bar.pages(label)),
    )


st.title("Documents")
st.caption(
    "See what Fieldbench reads: PDF pages with a text layer use it; other pages and images go through "
    "OCR, Tesseract or PP-OCRv5 as chosen below (cached, so a document is never read twice by one engine)."
)

files = document_uploader("Upload PDFs or images", key="documents_uploads")
samples = sample_documents()
left, right = st.columns(2)
sample = left.selectbox("Or open a sample document", [NO_SAMPLE, *samples], key="sample")
password = right.text_input("Password (encrypted PDFs only)", type="password", key="password") or None
spec = spec_inputs(DocumentSpec(), key="documents_spec", compact=True)
effect = mode_effect(spec.ocr, spec.text)
st.caption(f"{effect} ({TEXT_LAYER_NOTE})")

store = get_store()
ids: list[str] = st.session_state.setdefault("document_ids", [])
if sample != NO_SAMPLE:
    files.append((sample, samples[sample].read_bytes()))
fresh: dict[str, Document] = {}  # read in this run already: not loaded a second time below
for name, data in files:
    loaded = _read(store, name, data, spec, password)
    if loaded is not None:
        fresh[loaded.id] = loaded
        if loaded.id not in ids:
            ids.append(loaded.id)

if not ids:
    st.info("Upload a file or open a sample to see its pages.")
elif st.button("Clear the list", key="clear"):
    ids.clear()
    st.rerun()

for doc_id in ids:
    document = fresh.get(doc_id) or _load(store, doc_id, spec, password)
    if document is not None:
        _show_document(document)

"""Documents: upload PDFs and images and see what Fieldbench reads on each page (words, boxes, source)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from core.documents import Document, DocumentSpec, Page, highlight
from pages._common import get_store, show_errors

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_docs"
TYPES = ["pdf", "png", "jpg", "jpeg", "tif", "tiff"]
NO_SAMPLE = "(none)"
SHOW_ALL_PAGES = 5  # longer documents show one page at a time, chosen in a select box
TEXT_MODES = {
    "printed": "Printed: keeps what Tesseract reads with at least 30 % confidence; faint marks and most "
    "handwriting are dropped.",
    "handwritten": "Handwritten: reads sparse, irregular text and keeps only words read with less than 80 % "
    "confidence, so confidently read print is dropped. Tesseract reads print far better than handwriting: "
    "expect rough results.",
    "both": "Both: keeps every word Tesseract reads.",
}

st.title("Documents")
st.caption(
    "See what Fieldbench reads: PDF pages with a text layer use it; other pages and images go through "
    "Tesseract OCR (cached, so a document is never read twice)."
)

uploads = st.file_uploader("Upload PDFs or images", type=TYPES, accept_multiple_files=True)
samples = sorted(p.name for p in SAMPLE_DIR.glob("*") if p.suffix.lower().lstrip(".") in TYPES)
left, right = st.columns(2)
sample = left.selectbox("Or open a sample document", [NO_SAMPLE, *samples], key="sample")
password = right.text_input("Password (encrypted PDFs only)", type="password", key="password") or None
col1, col2, col3 = st.columns(3)
cropping = col1.toggle("Cropping", key="cropping", help=DocumentSpec.model_fields["cropping"].description)
charset = col2.radio(
    "Character set",
    ["latin", "japanese"],
    format_func=lambda c: {"latin": "Latin", "japanese": "Japanese"}[c],
    horizontal=True,
    key="charset",
    help=DocumentSpec.model_fields["charset"].description,
)
text = col3.radio(
    "Text",
    list(TEXT_MODES),
    format_func=str.capitalize,
    horizontal=True,
    key="text",
    help=" ".join(TEXT_MODES.values()) + " No effect on PDF pages with a text layer.",
)
spec = DocumentSpec(cropping=cropping, charset=charset, text=text)
st.caption(TEXT_MODES[text] + " (No effect on PDF pages with a text layer.)")

store = get_store()
ids: list[str] = st.session_state.setdefault("document_ids", [])


def _with_progress(label: str, read: Callable[[Callable[[int, int], None]], Document]) -> Document | None:
    """Run ``read(progress)`` under a progress bar; errors become one red line."""
    bar = st.progress(0.0, text=f"Reading {label}")
    try:
        with show_errors():
            return read(lambda done, total: bar.progress(done / max(total, 1), text=f"{label}: page {done}/{total}"))
        return None
    finally:
        bar.empty()


def _show_page(document: Document, page: Page) -> None:
    """The page image with its word boxes beside the recognised text, its source and timing."""
    image_col, text_col = st.columns([3, 2])
    with image_col, show_errors():
        png = highlight(document, page.number, [w.bbox for w in page.words], dpi=110, color=(255, 140, 0))
        st.image(png, caption=f"Page {page.number}: {len(page.words)} word boxes")
    with text_col:
        source = "text layer" if page.source == "text" else "OCR (Tesseract)"
        timing = f"{page.seconds:.2f} s" + (", from the cache" if page.cached else "")
        confidences = [w.confidence for w in page.words if w.confidence is not None]
        mean = f", mean confidence {sum(confidences) / len(confidences):.0%}" if confidences else ""
        st.markdown(f"**Page {page.number}** · **Source:** {source} · **Time:** {timing}")
        st.caption(f"{page.width:.0f} × {page.height:.0f} pt · {len(page.words)} words{mean}")
        if page.crop is not None:
            st.caption(f"Cropped from page {page.source_page + 1} of the file.")
        st.text_area("Recognised text", page.text, height=420, key=f"text-{document.id}-{page.number}")


files = [(f.name, f.getvalue()) for f in uploads or []]
if sample != NO_SAMPLE:
    files.append((sample, (SAMPLE_DIR / sample).read_bytes()))
fresh: dict[str, Document] = {}  # read in this run already: not loaded a second time below
for name, data in files:
    loaded = _with_progress(
        name,
        lambda progress, name=name, data=data: store.documents.add_and_load(
            data, name, spec=spec, password=password, progress=progress
        ),
    )
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
    document = fresh.get(doc_id) or _with_progress(
        doc_id[:12],
        lambda progress, doc_id=doc_id: store.documents.load(doc_id, spec=spec, password=password, progress=progress),
    )
    if document is None:
        continue
    st.subheader(document.name)
    st.caption(f"{document.kind.upper()} · {len(document.pages)} pages · id {document.id[:12]}")
    if len(document.pages) <= SHOW_ALL_PAGES:
        shown = document.pages
    else:
        number = st.selectbox("Page", range(1, len(document.pages) + 1), key=f"page-{document.id}")
        shown = [document.pages[number - 1]]
    for page in shown:
        _show_page(document, page)

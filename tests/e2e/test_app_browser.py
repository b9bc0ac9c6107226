"""The app as a person uses it: `streamlit run app.py` in a real server, driven in headless Chromium."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import numpy as np
import pytest
from PIL import Image

from core.annotation.uploads import upload_documents
from core.documents import load_document
from core.results import citation_boxes, flatten_values
from core.store import Store
from tests.invoices import invoice_pdf, invoice_workflow

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra (make test installs it)")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is missing: make test installs it via apt-get")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def app_url(fieldbench_home: Path) -> Iterator[str]:
    """A Streamlit server on 127.0.0.1 running app.py on a fresh FIELDBENCH_HOME, stopped afterwards."""
    port = _free_port()
    env = {**os.environ, "FIELDBENCH_HOME": str(fieldbench_home)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                err = server.stderr.read().decode() if server.stderr else ""
                pytest.fail(f"the app did not start: {err[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_a_deep_link_as_the_first_request_goes_through_the_app_navigation(app_url: str) -> None:
    # With a folder named pages/ beside app.py, Streamlit runs a fresh server's first request in its legacy
    # multipage mode; pages/_widgets.py hands that run back to app.py (see the comment there).
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.goto(f"{app_url}/usage")
            page.wait_for_selector("h1:has-text('Usage')", timeout=60_000)
            nav = page.locator('[data-testid="stSidebarNav"]').inner_text().split()
            # app.py's pages by their titles; the legacy mode would list every file (app, widgets, define, ...).
            assert [w for w in nav if w[0].isupper()] == [
                "Dashboard",
                "Define",
                "Documents",
                "Extract",
                "Runs",
                "Annotate",
                "Review",
                "Train",
                "Classify",
                "Usage",
            ], nav
            assert not {"app", "widgets", "define"} & set(nav), nav
            assert page.title().endswith("Fieldbench"), page.title()  # app.py's page config ran
            assert page.locator('[data-testid="stException"]').count() == 0
            # A local tool: no Deploy button (.streamlit/config.toml, client.toolbarMode).
            assert page.locator('[data-testid="stAppDeployButton"]').count() == 0
        finally:
            browser.close()


def test_define_then_extract_a_sample_in_the_browser(app_url: str) -> None:
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.goto(app_url)
            page.wait_for_selector("h1:has-text('Dashboard')", timeout=60_000)  # the landing page
            page.goto(f"{app_url}/define")
            page.wait_for_selector("h1:has-text('Define')", timeout=60_000)
            workflow_box = page.get_by_role("combobox", name="Workflow")
            workflow_box.wait_for(timeout=60_000)
            assert workflow_box.input_value().startswith("Demo invoices")
            page.wait_for_selector("text=Field guide", timeout=60_000)

            page.goto(f"{app_url}/extract")
            page.wait_for_selector("h1:has-text('Extract')", timeout=60_000)
            page.locator('[data-testid="stSelectbox"]').filter(has_text="sample document").click()
            page.get_by_role("option").filter(has_text="rechnung_de.pdf").first.click()
            page.get_by_role("button", name="Extract").click()
            # The result grid renders on a canvas; its accessible cells carry the values.
            page.wait_for_selector("text=RE-24-10877", state="attached", timeout=120_000)
            page.wait_for_selector("text=265.79", state="attached", timeout=10_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            image = page.locator('[data-testid="stImage"] img')
            assert image.count() >= 1, "the page image with the highlighted citation is shown"
        finally:
            browser.close()


def test_draw_a_box_on_the_annotate_page_and_the_annotation_holds_its_words(app_url: str) -> None:
    pdf = invoice_pdf(number="INV-77", total="24.00")
    store = Store.open()
    try:
        # "Annotated ..." sorts before the demo workflow: the page opens on it.
        workflow = store.workflows.create(invoice_workflow("Annotated invoices"))
        upload_documents(store, workflow, [("inv.pdf", pdf)])
        (training,) = store.training.list(workflow.id)
        layout = load_document(pdf).pages[0]
        word = next(w for w in layout.words if w.text == "24.00")
        with playwright.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1600, "height": 1400})
                page.goto(f"{app_url}/annotate")
                page.wait_for_selector("h1:has-text('Annotate')", timeout=60_000)
                # The button's name carries its hotkey ("total 3").
                page.get_by_role("button", name=re.compile(r"^total\b")).first.click()
                canvas = page.locator("canvas.upper-canvas").first
                canvas.wait_for(timeout=60_000)
                page.wait_for_timeout(1000)  # the fragment's rerun after the click settles
                area = canvas.bounding_box()
                assert area is not None
                scale = area["width"] / layout.width
                x0, y0, x1, y1 = word.bbox
                page.mouse.move(area["x"] + (x0 - 3) * scale, area["y"] + (y0 - 3) * scale)
                page.mouse.down()
                page.mouse.move(area["x"] + (x1 + 3) * scale, area["y"] + (y1 + 3) * scale, steps=8)
                page.mouse.up()
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    total = {v.path: v for v in store.training.values(training.id)}.get("total")
                    if total is not None and total.source == "drawn":
                        break
                    page.wait_for_timeout(500)
                assert total is not None and total.source == "drawn", total
                assert (total.text, total.value, total.page) == ("24.00", 24.0, 1)
                assert total.bbox == word.bbox  # the words inside the drawn box, in page points
                assert page.locator('[data-testid="stException"]').count() == 0
            finally:
                browser.close()
    finally:
        store.close()


def _open_extract_with(page: Any, app_url: str, files: list[Path]) -> None:
    """The Extract page with ``files`` uploaded and the local engine chosen, then Extract clicked."""
    page.goto(f"{app_url}/extract")
    page.wait_for_selector("h1:has-text('Extract')", timeout=60_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files([str(f) for f in files])
    for file in files:
        page.wait_for_selector(f"text={file.name}", timeout=30_000)
    page.get_by_text("local", exact=True).first.click()  # the engine radio
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Extract", exact=True).click()


def _warmth(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """Mean red minus blue over a region: how orange it looks."""
    pixels = np.asarray(image.crop(box), dtype=float)
    return float((pixels[..., 0] - pixels[..., 2]).mean())


def test_the_highlight_of_a_cropped_page_lands_on_its_value(app_url: str) -> None:
    # The demo workflow crops: the photographed receipt is read as a page of its own (224 x 418 pt), and the
    # citation boxes are in that page's points; the viewer must draw them on that page, not on the photo.
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            _open_extract_with(page, app_url, [REPO / "sample_docs" / "receipt_photo.jpg"])
            page.wait_for_selector("text=Page 1 of 1 · 224 × 418 pt", timeout=120_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            store = Store.open()
            try:
                (run,) = store.runs.list(limit=1)
            finally:
                store.close()
            assert run.result is not None
            path = next(p for p in flatten_values(run.result) if citation_boxes(run.result, p)[1])
            shown = page.get_by_role("combobox", name="Show the citation of")
            if shown.input_value() != path:
                shown.click()
                page.get_by_role("option", name=path, exact=True).click()
            page.wait_for_timeout(2000)
            src = page.locator('[data-testid="stImage"] img').first.get_attribute("src")
            assert src is not None
            image = Image.open(io.BytesIO(page.request.get(urljoin(app_url + "/", src)).body())).convert("RGB")
            photo = Image.open(REPO / "sample_docs" / "receipt_photo.jpg")
            scale = image.width / 224  # pixels per point of the page shown
            assert abs(image.height / scale - 418) < 2  # the cropped page's shape...
            assert abs(image.width / image.height - photo.width / photo.height) > 0.05  # ...not the photo's
            _number, boxes = citation_boxes(run.result, path)
            x0, y0, x1, y1 = (round(v * scale) for v in boxes[0])
            # The highlight tints its box orange (red well above blue); the paper beside it is not tinted.
            inside = _warmth(image, (x0 + 1, y0 + 1, x1 - 1, y1 - 1))
            beside = _warmth(image, (x1 + 4, y0, min(x1 + 4 + (x1 - x0), image.width), y1))
            assert inside > beside + 30, (inside, beside)
        finally:
            browser.close()


def test_rerunning_one_document_of_a_batch_keeps_the_others_in_the_browser(app_url: str) -> None:
    docs = REPO / "sample_docs"
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1400})
            _open_extract_with(page, app_url, [docs / "invoice_en.pdf", docs / "rechnung_de.pdf"])
            page.wait_for_selector("text=NW-2024-0193", state="attached", timeout=120_000)
            page.wait_for_selector("text=RE-24-10877", state="attached", timeout=10_000)
            area = page.get_by_label("invoice_date (date)")
            area.fill("The payment due date (Due Date), returned as YYYY-MM-DD. Not the invoice date.")
            area.press("Control+Enter")
            page.wait_for_timeout(1500)
            page.get_by_role("button", name="Re-run with edited descriptions").click()
            page.wait_for_selector("text=(unsaved draft)", timeout=120_000)
            # Both documents are still in the batch table, the re-run one with its new value.
            grid = page.locator('[data-testid="stDataFrame"]').first
            for text in ("invoice_en.pdf", "rechnung_de.pdf", "RE-24-10877", "2024-05-08"):
                grid.locator(f"text={text}").first.wait_for(state="attached", timeout=30_000)
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()


def test_a_markdown_file_name_is_shown_as_plain_text_in_the_browser(app_url: str) -> None:
    name = "[click](https:evil.test) ![pic](https:evil.test.png) <b>bold</b> :red[x].pdf"
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            outside: list[str] = []
            page.on("request", lambda request: outside.append(request.url) if "evil" in request.url else None)
            page.goto(f"{app_url}/documents")
            page.wait_for_selector("h1:has-text('Documents')", timeout=60_000)
            upload = {"name": name, "mimeType": "application/pdf", "buffer": invoice_pdf()}
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(files=[upload])
            heading = page.locator("h3").filter(has_text="click")
            heading.first.wait_for(timeout=60_000)
            assert heading.first.inner_text().strip() == name  # every character as it was typed
            main = page.locator('[data-testid="stMain"]')
            assert main.locator("a", has_text="click").count() == 0
            assert main.locator('img[alt="pic"]').count() == 0 and main.locator("b", has_text="bold").count() == 0
            assert outside == []
        finally:
            browser.close()

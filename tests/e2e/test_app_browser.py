"""The app as a person uses it: `streamlit run app.py` in a real server, driven in headless Chromium."""

from __future__ import annotations

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

import pytest

from core.annotation.uploads import upload_documents
from core.documents import load_document
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
                "Define",
                "Documents",
                "Extract",
                "Annotate",
                "Review",
                "Classify",
                "Usage",
            ], nav
            assert not {"app", "widgets", "define"} & set(nav), nav
            assert page.title().endswith("Fieldbench"), page.title()  # app.py's page config ran
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()


def test_define_then_extract_a_sample_in_the_browser(app_url: str) -> None:
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.goto(app_url)
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

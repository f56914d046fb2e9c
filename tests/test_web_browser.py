"""The page in a real headless Chromium (issue 10), driven by Playwright with Debian's
``chromium`` (``executable_path``): typing ``tr(A*X*B*X*C')`` shows the typeset gradient,
its text, the shapes, the check and the steps; switching to the index method shows its
steps; a syntax error shows the caret message; the URL holds the input. A screenshot is
saved as a test artifact (``test-artifacts/web.png``). Skips, saying why, where Chromium or
Playwright is missing (``.ci/run`` installs Chromium when it can)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from web_support import HAS_WEB, WHY, free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(not HAS_WEB, reason=WHY),
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None,
                       reason="Playwright is not installed (it comes with the test extra)"),
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here: apt-get install chromium "
                       "(.ci/run does so when it can)"),
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
GRADIENT = "A'*C*X'*B' + B'*X'*A'*C"


@pytest.fixture(scope="module")
def url():
    from matcal.web.server import create_app, run_in_thread
    port = free_port()
    server = run_in_thread(create_app(workers=2, time_limit=20.0), port)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True


@pytest.fixture(scope="module")
def page(url):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.goto(url)
        yield page
        browser.close()


def _type(page, text: str) -> None:
    page.fill("#expr", "")
    page.type("#expr", text)


def test_gradient_typeset_with_shapes_check_and_steps(page):
    _type(page, "tr(A*X*B*X*C')")
    page.wait_for_selector(f'#result-text:text-is("{GRADIENT}")', timeout=30_000)
    assert page.locator("#result-math math").count() == 1
    assert "mfrac" in page.inner_html("#result-math")
    assert page.locator("#shapes tbody tr").count() == 4
    assert "relative error" in page.inner_text("#check")
    assert "differential method" in page.inner_text("#steps summary")
    assert page.locator("#steps li math").count() >= 5
    assert "expr=tr%28A*X*B*X*C%27%29" in page.url or "expr=tr(A*X*B*X*C')" in page.url
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web.png"))
    assert (ARTIFACTS / "web.png").stat().st_size > 10_000


def test_index_method_steps(page):
    page.select_option("#method", "index")
    page.wait_for_selector('#steps summary:has-text("index method")', timeout=30_000)
    assert "method=index" in page.url
    page.select_option("#method", "differential")


def test_code_tabs(page):
    page.click('#code-tabs button[data-target="jax"]')
    assert "import jax.numpy as jnp" in page.inner_text("#code")
    page.click('#code-tabs button[data-target="numpy"]')
    assert "import numpy as np" in page.inner_text("#code")


def test_syntax_error_shows_the_caret(page):
    _type(page, "tr(A*X")
    page.wait_for_selector("#error:not([hidden])", timeout=30_000)
    assert page.inner_text("#error-caret") == "  tr(A*X\n        ^"
    assert "ends too early" in page.inner_text("#error-message")
    assert "Traceback" not in page.content()


def test_link_restores_the_input(url, page):
    page.goto(url + "?expr=sum(exp(A*x))&wrt=x&order=2")
    page.wait_for_selector('#result-text:text-is("A\'*diag(exp(A*x))*A")', timeout=30_000)
    assert page.input_value("#kind") == "2"

"""The writer's preview in a browser: a mistake saved shows the overlay (or the problems panel)
by itself, and the fix saved brings the page back by itself, without pressing F5."""

from __future__ import annotations

import pytest

from tests.browser.conftest import skip_without_browser

skip_without_browser()

pytestmark = pytest.mark.browser

PATH = "/en/packages/quickstart"
WAIT = 60_000  # ms; the file watcher, a reload and a render under a loaded machine


@pytest.fixture
def dev(tmp_path):
    from tests.test_serve import _served

    for root, base, _renderer in _served(tmp_path):
        yield root, base


def _open(browser, base):
    context = browser.new_context()
    page = context.new_page()
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    assert page.goto(base + PATH).status == 200
    page.wait_for_function("() => document.readyState === 'complete'")
    return context, page, loads


def _mark(page) -> None:
    """Marks the document shown; `_reloaded` waits for another one. No wait for the live-reload
    stream: the page knows the state it was served in, so an edit saved before the stream opens
    reloads it too."""
    page.evaluate("() => { window.__dbBefore = true; }")


def _reloaded(page, condition: str = "true") -> None:
    """Waits, without any action, until the page has reloaded by itself and `condition` holds."""
    page.wait_for_function(f"() => !window.__dbBefore && document.readyState === 'complete' && ({condition})",
                           timeout=WAIT)


def test_a_liquid_error_shows_the_overlay_and_the_fix_brings_the_page_back(dev, browser):
    root, base = dev
    source = root / "content/packages/quickstart.md"
    good = source.read_text("utf-8")
    context, page, loads = _open(browser, base)
    try:
        title = page.locator("main h1").inner_text()
        _mark(page)
        source.write_text(good + "\n{% ifversion ghes %}never closed\n", "utf-8")
        _reloaded(page, "!!document.querySelector('.db-overlay')")  # by itself
        overlay = page.locator(".db-overlay").inner_text()
        assert "content/packages/quickstart.md:" in overlay and "error[DB203]" in overlay
        _mark(page)
        source.write_text(good, "utf-8")
        _reloaded(page)  # and back, by itself
        assert page.locator("main h1").inner_text() == title
        assert page.locator(".db-overlay").count() == 0
        assert len(loads) >= 3
    finally:
        context.close()


def test_a_yaml_error_shows_the_overlay_not_a_bare_not_found_and_recovers(dev, browser):
    root, base = dev
    source = root / "content/packages/quickstart.md"
    good = source.read_text("utf-8")
    context, page, _loads = _open(browser, base)
    try:
        _mark(page)
        source.write_text(good.replace("title:", "title: [", 1), "utf-8")
        _reloaded(page, "!!document.querySelector('.db-overlay')")
        overlay = page.locator(".db-overlay").inner_text()
        assert "content/packages/quickstart.md:2:8: error[DB104]: frontmatter is not valid YAML" in overlay
        assert "Not found" not in page.content()
        _mark(page)
        source.write_text(good, "utf-8")
        _reloaded(page)
        assert page.locator(".db-overlay").count() == 0 and page.locator("main h1").is_visible()
    finally:
        context.close()


def test_an_unknown_key_shows_the_problems_panel_over_the_page_until_it_is_fixed(dev, browser):
    root, base = dev
    source = root / "content/packages/quickstart.md"
    good = source.read_text("utf-8")
    context, page, _loads = _open(browser, base)
    try:
        assert page.locator("#db-problems").count() == 0
        _mark(page)
        source.write_text(good.replace("title:", "bogus: 1\ntitle:", 1), "utf-8")
        _reloaded(page, "!!document.getElementById('db-problems')")
        assert "error[DB106]: unknown frontmatter key 'bogus'" in page.locator("#db-problems").inner_text()
        assert page.locator("main h1").is_visible()  # the page is still there, under the panel
        page.locator("#db-problems button").click()  # the writer can put it aside
        assert page.locator("#db-problems").count() == 0
        _mark(page)
        source.write_text(good, "utf-8")
        _reloaded(page)
        assert page.locator("#db-problems").count() == 0
    finally:
        context.close()

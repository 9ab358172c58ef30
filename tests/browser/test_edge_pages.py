"""The reader's edge pages in a real browser: the 404 page of each language (served by
`serve --site` as a host would), a French page whose body fell back to English, and the phone
header at 320 and 390 px. The bundled example site is used as built by the session's `site`
fixture; the fallback page comes from a copy whose French quickstart body does not parse."""

from __future__ import annotations

import contextlib
import threading

import pytest

from tests.browser.conftest import (AXE, Reader, Served, build_site, checked_reader, copy_example_site,
                                    skip_without_browser)
from tests.browser.test_reader import serious_violations

skip_without_browser()

pytestmark = pytest.mark.browser

needs_axe = pytest.mark.skipif(not AXE.is_file(), reason="axe-core not installed (.ci/run installs it into .ci/node)")
QUICKSTART_FR = "/fr/packages/quickstart/"


@contextlib.contextmanager
def serve_site(out):
    """`docs-builder serve --site out`'s server, on a free port."""
    from builder.serve.static_site import make_site_server

    server = make_site_server(out, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, name="serve-site", daemon=True).start()
    try:
        yield Served(out, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def hosted(site):
    """The session's built site, served the way `serve --site` serves it (404 pages, redirects)."""
    with serve_site(site.out) as served:
        yield served


@pytest.fixture(scope="module")
def fallback_site(tmp_path_factory):
    """The example site with a French quickstart whose body does not parse (it falls back)."""
    root, out = copy_example_site(tmp_path_factory.mktemp("fallback"))
    page = root / "translations" / "fr-FR" / "content" / "packages" / "quickstart.md"
    text = page.read_text("utf-8")
    end = text.index("\n---\n", 4) + 5
    page.write_text(text[:end] + "{% if %}\n" + text[end:], "utf-8")
    status, log = build_site(root, out, "--no-search")
    assert status == 0 and "body of content/packages/quickstart.md falls back to English" in log, log
    with serve_site(out) as served:
        yield served


@contextlib.contextmanager
def missing_page_reader(browser, served, path: str):
    """A `Reader` for a URL that answers 404: the browser logs that status for the page itself,
    and only that may be in the console."""
    reader = Reader(browser, served)
    yield reader
    reader.close()
    expected = f"{served.url(path)}: console: Failed to load resource: the server responded with a status of 404"
    errors = [e for e in reader.errors if not e.startswith(expected)]
    assert not errors, "errors in the browser console:\n" + "\n".join(errors)


def _background(page) -> tuple[int, ...]:
    rgb = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return tuple(int(n) for n in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3])


@pytest.mark.parametrize(("path", "lang", "scheme", "title", "query"), [
    ("/en/no/such/page/", "en", "light", "This page does not exist.", "quickstart"),
    ("/fr/pas-de-page/", "fr", "dark", "Cette page n'existe pas.", "paquet"),
])
def test_404_page_has_header_search_and_theme(browser, hosted, path, lang, scheme, title, query):
    with missing_page_reader(browser, hosted, path) as reader:
        page = reader.open("", color_scheme=scheme)
        response = page.goto(hosted.url(path))
        assert response is not None and response.status == 404
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.locator("main h1").inner_text() == title
        assert page.locator("header.site-header .site-title").is_visible()
        assert page.locator(".theme-toggle").is_visible()
        assert page.locator("main .card-title a").count() >= 1  # somewhere to go next
        dark = sum(_background(page)) < 150
        assert dark == (scheme == "dark"), _background(page)
        page.locator("#search-input").fill(query)
        results = page.locator("#search-results .search-result")
        results.first.wait_for(state="visible", timeout=15000)
        href = results.first.get_attribute("href")
        assert href.startswith(f"/{lang}/"), href


def test_fallback_notice_and_english_part(browser, fallback_site):
    with checked_reader(browser, fallback_site) as reader:
        page = reader.open(QUICKSTART_FR)
        assert page.evaluate("document.documentElement.lang") == "fr"
        notice = page.locator("main .translation-fallback-notice")
        assert notice.is_visible() and "Cette partie n'est pas encore traduite" in notice.inner_text()
        part = page.locator("main .translation-fallback")
        assert part.get_attribute("lang") == "en" and part.is_visible()
        assert "In this guide you create an access token" in part.inner_text()
        assert page.locator('main [lang="en"]').count() == 1  # only the English part
        assert page.locator("main h1").evaluate("e => e.closest('[lang]').lang") == "fr"  # the title stays French


@pytest.mark.parametrize("width", [320, 390])
def test_phone_header_keeps_the_title_clear_and_names_the_version(reader, width):
    page = reader.open("/fr/enterprise-server@3.17/packages/quickstart/", width=width, height=700)
    title = page.locator(".site-title-text")
    box = title.bounding_box()
    assert box and box["width"] > 40, "the site title is shown"
    assert title.evaluate("e => e.scrollHeight <= e.clientHeight + 1"), "the title is not cut"
    for selector in (".version-picker summary", ".language-picker summary", ".theme-toggle", ".menu-button", ".search"):
        other = page.locator(selector).bounding_box()
        apart = (box["x"] + box["width"] <= other["x"] or other["x"] + other["width"] <= box["x"]
                 or box["y"] + box["height"] <= other["y"] or other["y"] + other["height"] <= box["y"])
        assert apart, f"the title overlaps {selector} at {width} px: {box} {other}"
    label = page.locator(".version-picker summary .picker-label")
    assert label.is_visible() and page.locator(".version-picker .picker-release").inner_text() == "3.17"
    assert page.locator(".version-picker .picker-release").bounding_box()["width"] > 10
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "no sideways scrolling"


@needs_axe
@pytest.mark.parametrize("which", ["404", "fallback"])
def test_axe_clean_on_404_and_fallback_pages(browser, hosted, fallback_site, which):
    served, path, scheme = ((hosted, "/fr/pas-de-page/", "dark") if which == "404"
                            else (fallback_site, QUICKSTART_FR, "light"))
    with missing_page_reader(browser, served, path) as reader:
        page = reader.open("", color_scheme=scheme)
        page.goto(served.url(path))
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run()")
    assert result["passes"], "axe ran no checks"
    bad = serious_violations(result)
    assert not bad, "\n".join(bad)

"""Every page of the built example site, read as HTML (no browser needed): the pickers, the
sidebar and the breadcrumbs of every page lead to pages that exist, and keep the reader on the
same page in another version or language."""

from __future__ import annotations

import html
import json
import re

import pytest

VERSION_MENU = re.compile(r'<details class="picker version-picker">.*?</details>', re.S)
VERSION_STATIC = re.compile(r'class="picker-static version-static"')
LANGUAGE_MENU = re.compile(r'<details class="picker language-picker">.*?</details>', re.S)
SIDEBAR = re.compile(r'<nav id="sidebar".*?</nav>', re.S)
BREADCRUMBS = re.compile(r'<nav class="breadcrumbs".*?</nav>', re.S)
LINK = re.compile(r'<a\b([^>]*)>')
HREF = re.compile(r'\bhref="([^"]*)"')
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]*)">')
PREFIX = re.compile(r"^/(?P<lang>[a-z]{2})(?:/(?P<version>[a-z-]+@[\w.]+))?(?:/(?P<rel>.*))?$")
NATIVE = {"en": "English", "fr": "Français", "ja": "日本語"}


def split(url: str) -> tuple[str, str, str]:
    m = PREFIX.match(url.rstrip("/"))
    assert m, url
    return m["lang"], m["version"] or "", m["rel"] or ""


def is_redirect(text: str) -> bool:
    return 'http-equiv="refresh"' in text[:1000]


@pytest.fixture(scope="module")
def pages(site) -> dict[str, str]:
    """Canonical URL -> HTML of every reader page (not redirects, not the translation status)."""
    found = {}
    for lang in NATIVE:
        for file in sorted((site.out / lang).rglob("index.html")):
            text = file.read_text("utf-8")
            if is_redirect(text) or "/translation-status/" in file.as_posix():
                continue
            found[CANONICAL.search(text)[1]] = text
    assert len(found) > 200
    return found


def links(block: str) -> list[tuple[str, str]]:
    """(href, all attributes) of every link in an HTML fragment."""
    return [(html.unescape(HREF.search(attrs)[1]), attrs) for attrs in LINK.findall(block)]


def test_version_picker_of_every_page(pages):
    versions_of: dict[tuple[str, str], list[str]] = {}
    for url in pages:
        lang, version, rel = split(url)
        versions_of.setdefault((lang, rel), []).append(version)
    for url, text in pages.items():
        lang, version, rel = split(url)
        menu = VERSION_MENU.search(text)
        expected = versions_of[(lang, rel)]
        if len(expected) == 1:
            assert menu is None and VERSION_STATIC.search(text), url
            continue
        assert menu, url
        items = links(menu[0])
        hrefs = [h for h, _ in items]
        assert all(h in pages for h in hrefs), (url, [h for h in hrefs if h not in pages])
        assert all(split(h)[0] == lang and split(h)[2] == rel for h in hrefs), (url, hrefs)
        assert sorted(split(h)[1] for h in hrefs) == sorted(expected), (url, hrefs)
        current = [h for h, attrs in items if 'aria-current="true"' in attrs]
        assert current == [url], (url, current)


def test_language_picker_of_every_page(pages):
    for url, text in pages.items():
        lang, version, rel = split(url)
        menu = LANGUAGE_MENU.search(text)
        assert menu, url
        items = links(menu[0])
        assert [split(h)[0] for h, _ in items] == list(NATIVE), url
        for href, attrs in items:
            assert href in pages, (url, href)
            assert split(href)[1:] == (version, rel), (url, href)
        names = re.findall(r'data-language="(\w+)"[^>]*>([^<]+)<', menu[0])
        assert dict(names) == NATIVE, (url, names)


def test_sidebar_and_breadcrumbs_of_every_page(pages):
    for url, text in pages.items():
        lang, version, rel = split(url)
        if not rel:  # the home page has neither
            assert SIDEBAR.search(text) is None and BREADCRUMBS.search(text) is None
            continue
        sidebar = SIDEBAR.search(text)
        assert sidebar, url
        items = links(sidebar[0])
        current = [h for h, attrs in items if 'aria-current="page"' in attrs]
        assert current == [url], (url, current)
        prefix = "/" + "/".join(p for p in (lang, version, rel.split("/")[0]) if p)
        for href, _ in items:
            assert href in pages and (href == prefix or href.startswith(prefix + "/")), (url, href)
        # the categories above the current page are open
        for ancestor in re.findall(r'<details data-url="([^"]+)"', sidebar[0]):
            if url.startswith(ancestor + "/"):
                assert f'<details data-url="{ancestor}" open>' in sidebar[0], (url, ancestor)
        crumbs = links(BREADCRUMBS.search(text)[0])
        assert crumbs[-1][0] == url and 'aria-current="page"' in crumbs[-1][1], url
        assert all(h in pages for h, _ in crumbs), url


def test_every_page_searches_its_own_version_and_language(pages, site):
    for url, text in pages.items():
        lang, version, _ = split(url)
        index, slug, prefix = re.search(r'data-search="([^"]+)" data-search-version="([^"]+)" '
                                        r'data-search-prefix="([^"]+)"', text).groups()
        expected = "fpt" if not version else ("ghec" if version.startswith("enterprise-cloud") else "ghes-" + version.split("@")[1])
        assert index == f"/_pagefind/{lang}/shards.json", (url, index)
        assert slug == expected and prefix == (f"/{lang}/{version}" if version else f"/{lang}"), (url, slug, prefix)
        shards = json.loads((site.out / index.strip("/")).read_text("utf-8"))["shards"]
        assert shards and all((site.out / s.strip("/") / "pagefind.js").is_file() for s in shards), shards
        assert f'<html lang="{lang}"' in text


def test_layout_is_self_contained(site):
    """No CDN, no external request: styles and scripts come from /_static, nothing else is loaded."""
    text = (site.out / "en/packages/quickstart/index.html").read_text("utf-8")
    assert re.findall(r'<(?:link rel="stylesheet"|script) [^>]*(?:href|src)="([^"]+)"', text) == [
        "/_static/style.css", "/_static/site.js"]
    for name in ("style.css", "site.js"):
        static = (site.out / "_static" / name).read_text("utf-8")
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", static), name
    assert not re.search(r'(?:src|href)="(?:https?:)?//', text.split("<body>")[0])


def test_header_links_to_the_home_page_of_this_language_and_version(pages):
    for url, text in pages.items():
        lang, version, _ = split(url)
        home = re.search(r'<a class="site-title" href="([^"]+)"', text)[1]
        assert home in pages and split(home)[:2] == (lang, version) and split(home)[2] == "", (url, home)

"""What a reader sees and does, checked in a real browser on the bundled example site.

Pages used (content/ and translations/ of this repository):
- /en/packages/quickstart: an article in every version, with copy buttons;
- /en/packages/learn/publishing-a-package: an article inside a category;
- /en/packages/registries/container-registry: an article that does not exist in Enterprise Server 3.14;
- /en/admin/configuring-package-storage: only in Enterprise Server (all four releases);
- /fr/packages/registries/maven-registry: not translated into French.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import AXE, SCREENSHOTS, skip_without_browser

skip_without_browser()

pytestmark = pytest.mark.browser

ARTICLE = "/en/packages/learn/publishing-a-package"
QUICKSTART = "/en/packages/quickstart"
VERSIONS = {  # URL segment -> picker title, as data/versions.yml defines them
    "": "Free, Pro, & Team",
    "enterprise-cloud@latest": "Enterprise Cloud",
    "enterprise-server@3.17": "Enterprise Server 3.17",
    "enterprise-server@3.16": "Enterprise Server 3.16",
    "enterprise-server@3.15": "Enterprise Server 3.15",
    "enterprise-server@3.14": "Enterprise Server 3.14",
}


def path_of(url: str) -> str:
    """URL path without host, query, fragment or trailing slash."""
    path = re.sub(r"^https?://[^/]+", "", url).split("#")[0].split("?")[0]
    return path.rstrip("/") or "/"


def versioned(lang: str, version: str, rel: str) -> str:
    return "/" + "/".join(p for p in (lang, version, rel) if p)


def is_page(file) -> bool:
    """A built page, not a redirect stub (which only sends the reader elsewhere)."""
    return file.is_file() and 'http-equiv="refresh"' not in file.read_text("utf-8")[:1000]


def existing_versions(site, lang: str, rel: str) -> list[str]:
    return [v for v in VERSIONS if is_page(site.file(versioned(lang, v, rel)))]


def open_picker(page, which: str):
    picker = page.locator(f"details.{which}-picker")
    picker.locator("summary").click()
    menu = picker.locator(".picker-menu")
    menu.wait_for(state="visible")
    return menu


def navigate(page, action) -> int:
    """Run `action` (a click); returns the HTTP status of the page the browser lands on."""
    with page.expect_navigation() as nav:
        action()
    response = nav.value
    assert response is not None
    return response.status


# --- Page furniture and landmarks ---------------------------------------------------------------

def test_article_has_title_intro_toc_anchors_and_landmarks(reader):
    page = reader.open(QUICKSTART + "/")
    assert page.title() == "Quickstart for Nimbus Packages - Nimbus Docs"
    # product and page title
    assert page.locator("header.site-header .header-product").inner_text() == "Nimbus Packages"
    assert page.locator("main h1").inner_text() == "Quickstart for Nimbus Packages"
    assert page.locator("main .intro").inner_text().startswith("Publish a small npm package")
    # landmarks: one banner, main, contentinfo; named navigation regions
    for role in ("banner", "main", "contentinfo", "search"):
        assert page.get_by_role(role).count() == 1, role
    for name in ("Pages in this product", "Breadcrumbs", "In this article"):
        assert page.get_by_role("navigation", name=name).count() == 1, name
    # breadcrumbs: product, then this page marked current
    crumbs = page.locator("nav.breadcrumbs a")
    assert crumbs.all_inner_texts() == ["Nimbus Packages", "Quickstart"]
    assert crumbs.last.get_attribute("aria-current") == "page"
    # "In this article" lists exactly the article's h2 headings, and each entry jumps to one
    h2_ids = page.locator(".article-body h2").evaluate_all("hs => hs.map(h => h.id)")
    toc = page.locator("nav.mini-toc a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert h2_ids and toc == ["#" + i for i in h2_ids]
    page.locator("nav.mini-toc a").nth(2).click()
    assert page.evaluate("location.hash") == "#" + h2_ids[2]
    top = page.locator(f"#{h2_ids[2]}").evaluate("h => h.getBoundingClientRect().top")
    header = page.locator("header.site-header").evaluate("h => h.getBoundingClientRect().bottom")
    assert header <= top < header + 80, "the heading should sit just below the sticky header"
    # heading anchor links
    for hid in h2_ids:
        assert page.locator(f"#{hid} a.heading-link").get_attribute("href") == f"#{hid}"
    # skip link: first stop of the keyboard, moves focus to <main>
    page.goto(reader.site.url(QUICKSTART + "/"))
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("class") == "skip-link" and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_sidebar_marks_the_current_page_in_this_version_and_language(reader):
    for path in (ARTICLE, "/fr/enterprise-server@3.15/packages/learn/publishing-a-package"):
        page = reader.open(path + "/")
        sidebar = page.get_by_role("navigation", name=re.compile("Pages"))
        current = sidebar.locator('[aria-current="page"]')
        assert current.count() == 1
        assert current.get_attribute("href") == path
        assert current.is_visible(), "the current page's category must be open"
        assert current.inner_text() in ("Publishing a package", "Publier un paquet")
        prefix = path.rsplit("/packages/", 1)[0] + "/packages"
        hrefs = sidebar.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert hrefs[0] == prefix and all(h.startswith(prefix) for h in hrefs), hrefs
        # the categories: a link and a toggle (nothing interactive nested in the toggle)
        toggle = sidebar.locator("li.nav-group", has=page.locator('a[href$="/registries"]')).locator("summary")
        assert toggle.locator("a, button").count() == 0
        registries = sidebar.locator('a[href$="/registries/container-registry"]')
        assert not registries.is_visible()
        toggle.click()
        assert registries.is_visible()


# --- Version and language pickers ---------------------------------------------------------------

def test_version_picker_lists_only_versions_of_this_page_and_keeps_the_page(reader):
    site = reader.site
    for rel in ("packages/learn/publishing-a-package", "packages/registries/container-registry",
                "admin/configuring-package-storage"):
        start = existing_versions(site, "en", rel)[0]
        page = reader.open(versioned("en", start, rel) + "/")
        menu = open_picker(page, "version")
        links = menu.locator("a")
        listed = links.evaluate_all("as => as.map(a => a.getAttribute('data-version'))")
        titles = [t.strip() for t in links.all_inner_texts()]
        expected = existing_versions(site, "en", rel)
        assert titles == [VERSIONS[v] for v in expected], (rel, titles)
        assert listed == [v or "free-pro-team@latest" for v in expected]
        hrefs = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert hrefs == [versioned("en", v, rel) for v in expected]
        assert menu.locator('a[aria-current="true"]').inner_text().strip() == VERSIONS[start]
    # container-registry has no 3.14 page; configuring-package-storage exists only on the server
    assert "enterprise-server@3.14" not in existing_versions(site, "en", "packages/registries/container-registry")
    assert existing_versions(site, "en", "admin/configuring-package-storage")[0] == "enterprise-server@3.17"

    # Switching keeps the page and the section being read.
    page = reader.open(ARTICLE + "/#publishing-a-new-version")
    menu = open_picker(page, "version")
    status = navigate(page, lambda: menu.get_by_role("link", name="Enterprise Server 3.15").click())
    assert status == 200
    assert path_of(page.url) == "/en/enterprise-server@3.15/packages/learn/publishing-a-package"
    assert page.url.endswith("#publishing-a-new-version")
    assert page.locator("main h1").inner_text() == "Publishing a package"
    assert page.locator("details.version-picker summary").inner_text().strip() == "Enterprise Server 3.15"
    # ...and back to the default version from there
    menu = open_picker(page, "version")
    status = navigate(page, lambda: menu.get_by_role("link", name="Free, Pro, & Team").click())
    assert status == 200 and path_of(page.url) == ARTICLE
    # Escape closes an open picker and gives the focus back to it.
    open_picker(page, "version")
    page.keyboard.press("Escape")
    assert page.locator("details.version-picker").get_attribute("open") is None


def test_language_picker_shows_native_names_and_keeps_the_page(reader):
    page = reader.open("/en/enterprise-server@3.16/packages/learn/publishing-a-package/")
    menu = open_picker(page, "language")
    names = [t.strip() for t in menu.locator("a").all_inner_texts()]
    assert names == ["English", "Français", "日本語"]
    assert menu.locator("a").evaluate_all("as => as.map(a => a.lang)") == ["en", "fr", "ja"]
    status = navigate(page, lambda: menu.get_by_role("link", name="Français").click())
    assert status == 200
    assert path_of(page.url) == "/fr/enterprise-server@3.16/packages/learn/publishing-a-package"
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.locator("details.language-picker summary").inner_text().strip() == "Français"
    assert page.locator("details.version-picker summary").inner_text().strip() == "Enterprise Server 3.16"
    # Japanese has no translation of this page: it is shown in English, with a notice
    menu = open_picker(page, "language")
    status = navigate(page, lambda: menu.get_by_role("link", name="日本語").click())
    assert status == 200
    assert path_of(page.url) == "/ja/enterprise-server@3.16/packages/learn/publishing-a-package"
    assert page.locator("main .notice-info").count() == 1
    assert page.locator("main article").get_attribute("lang") == "en"


# --- Search ---------------------------------------------------------------------------------------

def search(page, query: str) -> list[str]:
    """Type into the header search box; returns the result URLs shown (empty: "no results")."""
    box = page.locator("#search-input")
    box.fill(query)
    results = page.locator("#search-results")
    page.wait_for_function(
        """q => { const r = document.getElementById('search-results');
                  return document.getElementById('search-input').value === q && !r.hidden
                    && (r.querySelector('a.search-result') || (r.querySelector('.search-message')
                        && r.querySelector('.search-message').textContent !== document.getElementById('search-input').dataset.loading)); }""",
        arg=query,
    )
    return [path_of(h) + "/" for h in results.locator("a.search-result").evaluate_all("as => as.map(a => a.href)")]


def test_search_finds_a_page_of_this_version_and_language_only(reader):
    # "whoami" appears in one page only: the quickstart (English, French and Japanese).
    page = reader.open(ARTICLE + "/")
    assert search(page, "whoami") == ["/en/packages/quickstart/"]
    assert page.locator("#search-results .search-result-title").first.inner_text() == "Quickstart for Nimbus Packages"
    assert page.locator("#search-results mark").first.inner_text().lower() == "whoami"
    # the result is a link that opens the page
    status = navigate(page, lambda: page.locator("#search-results a.search-result").first.click())
    assert status == 200 and path_of(page.url) == QUICKSTART

    page = reader.open("/fr/enterprise-server@3.15/packages/learn/")
    assert search(page, "whoami") == ["/fr/enterprise-server@3.15/packages/quickstart/"]
    page = reader.open("/ja/enterprise-cloud@latest/packages/")
    assert search(page, "whoami") == ["/ja/enterprise-cloud@latest/packages/quickstart/"]


def test_search_does_not_find_text_of_another_version(reader):
    site = reader.site
    # "blob" is only in {% ifversion ghes %} text (about-packages) and in server-only pages.
    fpt = site.file("/en/packages/learn/about-packages").read_text("utf-8")
    ghes = site.file("/en/enterprise-server@3.16/packages/learn/about-packages").read_text("utf-8")
    assert "blob" not in fpt.lower() and "blob" in ghes
    page = reader.open(QUICKSTART + "/")
    assert search(page, "blob") == []
    assert page.locator("#search-results .search-message").inner_text() == "No results found"
    page = reader.open("/en/enterprise-server@3.16/packages/quickstart/")
    found = search(page, "blob")
    assert "/en/enterprise-server@3.16/packages/learn/about-packages/" in found
    assert all(url.startswith("/en/enterprise-server@3.16/") for url in found), found


def test_search_keyboard(reader):
    page = reader.open(ARTICLE + "/")
    page.locator("main h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-input"
    search(page, "whoami")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.className") == "search-result"
    page.keyboard.press("Escape")
    assert page.locator("#search-results").is_hidden()
    page.locator("#search-input").focus()
    status = navigate(page, lambda: page.keyboard.press("Enter"))
    assert status == 200 and path_of(page.url) == QUICKSTART


# --- Code, theme, notices, phone, print -----------------------------------------------------------

def test_copy_button_puts_the_code_on_the_clipboard(reader):
    page = reader.open(QUICKSTART + "/", permissions=["clipboard-read", "clipboard-write"])
    blocks = page.locator(".code-example")
    assert blocks.count() >= 3
    # a code block without `copy` has no button
    assert page.locator(".article-body pre:not(.code-example pre)").count() >= 1
    for i in (0, 2):
        block = blocks.nth(i)
        expected = block.locator("pre code").evaluate("c => c.textContent").rstrip("\n")
        block.locator("button.copy-button").click()
        assert page.evaluate("navigator.clipboard.readText()") == expected
        assert "copied" in block.locator("button.copy-button").get_attribute("class")
    assert page.evaluate("navigator.clipboard.readText()") == "mkdir hello-nimbus && cd hello-nimbus\nnpm init --scope=@OWNER -y"
    page.wait_for_function("document.getElementById('live-region').textContent === 'Copied'")
    assert blocks.first.locator("button.copy-button").get_attribute("aria-label") == "Copy code to clipboard"


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


WHITE, DARK = "rgb(255, 255, 255)", "rgb(13, 17, 23)"


def test_theme_follows_the_system_and_the_toggle_is_remembered(reader):
    page = reader.open(ARTICLE + "/", color_scheme="light")
    html = page.locator("html")
    assert html.get_attribute("data-color-mode") == "auto" and background(page) == WHITE
    toggle = page.locator("button.theme-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert html.get_attribute("data-color-mode") == "dark" and background(page) == DARK
    assert toggle.get_attribute("aria-pressed") == "true"
    assert page.evaluate("localStorage.getItem('docs-theme')") == "dark"
    page.reload()
    assert html.get_attribute("data-color-mode") == "dark" and background(page) == DARK
    # the choice holds on every page of the site
    page2 = reader.open(QUICKSTART + "/", context=page.context)
    assert page2.locator("html").get_attribute("data-color-mode") == "dark" and background(page2) == DARK
    toggle.click()
    page.reload()
    assert html.get_attribute("data-color-mode") == "light" and background(page) == WHITE

    # No choice yet: a dark system gets the dark theme, and the toggle turns it light.
    page = reader.open(ARTICLE + "/", color_scheme="dark")
    assert page.locator("html").get_attribute("data-color-mode") == "auto" and background(page) == DARK
    assert page.locator("button.theme-toggle").get_attribute("aria-pressed") == "true"
    page.locator("button.theme-toggle").click()
    assert background(page) == WHITE
    page.reload()
    assert background(page) == WHITE


def test_notices_untranslated_and_oldest_release(reader):
    page = reader.open("/fr/packages/registries/maven-registry/")
    notice = page.locator("main .notice-info")
    assert notice.inner_text().startswith("Cette page n'a pas encore été traduite")
    assert page.locator("main article").get_attribute("lang") == "en"
    assert page.locator("html").get_attribute("lang") == "fr"

    page = reader.open("/en/enterprise-server@3.14/admin/configuring-package-storage/")
    warning = page.locator("main .notice-warning")
    assert "Enterprise Server 3.14 is the oldest supported release" in warning.inner_text()
    assert page.locator("main .permissions").inner_text() == "Site administrators can configure package storage."
    page = reader.open("/en/enterprise-server@3.17/admin/configuring-package-storage/")
    assert page.locator("main .notice").count() == 0


def test_phone_layout_sidebar_becomes_a_menu(reader):
    page = reader.open(ARTICLE + "/", width=390, height=844)
    sidebar = page.locator("#sidebar")
    menu = page.get_by_role("button", name="Menu")
    assert menu.is_visible() and not sidebar.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    assert page.locator("#search-input").is_visible()
    menu.click()
    assert sidebar.is_visible() and menu.get_attribute("aria-expanded") == "true"
    current = sidebar.locator('[aria-current="page"]')
    assert current.is_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-current')") == "page"
    page.keyboard.press("Escape")
    assert not sidebar.is_visible() and menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    # the pickers still work, as icons
    menu_list = open_picker(page, "language")
    assert menu_list.locator("a").count() == 3
    box = menu_list.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # on a wide screen the sidebar is always there and the menu button is not
    page = reader.open(ARTICLE + "/", width=1280, height=900)
    assert page.locator("#sidebar").is_visible() and not page.locator(".menu-button").is_visible()


def test_print_shows_the_article_only(reader):
    page = reader.open(QUICKSTART + "/", color_scheme="dark")
    page.emulate_media(media="print")
    for selector in ("header.site-header", "#sidebar", "footer.site-footer", "nav.mini-toc", ".copy-button"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("main h1").is_visible()
    assert background(page) == WHITE, "print is black on white, whatever the theme"
    assert page.evaluate("getComputedStyle(document.querySelector('main h1')).color") == "rgb(0, 0, 0)"


# --- Everything a reader may visit, without console errors ----------------------------------------

def test_no_console_errors_on_any_kind_of_page(reader):
    paths = [
        "/", "/en/", "/fr/", "/ja/", "/en/packages/", "/fr/packages/learn/", QUICKSTART + "/",
        "/ja/packages/quickstart/", "/en/enterprise-cloud@latest/admin/", "/en/enterprise-server@3.14/packages/",
        "/en/enterprise-server@3.17/admin/monitoring-storage-usage/", "/en/translation-status/",
        "/fr/translation-status/", "/en/packages/getting-started/",  # a redirect
    ]
    page = reader.open("")
    for path in paths:
        response = page.goto(reader.site.url(path))
        page.wait_for_load_state("load")
        assert response is not None and response.status == 200, path
        assert page.locator("main h1").count() == 1, path
    assert path_of(page.url) != "/en/packages/getting-started", "redirect pages forward the reader"
    missing = [(p, s) for p, s in reader.site.requests if s >= 400]
    assert not missing, missing


# --- Accessibility ---------------------------------------------------------------------------------

AXE_PAGES = [
    ("/en/", "light", 1280),                      # home
    ("/en/packages/", "light", 1280),             # product landing
    (ARTICLE + "/", "light", 1280),               # article (with a task list, a table, alerts)
    ("/en/enterprise-server@3.14/admin/configuring-package-storage/", "dark", 1280),
    ("/fr/packages/learn/", "light", 390),        # category, on a phone
]

def serious_violations(result: dict) -> list[str]:
    bad = []
    for v in result["violations"]:
        if v["impact"] not in ("serious", "critical"):
            continue
        nodes = v["nodes"]
        if nodes:
            bad.append(f"{v['impact']}: {v['id']} ({v['help']}): " + ", ".join(str(n["target"]) for n in nodes[:5]))
    return bad


def run_axe(reader, path: str, **options) -> dict:
    page = reader.open(path, **options)
    page.add_script_tag(path=str(AXE))
    return page.evaluate("axe.run()")


needs_axe = pytest.mark.skipif(not AXE.is_file(), reason="axe-core not installed (.ci/run installs it into .ci/node)")


@needs_axe
@pytest.mark.parametrize(("path", "scheme", "width"), AXE_PAGES, ids=[p for p, _, _ in AXE_PAGES])
def test_axe_finds_no_serious_or_critical_violations(reader, path, scheme, width):
    result = run_axe(reader, path, color_scheme=scheme, width=width)
    assert result["passes"], "axe ran no checks"
    bad = serious_violations(result)
    assert not bad, "\n".join(bad)


@needs_axe
def test_task_list_checkboxes_have_labels(reader):
    result = run_axe(reader, ARTICLE + "/")
    assert not serious_violations(result), "task-list checkboxes have no accessible name"


# --- Screenshots for the README ----------------------------------------------------------------------

def test_screenshots_of_an_article_in_light_and_dark(reader):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page = reader.open(QUICKSTART + "/", color_scheme=scheme, width=1280, height=900)
        page.evaluate("document.fonts.ready")
        target = SCREENSHOTS / f"article-{scheme}.png"
        page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000

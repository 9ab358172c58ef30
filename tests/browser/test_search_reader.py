"""The reader's search on a built site: shards merged into one list, the count, "Load more",
the product of each result, scope (this version and this language), French and Japanese
queries, escaping, and the keyboard alone.

The bundled site is built without search, then indexed again with shards of at most four records
(tests/browser/search_site.py), so every language has several shards to merge. The index holds
every version of a language; the reader filters by the version being read.
"""

from __future__ import annotations


import pytest

from tests.browser.conftest import Reader, build_site, checked_reader, copy_example_site, serve, skip_without_browser

skip_without_browser()

from tests.browser.search_site import records_of, shard_site  # noqa: E402 - after the skip

pytestmark = pytest.mark.browser

QUICKSTART = "/en/packages/quickstart/"


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    base = tmp_path_factory.mktemp("sharded")
    root, out = copy_example_site(base)
    # a page whose title and text look like markup: the results must show them as text
    page = root / "content" / "packages" / "learn" / "about-packages.md"
    text = page.read_text("utf-8")
    text = text.replace("title: 'About {% data variables.product.prodname_packages %}'",
                        "title: 'About <img src=x onerror=alert(1)> packages'", 1).replace(
        "\n---\n", "\n---\n\nThe word zanzibar is written here with <b>tags</b> &amp; entities: &lt;script&gt;.\n", 1)
    page.write_text(text, "utf-8")
    status, log = build_site(root, out, "--no-search")
    assert status == 0, log
    shard_site(out, pages=4)
    with serve(out) as served:
        yield served


@pytest.fixture
def reader(browser, sharded):
    with checked_reader(browser, sharded) as r:
        yield r


def settled(page, query: str) -> None:
    """Wait until the results of `query` (or its "no results" message) are shown."""
    page.wait_for_function(
        """q => { const r = document.getElementById('search-results');
                  const input = document.getElementById('search-input');
                  return input.value === q && !r.hidden && r.dataset.query === q; }""",
        arg=query, timeout=20_000)


def search(page, query: str) -> list[str]:
    page.locator("#search-input").fill(query)
    settled(page, query)
    return shown(page)


def shown(page) -> list[str]:
    return page.locator("#search-results a.search-result").evaluate_all(
        "as => as.map(a => new URL(a.href).pathname)")


def expected_urls(site, version: str, lang: str, word: str) -> set[str]:
    """The pages of one version and language whose indexed text holds `word`."""
    return {r.url for r in records_of(site.out) if r.version == version and r.lang == lang
            and word in (r.title + r.html).lower()}


def test_merged_shards_count_and_load_more(reader):
    site = reader.site
    shards = (site.out / "_pagefind" / "en" / "shards.json").read_text("utf-8")
    assert shards.count("/_pagefind/en/") >= 3, shards  # several shards to merge
    every = expected_urls(site, "fpt", "en", "nimbus")
    assert len(every) > 10
    page = reader.open(QUICKSTART)
    first = search(page, "nimbus")
    assert len(first) == 10
    count = page.locator("#search-results .search-count").inner_text()
    assert count == f"{len(every)} results for “nimbus”"
    page.wait_for_function("t => document.getElementById('live-region').textContent === t", arg=count)
    more = page.locator("#search-results button.search-more")
    assert more.is_visible() and more.inner_text() == "Load more results"
    more.click()
    page.wait_for_function("n => document.querySelectorAll('#search-results a.search-result').length === n",
                           arg=len(every))
    assert set(u.rstrip("/") for u in shown(page)) == every  # the results of one index: every page, once
    assert more.is_hidden()
    # one result for a word of one page: the singular form
    assert search(page, "whoami") == ["/en/packages/quickstart"]
    assert page.locator("#search-results .search-count").inner_text() == "1 result for “whoami”"


def test_results_show_title_product_excerpt_and_headings(reader):
    page = reader.open("/en/")
    search(page, "whoami")
    result = page.locator("#search-results li.search-item").first
    assert result.locator(".search-result-title").inner_text() == "Quickstart for Nimbus Packages"
    assert result.locator(".search-result-product").inner_text() == "Nimbus Packages"
    assert result.locator(".search-result-excerpt mark").first.inner_text().lower() == "whoami"
    # the heading the word is under links to its section
    subs = result.locator("a.search-subresult").evaluate_all("as => as.map(a => new URL(a.href).hash)")
    assert "#creating-an-access-token" in subs
    # an administration page (Enterprise Server only) shows its own product
    page = reader.open("/en/enterprise-server@3.17/")
    search(page, "storage")
    products = set(page.locator("#search-results .search-result-product").all_inner_texts())
    assert products == {"Administration", "Nimbus Packages"}, products


def test_results_are_text_never_markup(reader):
    page = reader.open(QUICKSTART)
    assert search(page, "zanzibar") == ["/en/packages/learn/about-packages"]
    title = page.locator("#search-results .search-result-title").inner_text()
    assert title == "About <img src=x onerror=alert(1)> packages"
    excerpt = page.locator("#search-results .search-result-excerpt").first
    assert "zanzibar" in excerpt.inner_text()
    # only text and <mark> inside the results: no element made from the index's text
    tags = page.evaluate("""() => [...document.querySelectorAll('#search-results *')].map(e => e.tagName.toLowerCase())""")
    assert set(tags) <= {"p", "ul", "li", "a", "span", "mark", "button"}, set(tags)


def test_scoped_to_the_version_and_language_being_read(reader):
    site = reader.site
    # "blob" is only in Enterprise Server text: found there, not on Free, Pro, & Team
    assert not expected_urls(site, "fpt", "en", "blob") and expected_urls(site, "ghes-3.16", "en", "blob")
    page = reader.open(QUICKSTART)
    assert search(page, "blob") == []
    assert page.locator("#search-results .search-message").inner_text() == "No results found"
    page = reader.open("/en/enterprise-server@3.16/packages/quickstart/")
    found = search(page, "blob")
    assert found and all(u.startswith("/en/enterprise-server@3.16/") for u in found), found
    assert len(found) == len(expected_urls(site, "ghes-3.16", "en", "blob"))
    # a record shared by several versions opens in the version being read, headings included
    assert search(page, "whoami") == ["/en/enterprise-server@3.16/packages/quickstart"]
    subs = page.locator("#search-results a.search-subresult").evaluate_all(
        "as => as.map(a => new URL(a.href).pathname + new URL(a.href).hash)")
    assert "/en/enterprise-server@3.16/packages/quickstart#creating-an-access-token" in subs, subs
    # the same word from a French page of another release: French pages of that release only
    page = reader.open("/fr/enterprise-server@3.15/packages/quickstart/")
    found = search(page, "whoami")
    assert found == ["/fr/enterprise-server@3.15/packages/quickstart"], found


def test_french_query(reader):
    page = reader.open("/fr/packages/quickstart/")
    every = expected_urls(reader.site, "fpt", "fr", "jeton")
    found = search(page, "jeton")
    assert found and all(u.startswith("/fr/packages/") for u in found), found
    assert set(found) <= every
    count = page.locator("#search-results .search-count").inner_text()
    n = len(every)
    assert count == (f"{n} résultats pour « jeton »" if n > 1 else f"{n} résultat pour « jeton »")
    assert "Démarrage rapide avec Nimbus Packages" in page.locator("#search-results .search-result-title").all_inner_texts()
    assert search(page, "zqxwvk") == []
    assert page.locator("#search-results .search-message").inner_text() == "Aucun résultat"


def test_japanese_query(reader):
    page = reader.open("/ja/packages/quickstart/")
    found = search(page, "トークン")
    assert "/ja/packages/quickstart" in found, found
    assert all(u.startswith("/ja/packages/") for u in found), found
    count = page.locator("#search-results .search-count").inner_text()
    assert count == f"「トークン」の検索結果: {len(found)} 件"
    assert page.locator("#search-results .search-result-title").first.inner_text() == "Nimbus Packages のクイックスタート"


def test_keyboard_only(reader):
    page = reader.open("/en/packages/learn/publishing-a-package/")
    page.locator("main h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-input"
    page.keyboard.type("nimbus")
    settled(page, "nimbus")
    focused = "() => { const a = document.activeElement; return a.className + ' ' + (a.getAttribute('href') || a.textContent); }"
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused).startswith("search-result ")
    page.keyboard.press("ArrowDown")
    second = page.evaluate(focused)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-input"
    # End reaches "Load more"; Enter loads ten more and moves to the first of them
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    assert page.evaluate(focused).startswith("search-more ")
    before = len(shown(page))
    page.keyboard.press("Enter")
    page.wait_for_function("n => document.querySelectorAll('#search-results a.search-result').length > n", arg=before)
    assert page.evaluate("document.activeElement.className") == "search-result"
    assert page.evaluate("[...document.querySelectorAll('#search-results a.search-result')].indexOf(document.activeElement)") == before
    # Escape closes the results and gives the focus back to the box
    page.keyboard.press("Escape")
    assert page.locator("#search-results").is_hidden()
    assert page.evaluate("document.activeElement.id") == "search-input"
    # arrows open them again; Enter on a result opens it
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == second
    target = page.evaluate("document.activeElement.getAttribute('href')")
    with page.expect_navigation() as nav:
        page.keyboard.press("Enter")
    assert nav.value.status == 200 and page.url.split("#")[0].rstrip("/").endswith(target.split("#")[0])
    # Tab leaves the search box for the next control and closes the results
    page.keyboard.press("/")
    page.keyboard.type("whoami")
    settled(page, "whoami")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('form.search') === null")
    assert page.locator("#search-results").is_hidden()


def test_text_changed_by_an_incremental_build_is_found(browser, tmp_path):
    """Build, edit a reusable two articles include, build again into the same folder: the word
    only the edit added is found on both articles, in the versions built, and nowhere else."""
    root, out = copy_example_site(tmp_path)
    status, log = build_site(root, out)
    assert status == 0, log
    reusable = root / "data" / "reusables" / "package_registry" / "authenticate-steps.md"
    reusable.write_text(reusable.read_text("utf-8") + "\nKeep the okapiword token somewhere safe.\n", "utf-8")
    status, log = build_site(root, out)
    assert status == 0, log
    with serve(out) as served:
        r = Reader(browser, served)
        try:
            page = r.open(QUICKSTART)
            found = search(page, "okapiword")
            assert sorted(found) == ["/en/packages/learn/installing-a-package", "/en/packages/quickstart"], found
            assert page.locator("#search-results .search-count").inner_text() == "2 results for “okapiword”"
            page = r.open("/en/enterprise-server@3.15/packages/quickstart/")
            found = search(page, "okapiword")
            assert found and all(u.startswith("/en/enterprise-server@3.15/") for u in found), found
        finally:
            r.close()
        assert not r.errors, r.errors

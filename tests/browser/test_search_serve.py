"""Search under `docs-builder serve`: the box says the index is being prepared until it is,
then finds pages; after an edit the new text is found, by the edited page (which reloads) and by
a page opened before the edit (which fetches the new index when the box gets the focus again)."""

from __future__ import annotations

import threading

import pytest

from tests.browser.conftest import skip_without_browser

skip_without_browser()

pytestmark = pytest.mark.browser

WORD = "zzyzxquokka"  # no word of the site starts like it (no prefix fallback)


@pytest.fixture
def dev(tmp_path):
    from tests.test_serve import _served

    for root, base, _renderer, search, stop in _served(tmp_path, with_search=True, fill=True):
        yield root, base, search, stop


def results_for(page, query: str) -> tuple[str, list[str]]:
    """Type `query`; returns the message shown (or the count) and the result paths."""
    box = page.locator("#search-input")
    box.fill("")
    box.fill(query)
    page.wait_for_function(
        """q => { const r = document.getElementById('search-results');
                  const input = document.getElementById('search-input');
                  return input.value === q && !r.hidden && r.dataset.query === q; }""",
        arg=query, timeout=60_000)
    head = page.locator("#search-results .search-count, #search-results .search-message").first.inner_text()
    paths = page.locator("#search-results a.search-result").evaluate_all("as => as.map(a => new URL(a.href).pathname)")
    return head, paths


def test_serve_search_prepares_then_finds_and_follows_edits(dev, browser):
    root, base, search, stop = dev
    errors: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(base + "/en/packages/learn")
    # the index thread has not started: the box says so, and does not claim "No results"
    page.locator("#search-input").fill("whoami")
    page.wait_for_function("() => document.querySelector('#search-results .search-message')"
                           " && document.querySelector('#search-results .search-message').textContent"
                           " === document.getElementById('search-input').dataset.preparing")
    # once it is written, the same box shows the results by itself
    threading.Thread(target=search.run, args=(stop,), daemon=True).start()
    page.wait_for_function("() => !!document.querySelector('#search-results a.search-result')", timeout=120_000)
    assert page.locator("#search-results a.search-result").evaluate_all(
        "as => as.map(a => new URL(a.href).pathname)") == ["/en/packages/quickstart"]
    assert results_for(page, WORD) == ("No results found", [])
    first = search.current

    # an edit: the new word is in the index once the server has rendered and indexed again
    article = root / "content" / "packages" / "quickstart.md"
    article.write_text(article.read_text("utf-8") + f"\nA {WORD} looked at the registry.\n", "utf-8")
    quick = context.new_page()
    quick.goto(base + "/en/packages/quickstart")
    deadline = 0
    while search.current == first and deadline < 600:  # at most a minute (not a timed assertion)
        quick.wait_for_timeout(100)
        deadline += 1
    assert search.current != first, search.problems
    quick.reload()
    head, paths = results_for(quick, WORD)
    assert paths == ["/en/packages/quickstart"] and head == f"1 result for “{WORD}”"
    # the page opened before the edit fetches the new index when its box gets the focus again
    page.locator("main h1").click()
    head, paths = results_for(page, WORD)
    assert paths == ["/en/packages/quickstart"], head
    context.close()
    assert not errors, errors

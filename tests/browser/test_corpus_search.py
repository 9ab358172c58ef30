"""Search on the GitHub Docs slice (../shared/corpus), when it is present: a French page of an
Enterprise Server 3.x release finds French pages of that release only."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.conftest import REPO, Reader, build_site, serve, skip_without_browser

skip_without_browser()

CORPUS = REPO.parent / "shared" / "corpus" / "github-docs"
OVERLAY = REPO.parent / "shared" / "corpus" / "github-docs-overlay"
if not (CORPUS.is_dir() and OVERLAY.is_dir()):
    pytest.skip("the GitHub Docs corpus is not present in ../shared/corpus", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

RELEASE = "enterprise-server@3.6"
START = f"/fr/{RELEASE}/packages/quickstart/"

ALL_RESULTS = """async ([index, version, query]) => {
  const shards = (await (await fetch(index)).json()).shards;
  const pf = await import(shards[0] + "pagefind.js");
  await pf.options({ baseUrl: "/" });
  for (const other of shards.slice(1)) await pf.mergeIndex(other);
  const found = await pf.search(query, { filters: { version } });
  return Promise.all(found.results.map(r => r.data().then(d => [d.url, d.filters.version])));
}"""


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory):
    """The slice plus its overlay (cp -r github-docs tmp && cp -r github-docs-overlay/. tmp/),
    built with --keep-going and search; the slice has broken links, so the status is 1."""
    base = tmp_path_factory.mktemp("corpus")
    root, out = base / "src", base / "site"
    shutil.copytree(CORPUS, root)
    shutil.copytree(OVERLAY, root, dirs_exist_ok=True)
    status, log = build_site(root, out, "--keep-going")
    assert status in (0, 1), log[-3000:]
    assert (out / START.strip("/") / "index.html").is_file(), log[-3000:]
    assert (out / "_pagefind" / "fr" / "shards.json").is_file(), log[-3000:]
    with serve(out) as served:
        yield served


def test_french_release_page_finds_french_pages_of_that_release_only(browser, corpus_site):
    reader = Reader(browser, corpus_site)
    try:
        page = reader.open(START)
        assert page.evaluate("document.documentElement.lang") == "fr"
        page.locator("#search-input").fill("container")
        page.locator("#search-results a.search-result").first.wait_for(timeout=15_000)
        shown = page.locator("#search-results a.search-result").evaluate_all(
            "as => as.map(a => new URL(a.href).pathname)")
        assert shown and all(u.startswith(f"/fr/{RELEASE}/") for u in shown), shown
        # every match, not only the ten shown, is French and of this release
        form = page.locator("form.search")
        index, version = form.get_attribute("data-search"), form.get_attribute("data-search-version")
        assert (index, version) == ("/_pagefind/fr/shards.json", "ghes-3.6")
        assert form.get_attribute("data-search-prefix") == f"/fr/{RELEASE}"
        every = page.evaluate(ALL_RESULTS, [index, version, "container"])
        assert len(every) >= len(shown)
        assert all(u.startswith("/fr/") and "ghes-3.6" in versions for u, versions in every), every
        # the English pages have their own index
        page = reader.open(f"/en/{RELEASE}/packages/quickstart/")
        index = page.locator("form.search").get_attribute("data-search")
        assert index == "/_pagefind/en/shards.json"
        english = page.evaluate(ALL_RESULTS, [index, version, "container"])
        assert english and all(u.startswith("/en/") and "ghes-3.6" in versions for u, versions in english), english
        # and the result opens a French page of the release
        page = reader.open(START)
        page.locator("#search-input").fill("container")
        first = page.locator("#search-results a.search-result").first
        first.wait_for(timeout=15_000)
        with page.expect_navigation() as nav:
            first.click()
        assert nav.value.status == 200 and f"/fr/{RELEASE}/" in page.url
    finally:
        reader.close()
    # The slice holds no images (/assets/...): those 404s are the input's, not the site's.
    failed = [(path, status) for path, status in corpus_site.requests if status >= 400]
    assert all(path.startswith("/assets/images/") for path, _ in failed), failed
    errors = [e for e in reader.errors if not (failed and "Failed to load resource" in e and "404" in e)]
    assert not errors, "\n".join(errors)

"""An archived release in a browser: its version picker lists the versions that /versions.json
names when the page opens (not those of the day it was archived)."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import Reader, build_site, copy_example_site, serve, skip_without_browser

skip_without_browser()

pytestmark = pytest.mark.browser

PAGE = "/en/enterprise-server@3.14/packages/quickstart"


@pytest.fixture(scope="module")
def archived_site(tmp_path_factory):
    from tests.conftest import run_cli

    base = tmp_path_factory.mktemp("archive")
    root, out = copy_example_site(base)
    status, log = build_site(root, out, "--no-search")
    assert status == 0, log
    result = run_cli("archive", "ghes@3.14", "--root", str(root), "--out", str(out))
    assert result.status == 0, result.stderr
    status, log = build_site(root, out, "--no-search")  # writes versions.json with the archive listed
    assert status == 0, log
    with serve(out) as served:
        yield served


def _picker_items(page) -> list[tuple[str, str, bool]]:
    page.locator("details.archive-picker[data-loaded=true]").wait_for(state="attached", timeout=10_000)
    page.locator("details.archive-picker summary").click()
    links = page.locator("details.archive-picker .picker-menu a")
    return [(links.nth(i).inner_text().strip(), links.nth(i).get_attribute("href"),
             links.nth(i).get_attribute("aria-current") == "true") for i in range(links.count())]


def test_archived_picker_lists_the_versions_of_versions_json(browser, archived_site):
    reader = Reader(browser, archived_site)
    try:
        page = reader.open(PAGE)
        banner = page.locator(".archive-banner")
        assert "Enterprise Server 3.14 is no longer supported" in banner.inner_text()
        assert banner.locator("a").get_attribute("href") == "/en/enterprise-server@3.17/packages/quickstart"
        assert _picker_items(page) == [
            ("Free, Pro, & Team", "/en/packages/quickstart", False),
            ("Enterprise Cloud", "/en/enterprise-cloud@latest/packages/quickstart", False),
            ("Enterprise Server 3.17", "/en/enterprise-server@3.17/packages/quickstart", False),
            ("Enterprise Server 3.16", "/en/enterprise-server@3.16/packages/quickstart", False),
            ("Enterprise Server 3.15", "/en/enterprise-server@3.15/packages/quickstart", False),
            ("Enterprise Server 3.14 (archived)", "/en/enterprise-server@3.14/packages/quickstart", True),
        ]
        # A later release appears and one goes: the archive is not touched, its picker follows.
        versions_file = archived_site.out / "versions.json"
        doc = json.loads(versions_file.read_text("utf-8"))
        doc["versions"] = [v for v in doc["versions"] if v["id"] != "enterprise-server@3.15"]
        doc["versions"].insert(2, {"id": "enterprise-server@3.18", "title": "Enterprise Server <3.18>",
                                   "segment": "enterprise-server@3.18"})
        versions_file.write_text(json.dumps(doc), "utf-8")
        page = reader.open(PAGE)
        titles = [title for title, _, _ in _picker_items(page)]
        assert titles == ["Free, Pro, & Team", "Enterprise Cloud", "Enterprise Server <3.18>",
                          "Enterprise Server 3.17", "Enterprise Server 3.16", "Enterprise Server 3.14 (archived)"]
        page.locator("details.archive-picker .picker-menu a").nth(3).click()
        page.wait_for_url(lambda url: "/en/enterprise-server@3.17/packages/quickstart" in url)
    finally:
        reader.close()
    assert not reader.errors, reader.errors

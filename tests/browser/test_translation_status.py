"""The translation status page in a browser: the axe audit finds nothing at all (any impact), in
English and in French, with a details table that lists repairs, fallbacks and orphans."""

from __future__ import annotations

import pytest

from tests.browser.conftest import AXE, build_site, checked_reader, copy_example_site, serve, skip_without_browser

skip_without_browser()

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def status_site(tmp_path_factory):
    """The example site, with a French page repaired, one that falls back and an orphan."""
    root, out = copy_example_site(tmp_path_factory.mktemp("status-site"))
    fr = root / "translations/fr-FR/content/packages"
    quickstart = fr / "quickstart.md"
    text = quickstart.read_text("utf-8")
    quickstart.write_text(text.replace("{% data ", "%{% data ", 1), "utf-8")
    (fr / "gone.md").write_text("---\ntitle: Partie\nversions: {fpt: '*'}\n---\nTexte.\n", "utf-8")
    status, log = build_site(root, out)
    assert status == 0, log
    with serve(out) as served:
        yield served


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core not installed (.ci/run installs it into .ci/node)")
@pytest.mark.parametrize(("path", "scheme"), [("/en/translation-status/", "light"), ("/fr/translation-status/", "light"),
                                              ("/fr/translation-status/", "dark")])
def test_status_page_has_no_axe_violation(browser, status_site, path, scheme):
    with checked_reader(browser, status_site) as reader:
        page = reader.open(path, color_scheme=scheme)
        if path.startswith("/fr/"):
            assert page.locator("table th").all_inner_texts() == ["État", "Page", "À revoir"]
            assert page.locator("#orphans").inner_text() == "Traductions sans page anglaise"
            assert "Réparé :" in page.locator("table").inner_text()
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run()")
    assert result["passes"], "axe ran no checks"
    found = [f"{v['impact']}: {v['id']} ({v['help']}): " + ", ".join(str(n["target"]) for n in v["nodes"][:5])
             for v in result["violations"]]
    assert not found, "\n".join(found)

"""`docs-builder explain PATH` and `check --explain` on small sites, the bundled one and the corpus."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import CORPUS, OVERLAY, REPO, page, run_cli, site_files, write_tree

PAGE_A = """\
Intro {% data variables.product.name %}.

{% ifversion ghes > 3.8 or fpt %}
New {% data reusables.shared %}
{% ifversion ghes %}Server only.{% endif %}
{% elsif ghes %}
Old.
{% else %}
Cloud.
{% endifversion %}

{% ifversion fpt or ghec or ghes %}Everyone.{% endif %}
"""
PAGE_B = """\
{% ifversion ghes > 3.8 %}Always.{% endif %}
{% data reusables.shared %}
{% ifversion ghes < 3.9 %}Never.{% endif %}
"""


@pytest.fixture
def root(tmp_path) -> Path:
    files = site_files({"a.md": page("A", PAGE_A), "b.md": page("B", PAGE_B, versions="{ghes: '>= 3.9'}"),
                        "c.md": page("C", "{% ifversion ghes > 3.9 or fpt %}New.{% endif %}\n", versions="{ghes: '*'}")})
    files["data/reusables/shared.md"] = "{% ifversion fpt %}Dotcom{% else %}Server{% endif %}\n"
    files["data/variables/product.yml"] = "name: Product\n"
    return write_tree(tmp_path / "site-src", files)


def explain(root: Path, *args: str):
    return run_cli("explain", "--root", str(root), *args)


def test_page_lists_every_block_with_its_versions_and_verdict(root):
    result = explain(root, "content/a.md")
    assert result.status == 0, result.stderr
    assert result.stdout == """\
content/a.md: page, in fpt, ghec, ghes (5 versions)

  5:7     {% data variables.product.name %}
  7:1     {% ifversion ghes > 3.8 or fpt %}  true in fpt, ghes 3.9-3.10
  8:5       {% data reusables.shared %}
  9:1       {% ifversion ghes %}  true in ghes 3.9-3.10
  10:1    {% elsif ghes %}  true in ghes; rendered in ghes 3.8
  12:1    {% else %}  rendered in ghec
  16:1    {% ifversion fpt or ghec or ghes %}  true in fpt, ghec, ghes
            redundant: condition 'fpt or ghec or ghes' is always true where it is evaluated (fpt, ghec, ghes); \
remove the condition and keep its text

3 blocks, 5 branches: 0 dead, 1 redundant, 0 simplifiable, 0 unreached
"""
    assert result.stderr == ""


def test_page_as_json_nests_blocks_in_their_branches(root):
    result = explain(root, "content/a.md", "--format", "json")
    assert result.status == 0
    doc = json.loads(result.stdout)
    assert doc["file"] == "content/a.md" and doc["kind"] == "page" and doc["language"] == "en"
    assert doc["versions"] == ["free-pro-team@latest", "enterprise-cloud@latest", "enterprise-server@3.10",
                               "enterprise-server@3.9", "enterprise-server@3.8"]
    assert doc["data"] == [{"name": "variables.product.name", "kind": "variable", "line": 5, "col": 7}]
    first, everyone = doc["blocks"]
    new, old, other = first["branches"]
    assert (new["tag"], new["condition"], new["line"], new["col"]) == ("ifversion", "ghes > 3.8 or fpt", 7, 1)
    assert new["true_in"] == new["rendered_in"] == ["free-pro-team@latest", "enterprise-server@3.10", "enterprise-server@3.9"]
    assert new["data"] == [{"name": "reusables.shared", "kind": "reusable", "line": 8, "col": 5}]
    nested = new["blocks"][0]["branches"][0]
    assert nested["evaluated_in"] == new["rendered_in"]  # within its parent
    assert nested["true_in"] == ["enterprise-server@3.10", "enterprise-server@3.9"]
    assert (old["tag"], old["evaluated_in"], old["rendered_in"], old["verdict"]) == (
        "elsif", ["enterprise-cloud@latest", "enterprise-server@3.8"], ["enterprise-server@3.8"], "ok")
    assert (other["tag"], other["condition"], other["rendered_in"]) == ("else", None, ["enterprise-cloud@latest"])
    verdict = everyone["branches"][0]
    assert verdict["verdict"] == "redundant" and verdict["simplest"] is None
    assert verdict["message"].startswith("condition 'fpt or ghec or ghes' is always true")
    assert doc["summary"] == {"blocks": 3, "branches": 5, "dead": 0, "redundant": 1, "simplifiable": 0, "unreached": 0}


@pytest.mark.parametrize("name", ["reusables.shared", "data/reusables/shared.md"])
def test_reusable_is_judged_in_the_versions_of_the_pages_that_include_it(root, name):
    result = explain(root, name)
    assert result.status == 0, result.stderr
    assert result.stdout == """\
data/reusables/shared.md: reusable, included in fpt, ghes 3.9-3.10 (3 versions) by 2 pages:
  content/a.md: fpt, ghes 3.9-3.10
  content/b.md: ghes 3.9-3.10

  1:1     {% ifversion fpt %}  true in fpt
  1:26    {% else %}  rendered in ghes 3.9-3.10

1 block, 2 branches: 0 dead, 0 redundant, 0 simplifiable, 0 unreached
"""


def test_simplifiable_condition_shows_its_simplest_equivalent(root):
    result = explain(root, "content/c.md")
    assert result.stdout == """\
content/c.md: page, in ghes (3 versions)

  5:1     {% ifversion ghes > 3.9 or fpt %}  true in ghes 3.10
            simplifiable: 'ghes > 3.9' is true in the same versions where it is evaluated (ghes)

1 block, 1 branch: 0 dead, 0 redundant, 1 simplifiable, 0 unreached
"""
    branch = json.loads(explain(root, "content/c.md", "--format", "json").stdout)["blocks"][0]["branches"][0]
    assert (branch["verdict"], branch["simplest"], branch["message"]) == ("simplifiable", "ghes > 3.9", None)


def test_reusable_no_page_includes(root):
    (root / "data/reusables/alone.md").write_text("{% ifversion ghes %}x{% endif %}\n")
    doc = json.loads(explain(root, "reusables.alone", "--format", "json").stdout)
    assert doc["versions"] == [] and doc["included_by"] == []
    assert doc["blocks"][0]["branches"][0]["verdict"] == "unreached"
    assert explain(root, "reusables.alone").stdout.startswith(
        "data/reusables/alone.md: reusable, included by no page in any version\n")


def test_check_explain_warns_of_dead_and_redundant_conditions(root):
    result = run_cli("check", "--root", str(root), "--explain")
    assert result.status == 0
    assert result.stderr.split("\nchecked ")[0] == """\
content/a.md:16:14: warning[DB651]: condition 'fpt or ghec or ghes' is always true where it is evaluated (fpt, ghec, ghes); remove the condition and keep its text
  16 | {% ifversion fpt or ghec or ghes %}Everyone.{% endif %}
     |              ^^^^^^^^^^^^^^^^^^^

content/b.md:5:14: warning[DB651]: condition 'ghes > 3.8' is always true where it is evaluated (ghes 3.9-3.10); remove the condition and keep its text
  5 | {% ifversion ghes > 3.8 %}Always.{% endif %}
    |              ^^^^^^^^^^

content/b.md:7:14: warning[DB650]: condition 'ghes < 3.9' is never true where it is evaluated (ghes 3.9-3.10), so its text is never rendered; remove the branch
  7 | {% ifversion ghes < 3.9 %}Never.{% endif %}
    |              ^^^^^^^^^^"""
    assert "0 errors, 3 warnings" in result.stderr
    plain = run_cli("check", "--root", str(root))
    assert "DB65" not in plain.stderr and "0 errors, 0 warnings" in plain.stderr


def test_check_explain_keeps_content_errors_failing(root):
    (root / "content/b.md").write_text(page("B", PAGE_B + "{% data variables.product.nope %}\n", versions="{ghes: '*'}"))
    result = run_cli("check", "--root", str(root), "--explain", "--format", "json")
    assert result.status == 1
    found = [d["code"] for d in json.loads(result.stdout)["diagnostics"]]
    assert "DB220" in found and "DB651" in found


@pytest.mark.parametrize("path, code, message", [
    ("README.md", "DB652", "PATH 'README.md' is not a page or a reusable; name a page (content/....md), a reusable "
                           "(data/reusables/....md), a translation of one, or reusables.a.b"),
    ("content/nope.md", "DB652", "page 'content/nope.md' does not exist"),
    ("reusables.nope", "DB652", "PATH 'reusables.nope' names no reusable: expected data/reusables/nope.md"),
    ("data/reusables/nope.md", "DB652", "reusable 'data/reusables/nope.md' does not exist"),
    ("content/a b.md", "DB652", "page 'content/a b.md' does not exist"),
    ("content//a.md", "DB652", "PATH 'content//a.md' contains a '//' segment; name a page"),
    ("../outside.md", "DB653", "PATH '../outside.md' is outside the site's root"),
    ("content/../../outside.md", "DB653", "PATH 'content/../../outside.md' is outside the site's root"),
])
def test_bad_path_is_a_usage_error(root, path, code, message, monkeypatch):
    monkeypatch.chdir(root)
    (root.parent / "outside.md").write_text(page("Outside", "{% ifversion ghes %}x{% endif %}\n"))
    result = explain(root, path)
    assert result.status == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error[{code}]: {message}")


def test_paths_from_the_current_folder_inside_the_root_work(root, monkeypatch):
    expected = explain(root, "content/b.md").stdout
    monkeypatch.chdir(root / "content")
    assert explain(root, "b.md").stdout == expected
    assert explain(root, "../data/reusables/shared.md").stdout == explain(root, "reusables.shared").stdout


def test_absolute_paths_inside_the_root_work_and_outside_are_refused(root, tmp_path):
    assert explain(root, str(root / "content/a.md")).status == 0
    outside = tmp_path / "elsewhere.md"
    outside.write_text(page("Elsewhere", "x\n"))
    result = explain(root, str(outside), "--format", "json")
    assert result.status == 2
    diag = json.loads(result.stdout)["diagnostics"][0]
    assert diag["code"] == "DB653" and diag["message"].startswith(f"PATH '{outside}' is outside the site's root")


def test_symbolic_link_out_of_the_root_is_refused(root, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "x.md").write_text("{% ifversion ghes %}secret{% endif %}\n")
    os.symlink(secret, root / "data/reusables/linked")
    result = explain(root, "data/reusables/linked/x.md")
    assert result.status == 2
    assert result.stderr.startswith("error[DB653]: PATH 'data/reusables/linked/x.md' leads outside the site's root "
                                    "through a symbolic link")
    assert "secret" not in result.stdout


def test_page_whose_liquid_does_not_parse_lists_its_errors(root):
    (root / "content/a.md").write_text(page("A", "{% ifversion ghes %}never closed\n"))
    result = explain(root, "content/a.md")
    assert result.status == 1
    assert "content/a.md:5:1: error[DB203]" in result.stderr


def test_unbuilt_page_and_translation_options(root):
    (root / "content/orphan.md").write_text(page("Orphan", "x\n"))
    result = explain(root, "content/orphan.md")
    assert (result.status, result.stderr.strip()) == (
        2, "error[DB652]: page 'content/orphan.md' is not built: no 'children' list reaches it")
    result = explain(root, "content/a.md", "--language", "xx")
    assert result.status == 2 and "error[DB604]: --language 'xx' is not configured" in result.stderr


def test_bundled_translation_by_path_and_by_language():
    by_path = run_cli("explain", "--root", str(REPO), "translations/fr-FR/content/packages/learn/about-packages.md")
    by_lang = run_cli("explain", "--root", str(REPO), "content/packages/learn/about-packages.md", "--language", "fr")
    assert by_path.status == by_lang.status == 0
    assert by_path.stdout == by_lang.stdout
    assert by_path.stdout.startswith("translations/fr-FR/content/packages/learn/about-packages.md: translated page "
                                     "of content/packages/learn/about-packages.md, in fpt, ghec, ghes (6 versions)")
    french = run_cli("explain", "--root", str(REPO), "reusables.package_registry.token-intro", "--language", "fr")
    assert french.status == 0
    assert french.stdout.startswith("translations/fr-FR/data/reusables/package_registry/token-intro.md: translated "
                                    "reusable, included in fpt, ghec, ghes (6 versions) by 2 pages:\n"
                                    "  translations/fr-FR/content/packages/learn/publishing-a-package.md: fpt, ghec, ghes\n")
    missing = run_cli("explain", "--root", str(REPO), "reusables.package_registry.npmrc-config", "--language", "fr")
    assert (missing.status, missing.stderr.strip()) == (2, (
        "error[DB652]: reusable 'reusables.package_registry.npmrc-config' has no fr translation (expected "
        "translations/fr-FR/data/reusables/package_registry/npmrc-config.md); explain "
        "data/reusables/package_registry/npmrc-config.md instead"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    if not CORPUS.is_dir() or not OVERLAY.is_dir():
        pytest.skip("the GitHub Docs corpus is not present")
    root = tmp_path_factory.mktemp("corpus") / "gd"
    shutil.copytree(CORPUS, root)
    shutil.copytree(OVERLAY, root, dirs_exist_ok=True)
    return root


def test_corpus_check_explain_finds_dead_and_redundant_conditions(corpus):
    result = run_cli("check", "--root", str(corpus), "--explain", "--language", "en", "--format", "json")
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] in ("DB650", "DB651")]
    dead = [d for d in found if d["code"] == "DB650"]
    redundant = [d for d in found if d["code"] == "DB651"]
    assert dead and redundant
    assert all(d["severity"] == "warning" and d["line"] and d["source"] for d in found)
    assert any(d["message"].startswith("condition 'ghae' is never true") for d in dead)


def test_corpus_page_and_reusable_explained(corpus):
    page_ = run_cli("explain", "--root", str(corpus),
                    "content/packages/working-with-a-github-packages-registry/working-with-the-docker-registry.md")
    assert page_.status == 0, page_.stderr
    assert "redundant: condition 'ghes > 2.22' is always true" in page_.stdout
    reusable = run_cli("explain", "--root", str(corpus), "reusables.package_registry.authenticate-packages",
                       "--format", "json")
    assert reusable.status == 0, reusable.stderr
    assert json.loads(reusable.stdout)["included_by"]

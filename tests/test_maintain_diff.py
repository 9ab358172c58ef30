"""`docs-builder diff A B`: exact text, JSON and Markdown reports on a small site, exit codes,
and a run on the GitHub Docs slice when it is present."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import CORPUS, OVERLAY, page, run_cli, site_files, write_tree

GUIDE = """\
Read this first.

{% ifversion ghes > 3.9 %}
New in this release: | pipes <b>.
{% endif %}

{% data reusables.note %}

The end.
"""


@pytest.fixture
def root(tmp_path):
    files = site_files({
        "guide.md": page("Guide", GUIDE),
        "new.md": page("New feature", "Only here.\n", versions="{ghes: '>=3.10'}"),
        "old.md": page("Old `ways` | <here>", "Gone later.\n", versions="{ghes: '<3.10'}"),
        "same.md": page("Same", "Nothing depends on the version.\n"),
        "titled.md": page("'{% ifversion ghes %}Server{% else %}Cloud{% endif %} setup'", "Body.\n"),
    })
    files["data/reusables/note.md"] = "{% ifversion ghes = 3.9 %}Old note.{% else %}Current note.{% endif %}\n"
    return write_tree(tmp_path / "src", files)


TEXT = """\
--- enterprise-server@3.9
+++ enterprise-server@3.10
only in enterprise-server@3.9: content/old.md (/old)
only in enterprise-server@3.10: content/new.md (/new)
changed: content/guide.md (/guide)
  @@ body: data/reusables/note.md:1 {% ifversion ghes = 3.9 %} (included from content/guide.md:11); content/guide.md:7 {% ifversion ghes > 3.9 %}
  - Old note.
  + New in this release: | pipes <b>.
  +
  + Current note.
1 only in enterprise-server@3.9, 1 only in enterprise-server@3.10, 1 page changed, 3 the same
"""


def test_text_report_lists_pages_of_one_version_and_blocks_with_their_conditions(root):
    result = run_cli("diff", "ghes@3.9", "enterprise-server@3.10", "--root", str(root))
    assert result.stdout == TEXT
    assert result.stderr == ""
    assert result.status == 1


def test_same_versions_exit_0(root):
    result = run_cli("diff", "fpt", "ghec", "--root", str(root))
    assert result.stdout.splitlines()[-1] == ("no differences between free-pro-team@latest and "
                                              "enterprise-cloud@latest (4 pages the same)")
    assert result.status == 0


def test_title_difference_is_located_at_the_frontmatter_key(root):
    result = run_cli("diff", "ghes@3.10", "fpt", "--root", str(root), "--format", "json")
    doc = json.loads(result.stdout)
    titled = next(p for p in doc["changed"] if p["source"] == "content/titled.md")
    assert titled["hunks"] == [{
        "property": "title",
        "causes": [{"at": "content/titled.md:2",
                    "tag": "title: '{% ifversion ghes %}Server{% else %}Cloud{% endif %} setup'",
                    "included_from": []}],
        "a": [{"at": "content/titled.md:2", "text": "Server setup"}],
        "b": [{"at": "content/titled.md:2", "text": "Cloud setup"}],
    }]
    assert result.status == 1


def test_json_report(root):
    result = run_cli("diff", "ghes@3.9", "ghes@3.10", "--root", str(root), "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["a"] == "enterprise-server@3.9" and doc["b"] == "enterprise-server@3.10"
    assert doc["only_in_a"] == [{"source": "content/old.md", "url": "/old", "title": "Old `ways` | <here>"}]
    assert doc["only_in_b"] == [{"source": "content/new.md", "url": "/new", "title": "New feature"}]
    assert doc["same"] == 3 and doc["problems"] == []
    assert doc["changed"] == [{
        "source": "content/guide.md", "url": "/guide", "title": "Guide",
        "hunks": [{
            "property": "body",
            "causes": [
                {"at": "data/reusables/note.md:1", "tag": "{% ifversion ghes = 3.9 %}",
                 "included_from": ["content/guide.md:11"]},
                {"at": "content/guide.md:7", "tag": "{% ifversion ghes > 3.9 %}", "included_from": []},
            ],
            "a": [{"at": "data/reusables/note.md:1", "text": "Old note."}],
            "b": [{"at": "content/guide.md:8", "text": "New in this release: | pipes <b>."},
                  {"at": "data/reusables/note.md:1", "text": "Current note."}],
        }],
    }]


MARKDOWN = """\
### Differences between Enterprise Server 3.9 and Enterprise Server 3.10

1 only in Enterprise Server 3.9, 1 only in Enterprise Server 3.10, 1 page changed, 3 the same.

#### Only in Enterprise Server 3.9

| Page | URL | Source |
| --- | --- | --- |
| Old \\`ways\\` \\| &lt;here&gt; | `/en/enterprise-server@3.9/old` | `content/old.md` |

#### Only in Enterprise Server 3.10

| Page | URL | Source |
| --- | --- | --- |
| New feature | `/en/enterprise-server@3.10/new` | `content/new.md` |

#### Changed

<details><summary>Guide (<code>content/guide.md</code>): 1 difference</summary>

body: `data/reusables/note.md:1` `{% ifversion ghes = 3.9 %}` (included from `content/guide.md:11`), \
`content/guide.md:7` `{% ifversion ghes > 3.9 %}`

```diff
- Old note.
+ New in this release: | pipes <b>.
+
+ Current note.
```

</details>
"""


def test_markdown_report_escapes_titles_for_a_pull_request_comment(root):
    result = run_cli("diff", "ghes@3.9", "ghes@3.10", "--root", str(root), "--format", "markdown")
    assert result.stdout == MARKDOWN + "\n"
    assert result.status == 1


@pytest.mark.parametrize("args, message", [
    (["ghes", "fpt"], "error[DB670]: diff A 'ghes' names 3 versions (enterprise-server@3.10, enterprise-server@3.9, "
                      "enterprise-server@3.8); name one, such as ghes@3.10"),
    (["fpt", "ghes@3.7"], "error[DB670]: diff B 'ghes@3.7' is a deprecated release: it is no longer built from the "
                          "sources; supported: enterprise-server@3.10, enterprise-server@3.9, enterprise-server@3.8"),
])
def test_a_version_that_is_not_one_supported_version_is_a_usage_error(root, args, message):
    result = run_cli("diff", *args, "--root", str(root))
    assert result.stderr.strip() == message
    assert result.status == 2


def test_a_page_whose_liquid_fails_is_reported_and_exits_2(root):
    (root / "content" / "guide.md").write_text(page("Guide", "{% ifversion ghes %}never closed\n"), "utf-8")
    result = run_cli("diff", "ghes@3.9", "ghes@3.10", "--root", str(root))
    assert "content/guide.md:5:1: error[DB" in result.stderr
    assert "changed: content/guide.md" not in result.stdout
    assert result.status == 2


@pytest.mark.skipif(not (CORPUS.is_dir() and OVERLAY.is_dir()), reason="GitHub Docs corpus not present")
def test_corpus_release_diff_names_the_conditions(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    shutil.copytree(OVERLAY, root, dirs_exist_ok=True)
    result = run_cli("diff", "ghes@3.4", "ghes@3.7", "--root", str(root), "--format", "json")
    doc = json.loads(result.stdout)
    assert result.status in (1, 2)  # some pages of the slice use pre-2021 syntax (errors)
    changed = {p["source"]: p for p in doc["changed"]}
    perms = changed["content/packages/learn-github-packages/about-permissions-for-github-packages.md"]
    assert any(c["tag"] == "{% ifversion docker-ghcr-enterprise-migration %}"
               for h in perms["hunks"] for c in h["causes"])
    quick = changed["content/packages/quickstart.md"]
    assert any(c["included_from"] == ["content/packages/quickstart.md:65"]
               for h in quick["hunks"] for c in h["causes"])

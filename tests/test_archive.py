"""`docs-builder archive RELEASE --out DIR`: the frozen pages, their banner and picker, and what
later builds into DIR do with them (keep them byte for byte, build nothing over them, write
versions.json, check links into them), before and after the release is deprecated."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import CORPUS, OVERLAY, VERSIONS_YML, page, run_cli, site_files, write_tree

LANGUAGES = "en: {name: English}\nfr: {name: French, dir: translations/fr-FR}\n"


@pytest.fixture
def root(tmp_path):
    files = site_files({
        "guide.md": page("Guide", "Read [the setup](/setup).\n\n{% ifversion ghes < 3.9 %}Old servers only.{% endif %}\n"),
        "setup.md": page("Set <up>", "Steps.\n"),
        "legacy.md": page("Legacy", "Only on 3.8.\n", versions="{ghes: '<3.9'}"),
    })
    files["data/languages.yml"] = LANGUAGES
    files["translations/fr-FR/content/guide.md"] = page("Guide FR", "Lisez [la configuration](/setup).\n")
    return write_tree(tmp_path / "src", files)


def _files(folder: Path) -> dict[str, tuple[bytes, int]]:
    """rel path -> (bytes, mtime_ns) of every file under `folder`."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


def _archive_state(out: Path) -> dict:
    state = {}
    for folder in ("en/enterprise-server@3.8", "fr/enterprise-server@3.8", "_archive/enterprise-server@3.8"):
        state.update({f"{folder}/{k}": v for k, v in _files(out / folder).items()})
    return state


def _deprecate(root: Path, release: str = "3.8") -> None:
    text = VERSIONS_YML.replace(f', "{release}"]', "]").replace('deprecated: ["3.7"', f'deprecated: ["{release}", "3.7"')
    (root / "data" / "versions.yml").write_text(text, "utf-8")


def test_archive_writes_frozen_pages_with_banner_picker_and_marker(root):
    out = root / "site"
    assert run_cli("build", "--root", str(root)).status == 0
    result = run_cli("archive", "ghes@3.8", "--root", str(root), "--out", str(out))
    assert result.status == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        f"archived enterprise-server@3.8: 8 pages in en, fr into {out}; 0 errors, 0 warnings")
    marker = json.loads((out / "_archive/enterprise-server@3.8/archive.json").read_text("utf-8"))
    assert marker == {"format": 1, "version": "enterprise-server@3.8", "title": "Enterprise Server 3.8",
                      "languages": ["en", "fr"], "pages": ["", "guide", "legacy", "setup"]}
    html = (out / "en/enterprise-server@3.8/guide/index.html").read_text("utf-8")
    assert ('<div class="notice notice-warning archive-banner" role="note" data-pagefind-ignore><p>Enterprise '
            "Server 3.8 is no longer supported: this is an archived copy of its documentation, kept as it was. "
            '<a href="/en/enterprise-server@3.10/guide">See the latest version of this page</a></p></div>') in html
    assert "Old servers only." in html
    assert '<form class="search"' not in html
    assert '<meta name="robots" content="noindex">' in html
    assert 'href="/_archive/enterprise-server@3.8/_static/style.css"' in html
    assert '<script src="/_archive/enterprise-server@3.8/_static/archive.js" defer></script>' in html
    assert '"/_static/' not in html
    # without JavaScript: a plain link to the current version, and this one
    assert ('<ul class="picker-menu" aria-label="Choose a version"><li><a href="/en/enterprise-server@3.10/guide" '
            'hreflang="en" data-version="enterprise-server@3.10">Enterprise Server 3.10</a></li>') in html
    assert 'data-versions="/versions.json" data-lang="en" data-path="guide"' in html
    # a page that the latest release does not have: the banner leads to its home
    legacy = (out / "fr/enterprise-server@3.8/legacy/index.html").read_text("utf-8")
    assert '<a href="/fr/enterprise-server@3.10">See the latest documentation</a>' in legacy
    # escaped like every page: the title holds markup
    setup = (out / "en/enterprise-server@3.8/setup/index.html").read_text("utf-8")
    assert "Set &lt;up&gt;" in setup and "Set <up>" not in setup
    for rel in ("_static/style.css", "_static/site.js", "_static/archive.js"):
        assert (out / "_archive/enterprise-server@3.8" / rel).is_file()


def test_later_builds_keep_the_archive_untouched_and_list_it_in_versions_json(root):
    out = root / "site"
    assert run_cli("build", "--root", str(root)).status == 0
    assert run_cli("archive", "ghes@3.8", "--root", str(root), "--out", str(out)).status == 0
    before = _archive_state(out)
    assert len(before) > 10
    result = run_cli("build", "--root", str(root))  # incremental: 3.8 is still in versions.yml
    assert result.status == 0, result.stderr
    assert ("warning[DB674]: enterprise-server@3.8 is archived in --out (_archive/enterprise-server@3.8/archive.json): "
            "its pages are not built and its archive is kept as it is; remove it from the sources with "
            "`docs-builder deprecate ghes@3.8`") in result.stderr
    assert _archive_state(out) == before
    assert run_cli("build", "--root", str(root), "--clean").status == 0  # a whole new site swapped in
    assert _archive_state(out) == before
    (root / "content" / "setup.md").write_text(page("Set up", "New steps.\n"), "utf-8")
    _deprecate(root)
    result = run_cli("build", "--root", str(root))
    assert result.status == 0, result.stderr
    assert "DB674" not in result.stderr
    assert _archive_state(out) == before
    assert "New steps." in (out / "en/enterprise-server@3.9/setup/index.html").read_text("utf-8")
    versions = json.loads((out / "versions.json").read_text("utf-8"))
    assert versions == {
        "format": 1, "default_language": "en",
        "versions": [
            {"id": "free-pro-team@latest", "title": "Free, Pro, & Team", "segment": ""},
            {"id": "enterprise-cloud@latest", "title": "Enterprise Cloud", "segment": "enterprise-cloud@latest"},
            {"id": "enterprise-server@3.10", "title": "Enterprise Server 3.10", "segment": "enterprise-server@3.10"},
            {"id": "enterprise-server@3.9", "title": "Enterprise Server 3.9", "segment": "enterprise-server@3.9"},
        ],
        "archived": [{"id": "enterprise-server@3.8", "title": "Enterprise Server 3.8",
                      "segment": "enterprise-server@3.8", "languages": ["en", "fr"]}],
    }
    manifest = json.loads((out / ".build/manifest.json").read_text("utf-8"))
    assert not [p for p in manifest["outputs"] if "enterprise-server@3.8" in p]


def test_links_into_an_archived_release_are_checked_against_its_pages(root):
    out = root / "site"
    assert run_cli("archive", "ghes@3.8", "--root", str(root), "--out", str(out)).status == 0
    _deprecate(root)
    (root / "content" / "setup.md").write_text(
        page("Set up", "See [the old guide](/enterprise-server@3.8/guide) and [the legacy page](/en/enterprise-server@3.8/legacy).\n"),
        "utf-8")
    result = run_cli("build", "--root", str(root))  # a first build into a folder holding only the archive
    assert result.status == 0, result.stderr
    assert 'href="/en/enterprise-server@3.8/guide"' in (out / "en/setup/index.html").read_text("utf-8")
    (root / "content" / "setup.md").write_text(page("Set up", "See [gone](/enterprise-server@3.8/missing).\n"), "utf-8")
    result = run_cli("check", "--root", str(root))
    assert "no page at /missing in the archive of enterprise-server@3.8" in result.stderr
    assert result.status == 1


def test_archive_refuses_a_deprecated_release_and_an_existing_archive(root):
    out = root / "site"
    result = run_cli("archive", "ghes@3.7", "--root", str(root))
    assert result.stderr.strip() == (
        "error[DB671]: archive 'ghes@3.7': enterprise-server@3.7 is deprecated, so its pages are no longer in the "
        "sources and cannot be built; archive a release before `docs-builder deprecate` removes it")
    assert result.status == 2 and not out.exists()
    assert run_cli("archive", "ghes@3.8", "--root", str(root)).status == 0
    before = _archive_state(out)
    result = run_cli("archive", "enterprise-server@3.8", "--root", str(root))
    assert result.stderr.strip() == (
        f"error[DB672]: --out {out} already holds an archive of enterprise-server@3.8 "
        "(_archive/enterprise-server@3.8/archive.json); pass --replace to archive it again")
    assert result.status == 2
    assert _archive_state(out) == before
    (root / "content" / "setup.md").write_text(page("Set up", "Steps, revised.\n"), "utf-8")
    assert run_cli("archive", "ghes@3.8", "--root", str(root), "--replace").status == 0
    assert "Steps, revised." in (out / "en/enterprise-server@3.8/setup/index.html").read_text("utf-8")


def test_archive_with_content_errors_writes_nothing(root):
    (root / "content" / "guide.md").write_text(page("Guide", "{% ifversion ghes %}unclosed\n"), "utf-8")
    out = root / "site"
    result = run_cli("archive", "ghes@3.8", "--root", str(root))
    assert "error[DB" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("archive of enterprise-server@3.8 not written; 1 error")
    assert result.status == 1
    assert not (out / "_archive").exists() and not (out / "en").exists()
    assert not [p for p in os.listdir(root) if p.startswith(".archive-tmp-")]


def test_archived_output_is_deterministic(root, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli("archive", "ghes@3.8", "--root", str(root), "--out", str(a)).status == 0
    assert run_cli("archive", "ghes@3.8", "--root", str(root), "--out", str(b)).status == 0
    assert {k: v[0] for k, v in _files(a).items()} == {k: v[0] for k, v in _files(b).items()}


def test_a_damaged_marker_is_ignored_with_a_warning(root):
    out = root / "site"
    assert run_cli("archive", "ghes@3.8", "--root", str(root)).status == 0
    (out / "_archive/enterprise-server@3.8/archive.json").write_text('{"format": 1, "version": "../x"}', "utf-8")
    result = run_cli("check", "--root", str(root))
    assert (f"warning[DB673]: {out}/_archive/enterprise-server@3.8/archive.json does not name this folder's "
            "version, its languages and its pages; the archive of enterprise-server@3.8 is ignored") in result.stderr
    assert result.status == 0


@pytest.mark.skipif(not (CORPUS.is_dir() and OVERLAY.is_dir()), reason="GitHub Docs corpus not present")
def test_corpus_oldest_release_archives_with_keep_going(tmp_path):
    root, out = tmp_path / "corpus", tmp_path / "site"
    shutil.copytree(CORPUS, root)
    shutil.copytree(OVERLAY, root, dirs_exist_ok=True)
    result = run_cli("archive", "ghes@3.4", "--root", str(root), "--out", str(out), "--language", "fr",
                     "--keep-going")
    assert result.status == 1  # the slice has broken links: those pages are left out
    assert "pages with errors were left out (--keep-going)" in result.stderr.splitlines()[-1]
    html = (out / "fr/enterprise-server@3.4/packages/quickstart/index.html").read_text("utf-8")
    assert "archive-banner" in html and 'href="/fr/enterprise-server@3.7/packages/quickstart"' in html
    marker = json.loads((out / "_archive/enterprise-server@3.4/archive.json").read_text("utf-8"))
    assert marker["languages"] == ["fr"] and "packages/quickstart" in marker["pages"]

"""CI previews: `build --base-site DIR` makes a complete site equal to a clean full build, takes
what did not change from DIR and never modifies it; what happens when DIR cannot be used; a
shallow clone; `--changed-since` alone writes only the redirect stubs of the pages it builds."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import run_cli

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "GIT_CONFIG_NOSYSTEM": "1"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=GIT_ENV).stdout


def commit_all(root: Path, message: str = "base") -> None:
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def build(root: Path, out: Path, *args: str, status: int = 0):
    result = run_cli("build", "--root", str(root), "--out", str(out), *args)
    assert result.status == status, result.stderr
    return result


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple[str, int]]:
    """Every file under `folder`: digest of its bytes and its mode."""
    found = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and not p.is_symlink() and not rel.startswith(skip):
            found[rel] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mode)
    return found


def site_files(folder: Path) -> dict[str, str]:
    return {rel: digest for rel, (digest, _mode) in snapshot(folder, (".build/",)).items()}


_TARGET = re.compile(r'''(?:href|src)="(/[^"#?]*)|url=(/[^"'#?]*)''')


def missing_targets(site: Path) -> dict[str, str]:
    """Internal link, sidebar, asset and redirect targets of every HTML file that lead to no file."""
    missing = {}
    for page in site.rglob("*.html"):
        for m in _TARGET.finditer(page.read_text("utf-8")):
            url = unquote(m.group(1) or m.group(2))
            if url.startswith("//"):
                continue
            target = site / url.lstrip("/")
            if not (target.is_file() or (target / "index.html").is_file()):
                missing[url] = page.relative_to(site).as_posix()
    return missing


@pytest.fixture
def repo(src):
    commit_all(src)
    return src


def edit(path: Path, old: str | None, new: str) -> None:
    text = path.read_text("utf-8")
    if old is None:
        path.write_text(text + new, "utf-8")
    else:
        assert old in text, old
        path.write_text(text.replace(old, new, 1), "utf-8")


def edit_page(root: Path) -> None:
    edit(root / "content/packages/quickstart.md", None, "\nA sentence only the preview has.\n")


def edit_reusable(root: Path) -> None:
    edit(root / "data/reusables/package_registry/token-expiry.md", None, "\nA reusable sentence.\n")


def edit_translation(root: Path) -> None:
    edit(root / "translations/ja-JP/content/packages/quickstart.md", None, "\n追加の文。\n")


def delete_page(root: Path) -> None:
    (root / "content/admin/monitoring-storage-usage.md").unlink()
    (root / "translations/fr-FR/content/admin/monitoring-storage-usage.md").unlink()
    for rel in ("content/admin/index.md", "translations/fr-FR/content/admin/index.md"):
        edit(root / rel, "  - /monitoring-storage-usage\n", "")
    for rel in ("content/admin/configuring-package-storage.md",
                "translations/fr-FR/content/admin/configuring-package-storage.md"):
        path = root / rel
        path.write_text(path.read_text("utf-8").replace("/admin/monitoring-storage-usage", "/admin"), "utf-8")


def add_redirect(root: Path) -> None:
    edit(root / "content/packages/registries/npm-registry.md", "  - /packages/using-npm\n",
         "  - /packages/using-npm\n  - /packages/javascript-packages\n")


EDITS = {"page": edit_page, "reusable": edit_reusable, "translation": edit_translation,
         "deleted page": delete_page, "redirect": add_redirect}


@pytest.mark.parametrize("name", list(EDITS))
def test_preview_equals_a_clean_build_and_leaves_the_base_site_as_it_was(repo, tmp_path, name):
    base, preview, clean = tmp_path / "base", tmp_path / "preview", tmp_path / "clean"
    build(repo, base, "--no-search", "--base-url", "https://docs.example.com")
    before = snapshot(base)
    inodes = {p: p.stat().st_ino for p in base.rglob("*") if p.is_file()}
    EDITS[name](repo)
    result = build(repo, preview, "--no-search", "--base-site", str(base), "--changed-since", "HEAD",
                   "--base-url", "https://preview.example.com")
    assert "warning[" not in result.stderr, result.stderr
    if name != "deleted page":  # (a page fewer changes every sidebar of this small site)
        assert re.search(r"\(\d+ sources, [1-9]\d* unchanged\)", result.stderr), result.stderr  # from the base
    build(repo, clean, "--no-search", "--clean", "--base-url", "https://preview.example.com")
    assert site_files(preview) == site_files(clean)
    assert snapshot(base) == before  # not one byte of the base site changed ...
    assert {p: p.stat().st_ino for p in base.rglob("*") if p.is_file()} == inodes  # ... nor was replaced
    assert missing_targets(preview) == {}
    if name != "deleted page":
        linked = [p for p in preview.rglob("*") if p.is_file() and p.stat().st_nlink > 1]
        assert linked, "unchanged files are hard links to the base site's"


def test_preview_with_search_equals_a_clean_build_search_index_included(repo, tmp_path):
    base, preview, clean = tmp_path / "base", tmp_path / "preview", tmp_path / "clean"
    build(repo, base)
    before = snapshot(base)
    edit_page(repo)
    edit_reusable(repo)
    build(repo, preview, "--base-site", str(base))  # no --changed-since: the base's digests are trusted
    build(repo, clean, "--clean")
    assert site_files(preview) == site_files(clean)
    assert any(p.startswith("_pagefind/") for p in site_files(preview))
    assert snapshot(base) == before
    assert missing_targets(preview) == {}


def test_a_preview_replaces_an_older_preview_and_keeps_files_of_its_own(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCS_BUILDER_SYNC_CLEANUP", "1")  # replaced sites are deleted before the build returns
    base, preview, clean = tmp_path / "base", tmp_path / "preview", tmp_path / "clean"
    build(repo, base, "--no-search")
    build(repo, preview, "--no-search", "--base-site", str(base))
    (preview / "CNAME").write_text("preview.example.com\n", "utf-8")
    delete_page(repo)
    build(repo, preview, "--no-search", "--base-site", str(base))
    build(repo, clean, "--no-search")
    assert not (preview / "en/admin/monitoring-storage-usage/index.html").exists()
    assert (preview / "CNAME").read_text("utf-8") == "preview.example.com\n"
    files = site_files(preview)
    files.pop("CNAME")
    assert files == site_files(clean)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".docs-builder-")]


def test_the_base_url_alone_does_not_force_a_full_build(repo, tmp_path):
    base, preview = tmp_path / "base", tmp_path / "preview"
    build(repo, base, "--no-search", "--base-url", "https://docs.example.com")
    pages = len(list((base / "en").rglob("index.html")))
    result = build(repo, preview, "--no-search", "--base-site", str(base), "--base-url", "https://pr-7.example.com")
    m = re.search(r"\((\d+) sources, (\d+) unchanged\)", result.stderr)
    assert m and m.group(1) == m.group(2), result.stderr  # every page taken from the base
    assert "https://pr-7.example.com/en/packages/quickstart/" in (preview / "sitemap.xml").read_text("utf-8")
    assert pages and "https://docs.example.com/" in (base / "sitemap.xml").read_text("utf-8")


# A base site that cannot be used: a warning, then the whole site ------------------------------


def _fallback(repo: Path, tmp_path: Path, base: Path, *extra: str) -> str:
    preview, clean = tmp_path / "preview", tmp_path / "clean"
    result = build(repo, preview, "--no-search", "--base-site", str(base), *extra)
    build(repo, clean, "--no-search")
    assert site_files(preview) == site_files(clean)
    return result.stderr


def test_a_missing_base_site_is_a_warning_then_a_full_build(repo, tmp_path):
    stderr = _fallback(repo, tmp_path, tmp_path / "nothing")
    assert f"warning[DB620]: --base-site {tmp_path / 'nothing'} does not exist; building the whole site" in stderr


def test_a_folder_that_is_not_a_site_is_a_warning(repo, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "index.html").write_text("hello", "utf-8")
    stderr = _fallback(repo, tmp_path, other)
    assert f"--base-site {other} is not a docs-builder site (no .build/manifest.json); building the whole site" in stderr


def test_a_damaged_base_site_is_a_warning(repo, tmp_path):
    base = tmp_path / "base"
    build(repo, base, "--no-search")
    manifest = base / ".build/manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b"quickstart", b"quickstarT", 1))
    stderr = _fallback(repo, tmp_path, base)
    assert f"--base-site {base} is damaged: .build/manifest.json does not match its checksum" in stderr


def test_a_base_site_missing_a_file_is_a_warning(repo, tmp_path):
    base = tmp_path / "base"
    build(repo, base, "--no-search")
    (base / "en/packages/quickstart/index.html").unlink()
    stderr = _fallback(repo, tmp_path, base)
    assert (f"--base-site {base} is damaged: it has no regular file 'en/packages/quickstart/index.html', "
            "which its manifest lists; building the whole site") in stderr


def test_a_base_site_built_with_other_settings_is_a_warning(repo, tmp_path):
    base = tmp_path / "base"
    build(repo, base, "--no-search", "--language", "en")
    stderr = _fallback(repo, tmp_path, base)
    assert (f"--base-site {base} was built with other languages (en there, en, fr, ja here); "
            "building the whole site") in stderr
    base2 = tmp_path / "base2"
    build(repo, base2)
    preview = tmp_path / "preview2"
    result = build(repo, preview, "--no-search", "--base-site", str(base2))
    assert "was built with other search setting (on there, off here)" in result.stderr
    base3 = tmp_path / "base3"
    build(repo, base3, "--no-search", "--no-markdown", "--language", "en")
    result = build(repo, tmp_path / "preview3", "--no-search", "--language", "en", "--base-site", str(base3))
    assert "was built with other Markdown setting (off there, on here)" in result.stderr


def test_a_base_site_built_from_another_commit_is_a_warning(repo, tmp_path):
    base = tmp_path / "base"
    build(repo, base, "--no-search")
    edit_page(repo)
    commit_all(repo, "second")
    head = git(repo, "rev-parse", "HEAD").strip()
    stderr = _fallback(repo, tmp_path, base, "--changed-since", "HEAD")
    assert f"--base-site {base} was built from commit " in stderr
    assert f"not from HEAD ({head[:12]}); building the whole site" in stderr
    # Built from HEAD~1 it is: no warning, and only what changed is built.
    result = build(repo, tmp_path / "p2", "--no-search", "--base-site", str(base), "--changed-since", "HEAD~1")
    assert "warning[" not in result.stderr and " unchanged)" in result.stderr


def test_out_must_not_be_inside_the_base_site_nor_hold_it(repo, tmp_path):
    base = tmp_path / "base"
    build(repo, base, "--no-search")
    before = snapshot(base)
    for out, where in ((base / "preview", "is inside"), (tmp_path, "holds")):
        result = build(repo, out, "--no-search", "--base-site", str(base), status=2)
        assert f"error[DB622]: --out {out} {where} --base-site {base}; " in result.stderr
        assert "the preview goes to another folder, or to the base site itself" in result.stderr
    assert snapshot(base) == before


@pytest.mark.parametrize("search", [False, True])
def test_a_preview_in_the_base_site_itself_equals_a_clean_build(repo, tmp_path, search):
    """`--out DIR --base-site DIR` (CI, where DIR is a copy downloaded for this preview): nothing
    is linked, DIR becomes the preview, and its change list is the preview's."""
    base, clean = tmp_path / "base", tmp_path / "clean"
    flags = [] if search else ["--no-search"]
    build(repo, base, *flags)
    kept = base / "en/packages/learn/index.html"
    inode = kept.stat().st_ino
    edit_page(repo)
    edit_reusable(repo)
    git(repo, "commit", "-qam", "pull request")
    result = build(repo, base, *flags, "--base-site", str(base), "--changed-since", "HEAD~1")
    assert "warning[" not in result.stderr, result.stderr
    assert re.search(r"\(\d+ sources, [1-9]\d* unchanged\)", result.stderr), result.stderr
    build(repo, clean, *flags, "--clean")
    assert site_files(base) == site_files(clean)
    assert kept.stat().st_ino == inode  # an unchanged page stayed where it was
    changes = json.loads((base / ".build/changes.json").read_text("utf-8"))
    changed = {c["path"] for c in changes["changes"]}
    assert "en/packages/quickstart/index.html" in changed and "en/packages/learn/index.html" not in changed
    # From another commit than --changed-since names, the base is not trusted: a full build.
    edit_page(repo)
    git(repo, "commit", "-qam", "another")
    result = build(repo, base, *flags, "--base-site", str(base), "--changed-since", "HEAD~2")
    assert "warning[DB620]" in result.stderr and "building the whole site" in result.stderr
    build(repo, clean, *flags, "--clean")
    assert site_files(base) == site_files(clean)


def test_the_manifest_records_the_source_commit(repo, tmp_path):
    out = tmp_path / "out"
    build(repo, out, "--no-search")
    manifest = json.loads((out / ".build/manifest.json").read_text("utf-8"))
    assert manifest["format"] == 4
    assert manifest["source"] == {"commit": git(repo, "rev-parse", "HEAD").strip(), "dirty": False}
    entry = manifest["outputs"]["en/packages/quickstart/index.html"]
    assert entry["page"] == "packages/quickstart.md" and entry["lang"] == "en"
    assert entry["digest"] == hashlib.blake2b((out / "en/packages/quickstart/index.html").read_bytes(),
                                              digest_size=16).hexdigest()
    edit_page(repo)
    build(repo, out, "--no-search")
    assert json.loads((out / ".build/manifest.json").read_text("utf-8"))["source"]["dirty"] is True
    # A commit that changes no output (a README, say) is still recorded: previews based on this
    # site compare it with their --changed-since.
    commit_all(repo, "page")
    (repo / "README.md").write_text("notes\n", "utf-8")
    commit_all(repo, "readme")
    result = build(repo, out, "--no-search")
    assert " unchanged)" in result.stderr
    manifest = json.loads((out / ".build/manifest.json").read_text("utf-8"))
    assert manifest["source"] == {"commit": git(repo, "rev-parse", "HEAD").strip(), "dirty": False}


# Shallow clones ---------------------------------------------------------------------------------


def test_a_ref_missing_from_a_shallow_clone_names_the_fetch_command(repo, tmp_path):
    git(repo, "branch", "base")
    edit_page(repo)
    commit_all(repo, "second")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "main", f"file://{repo}", str(clone)],
                   check=True, capture_output=True, env=GIT_ENV)
    out = tmp_path / "preview"
    result = run_cli("build", "--root", str(clone), "--out", str(out), "--no-search", "--changed-since", "base")
    assert result.status == 2
    assert (f"error[DB621]: --changed-since 'base' is not in the local history of this shallow clone at {clone}; "
            "fetch it first: git fetch --no-tags --depth=1 origin base:base") in result.stderr
    assert not out.exists()
    result = run_cli("build", "--root", str(clone), "--out", str(out), "--no-search", "--changed-since", "HEAD~1")
    assert result.status == 2 and "fetch it first: git fetch --deepen=1" in result.stderr
    # The command it names works.
    subprocess.run(["git", "-C", str(clone), "fetch", "--no-tags", "--depth=1", "origin", "base:base"],
                   check=True, capture_output=True, env=GIT_ENV)
    result = run_cli("build", "--root", str(clone), "--out", str(out), "--no-search", "--changed-since", "base")
    assert result.status == 0, result.stderr
    assert "A sentence only the preview has." in (out / "en/packages/quickstart/index.html").read_text("utf-8")


def test_a_base_site_preview_without_history_trusts_the_base_digests(repo, tmp_path):
    """Without --changed-since no git history is needed: a shallow clone builds its preview."""
    base = tmp_path / "base"
    build(repo, base, "--no-search")
    edit_page(repo)
    commit_all(repo, "second")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True,
                   capture_output=True, env=GIT_ENV)
    preview, clean = tmp_path / "preview", tmp_path / "clean"
    result = build(clone, preview, "--no-search", "--base-site", str(base))
    assert " unchanged)" in result.stderr and "warning[" not in result.stderr
    build(clone, clean, "--no-search")
    assert site_files(preview) == site_files(clean)


# --changed-since without a base site --------------------------------------------------------------


def test_changed_since_alone_writes_only_the_stubs_of_the_pages_it_builds(repo, tmp_path):
    edit_page(repo)
    out, full = tmp_path / "quick", tmp_path / "full"
    build(repo, out, "--no-search", "--changed-since", "HEAD")
    build(repo, full, "--no-search")
    stubs = [p for p in out.rglob("index.html") if "http-equiv=\"refresh\"" in p.read_text("utf-8")]
    all_stubs = [p for p in full.rglob("index.html") if "http-equiv=\"refresh\"" in p.read_text("utf-8")]
    assert 0 < len(stubs) < len(all_stubs)
    assert missing_targets(out) == {} or all(  # no stub leads to a page it did not build
        not (out / page).read_text("utf-8").count("http-equiv") for page in missing_targets(out).values())
    for stub in stubs:
        target = re.search(r'url=(/[^"]*)"', stub.read_text("utf-8")).group(1)
        assert (out / target.lstrip("/") / "index.html").is_file() or target == "/en", (stub, target)

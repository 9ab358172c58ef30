"""The file system as an untrusted source: every source is read through one function that refuses
links leading outside `--root`, and a source that cannot be read is a content error at the file
(a translation falls back to English), never an internal error or a traceback.

The tests run as root, for whom `chmod 000` does not make a file unreadable: the refusal is
injected at the one reading function instead (`builder.sources.files._read_bytes`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import builder.sources.files as files_module
from tests.conftest import LANGUAGES_YML, REPO, VERSIONS_YML, page, run_cli, write_tree

SECRET = "TOP-SECRET-7f3a9c"
"""Text of a file outside the site's root: it must never reach the output or the log."""

FR_LANGUAGES = LANGUAGES_YML + "fr: {name: French, dir: translations/fr}\n"

BASE = {
    "data/versions.yml": VERSIONS_YML,
    "data/languages.yml": FR_LANGUAGES,
    "content/index.md": page("Home", "Welcome.\n", versions="{fpt: '*'}", children="[/a, /b]"),
    "content/b.md": page("B", "Plain\n", versions="{fpt: '*'}"),
    "content/a.md": page("A", "Body {% data reusables.r %} {% data variables.v.x %}\n", versions="{fpt: '*'}"),
    "data/reusables/r.md": "from the reusable",
    "data/variables/v.yml": "x: from the variables\n",
    "data/features/f.yml": "versions:\n  ghes: '>= 3.9'\n",
    "data/ui.yml": "search:\n  label: Search\n",
    "templates/article.html": "{% extends 'base.html' %}\n{% block article %}SITE-TEMPLATE {{ page.body }}"
                              "{% endblock %}\n",
    "translations/fr/content/a.md": page("A", "Bonjour {% data reusables.r %} {% data variables.v.x %}\n",
                                         versions="{fpt: '*'}"),
    "translations/fr/data/variables/v.yml": "x: des variables\n",
}

# (file, exit status, what is printed)
KINDS = [
    pytest.param("content/a.md", 1, "error[DB109]: content/a.md cannot be read: permission denied", id="page"),
    pytest.param("data/reusables/r.md", 1, "error[DB109]: data/reusables/r.md cannot be read: permission denied",
                 id="reusable"),
    pytest.param("data/variables/v.yml", 1, "error[DB109]: data/variables/v.yml cannot be read: permission denied",
                 id="variable file"),
    pytest.param("data/features/f.yml", 1, "error[DB109]: data/features/f.yml cannot be read: permission denied",
                 id="feature file"),
    pytest.param("data/ui.yml", 1, "error[DB109]: data/ui.yml cannot be read: permission denied", id="ui.yml"),
    pytest.param("templates/article.html", 1,
                 "error[DB109]: templates/article.html cannot be read: permission denied", id="template"),
    pytest.param("translations/fr/content/a.md", 0,
                 "warning[DB502]: translation unusable, English is used instead: translations/fr/content/a.md "
                 "cannot be read: permission denied", id="translation"),
    pytest.param("translations/fr/data/variables/v.yml", 0,
                 "warning[DB502]: translation unusable, English is used instead: "
                 "translations/fr/data/variables/v.yml cannot be read: permission denied", id="translated variables"),
]


def _site(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "src", dict(BASE))


@pytest.fixture
def deny(monkeypatch):
    """Make the one reading function refuse one file as the OS refuses a file without permission."""
    real_read = files_module._read_bytes

    def install(path: Path) -> None:
        refused = os.path.realpath(path)

        def read(real: str) -> bytes:
            if real == refused:
                raise PermissionError(13, "Permission denied", real)
            return real_read(real)

        monkeypatch.setattr(files_module, "_read_bytes", read)

    return install


def test_the_site_builds_when_every_file_is_readable(tmp_path):
    root = _site(tmp_path)
    result = run_cli("build", "--root", str(root), "--no-search")
    assert result.status == 0, result.stderr
    html = (root / "site" / "fr" / "a" / "index.html").read_text("utf-8")
    assert "SITE-TEMPLATE" in html and "Bonjour" in html and "des variables" in html


@pytest.mark.parametrize("rel, status, message", KINDS)
@pytest.mark.parametrize("command", ["check", "build"])
def test_an_unreadable_source_is_reported_at_the_file(tmp_path, deny, rel, status, message, command):
    root = _site(tmp_path)
    deny(root / rel)
    result = run_cli(command, "--root", str(root), *(["--no-search"] if command == "build" else []))
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "internal error" not in output and "DB900" not in output
    assert f"{rel}:1:1: {message}" in result.stderr
    assert result.status == status, result.stderr
    assert "DB201" not in output and "DB220" not in output  # no second, misleading problem
    if status == 0 and command == "build":
        html = (root / "site" / "fr" / "a" / "index.html").read_text("utf-8")
        assert ("Body" if rel.endswith("a.md") else "from the variables") in html  # English is used


def _link_everything_outside(root: Path, secret: Path) -> list[str]:
    links = ["content/b.md", "data/reusables/r.md", "data/variables/v.yml", "data/features/f.yml",
             "data/ui.yml", "templates/article.html", "translations/fr/content/a.md"]
    for rel in links:
        (root / rel).unlink()
        os.symlink(secret, root / rel)
    return links


@pytest.mark.parametrize("command", ["check", "build"])
def test_symlinks_outside_the_root_are_errors_and_never_read(tmp_path, command):
    secret = tmp_path / "secret.md"
    secret.write_text(f"{SECRET}\n---\ntitle: {SECRET}\n---\n{SECRET}\n", "utf-8")
    root = _site(tmp_path)
    links = _link_everything_outside(root, secret)
    result = run_cli(command, "--root", str(root), *(["--no-search", "--keep-going"] if command == "build" else []))
    output = result.stdout + result.stderr
    assert SECRET not in output and str(secret) not in output
    assert result.status == 1
    for rel in links:
        severity = "warning[DB502]: translation unusable, English is used instead: " if rel.startswith(
            "translations/") else "error[DB310]: "
        assert (f"{rel}:1:1: {severity}{rel} is a symbolic link that leads outside the site's root, "
                "so it is not read") in result.stderr
    for path in (root / "site").rglob("*") if (root / "site").exists() else []:
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_a_folder_linked_outside_the_root_is_not_listed(tmp_path):
    outside = tmp_path / "elsewhere"
    write_tree(outside, {"index.md": page("Secret", SECRET), "leak.md": page("Leak", SECRET)})
    root = _site(tmp_path)
    os.symlink(outside, root / "content" / "ext")
    os.symlink(outside, root / "translations" / "fr" / "data" / "reusables")
    (root / "content" / "index.md").write_text(page("Home", "Hi\n", versions="{fpt: '*'}", children="[/a, /b, /ext]"))
    result = run_cli("build", "--root", str(root), "--no-search", "--keep-going")
    output = result.stdout + result.stderr
    assert SECRET not in output and "leak.md" not in output
    assert result.status == 1
    assert ("content/ext:1:1: error[DB310]: content/ext is a symbolic link that leads outside the site's root, so "
            "it is not read") in result.stderr
    assert ("translations/fr/data/reusables:1:1: warning[DB502]: translation unusable, English is used instead: "
            "translations/fr/data/reusables is a symbolic link that leads outside the site's root, so "
            "translations/fr/data/reusables/r.md is not read") in result.stderr
    assert result.stderr.count("error[") == 1
    built = [p for p in (root / "site").rglob("*.html")]
    assert built and not any(SECRET in p.read_text("utf-8") for p in built)


def test_links_inside_the_root_keep_working(tmp_path):
    root = _site(tmp_path)
    write_tree(root, {"shared/r.md": "shared reusable text", "shared/a.md": page("A", "Shared {% data reusables.r %}\n",
                                                                                 versions="{fpt: '*'}")})
    for rel, target in (("data/reusables/r.md", "../../shared/r.md"), ("content/a.md", "../shared/a.md")):
        (root / rel).unlink()
        os.symlink(target, root / rel)
    result = run_cli("build", "--root", str(root), "--no-search")
    assert result.status == 0, result.stderr
    assert "shared reusable text" in (root / "site" / "en" / "a" / "index.html").read_text("utf-8")


@pytest.mark.parametrize("rel", ["data/reusables/r.md", "data/ui.yml", "translations/fr/content/a.md",
                                 "templates/article.html"])
def test_a_pipe_where_a_file_is_expected_does_not_hang(tmp_path, rel):
    root = _site(tmp_path)
    (root / rel).unlink()
    os.mkfifo(root / rel)
    result = subprocess.run([sys.executable, "-m", "builder", "check", "--root", str(root)], capture_output=True,
                            text=True, timeout=60, cwd=REPO)
    assert f"{rel} cannot be read: not a regular file (a device, pipe or socket)" in result.stderr
    assert result.returncode == (0 if rel.startswith("translations/") else 1), result.stderr


def test_a_content_folder_that_cannot_be_listed_is_reported(tmp_path, monkeypatch):
    root = _site(tmp_path)
    write_tree(root, {"content/b/index.md": page("B", "Inside\n", versions="{fpt: '*'}")})
    (root / "content" / "b.md").unlink()
    refused = os.path.join(root, "content", "b")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == refused:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run_cli("check", "--root", str(root))
    assert "content/b:1:1: error[DB109]: content/b cannot be read: permission denied" in result.stderr
    assert result.status == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("error[") == 1, result.stderr  # not also a missing child

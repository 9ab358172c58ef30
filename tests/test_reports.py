"""Complete reports from `check` and `build`: pages under a broken index, the --keep-going
summary, hints for links to a page's former path, alert markers with text, and progress."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys

import pytest

from builder.core import progress
from tests.conftest import REPO, page, run_cli, write_tree, site_files

FPT = "{fpt: '*'}"
BROKEN_INDEX = "---\ntitle: Product\nversions: {fpt: '*'}\nchildren: [/a, /b, /c\n---\n"


def _site(tmp_path, pages: dict[str, str], **more: str):
    files = site_files(pages, **more)
    files["data/site.yml"] = "base_url: https://docs.example.com\n"  # a sitemap, so no DB820 warning
    return write_tree(tmp_path / "src", files)


def _broken_product(tmp_path):
    """A product whose index cannot be loaded, above a page with a Liquid error (not written),
    a page with a broken link (written with errors) and a clean page."""
    return _site(tmp_path, {
        "prod/index.md": BROKEN_INDEX,
        "prod/a.md": page("A", "{% data reusables.nope %}\n", versions=FPT),
        "prod/b.md": page("B", "See [nowhere](/prod/nowhere).\n", versions=FPT),
        "prod/c.md": page("C", "Clean.\n", versions=FPT),
        "other.md": page("Other", "See [C](/prod/c).\n", versions=FPT),
    })


def test_pages_beneath_a_broken_index_are_checked(tmp_path):
    root = _broken_product(tmp_path)
    result = run_cli("check", "--root", str(root))
    assert result.status == 1
    err = result.stderr
    assert "content/prod/index.md:4:11: error[DB104]" in err
    # The pages beneath report their own problems at once, not a "not built" warning.
    assert "content/prod/a.md:5:9: error[DB220]: reusable 'reusables.nope' not found" in err
    assert "content/prod/b.md:5:15: error[DB401]: link '/prod/nowhere' is broken" in err
    assert "DB305" not in err
    assert ("warning[DB810]: content/prod/index.md could not be loaded (see its error): the 3 pages beneath it "
            "(content/prod/a.md, content/prod/b.md, content/prod/c.md) are still checked") in err
    # A link to one of them resolves (it was broken before the index's error was fixed).
    assert "/prod/c'" not in err


def test_keep_going_writes_the_pages_beneath_and_says_exactly_what_was_left_out(tmp_path):
    root = _broken_product(tmp_path)
    out = tmp_path / "out"
    result = run_cli("build", "--root", str(root), "--out", str(out), "--no-search", "--keep-going")
    assert result.status == 1
    assert (out / "en/prod/c/index.html").is_file() and (out / "en/prod/b/index.html").is_file()
    assert (out / "en/other/index.html").is_file()
    assert not (out / "en/prod/a/index.html").exists() and not (out / "en/prod/index.html").exists()
    lines = result.stderr.rstrip("\n").split("\n")
    assert lines[-3] == ("not written, 2 pages: content/prod/a.md (all 1 output), "
                         "content/prod/index.md (could not be loaded)")
    assert lines[-2] == "written with errors, 1 page: content/prod/b.md"
    assert re.match(rf"built \d+ pages \(5 sources\) into {re.escape(str(out))} in [\d.]+s; 3 errors, 1 warning "
                    r"\(--keep-going\)$", lines[-1]), lines[-1]
    assert "skipped" not in result.stderr


def test_keep_going_json_lists_the_pages(tmp_path):
    root = _broken_product(tmp_path)
    result = run_cli("build", "--root", str(root), "--out", str(tmp_path / "out"), "--no-search", "--keep-going",
                     "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["written"] is True
    assert doc["not_written"] == {"content/prod/a.md": "all 1 output", "content/prod/index.md": "could not be loaded"}
    assert doc["written_with_errors"] == ["content/prod/b.md"]


def test_keep_going_counts_the_versions_a_page_could_not_make(tmp_path):
    root = _site(tmp_path, {
        "a.md": page("A", "{% ifversion ghes %}{{ 1 | divided_by: 0 }}{% endif %}Text\n"),
    })
    result = run_cli("build", "--root", str(root), "--out", str(tmp_path / "out"), "--no-search", "--keep-going")
    assert result.status == 1
    # Written in the other two versions, where it has no error.
    assert result.stderr.rstrip("\n").split("\n")[-2] == "not written, 1 page: content/a.md (3 of 5 outputs)"
    assert (tmp_path / "out/en/a/index.html").is_file()


def test_a_broken_home_page_still_checks_the_products(tmp_path):
    root = _site(tmp_path, {
        "index.md": "---\ntitle: [Home\n---\n",
        "prod/index.md": page("Product", children="[/a]", versions=FPT),
        "prod/a.md": page("A", "See [x](/prod/x).\n", versions=FPT),
    })
    result = run_cli("check", "--root", str(root))
    assert result.status == 1
    assert "content/index.md:2:8: error[DB104]" in result.stderr
    assert "content/prod/a.md:5:9: error[DB401]: link '/prod/x' is broken" in result.stderr
    assert "the 1 page beneath it (content/prod/index.md)" in result.stderr


def test_the_pages_an_index_could_have_listed():
    from builder.sources.adopt import entries_beneath

    files = {"index.md", "p/index.md", "p/a.md", "p/cat/index.md", "p/cat/b.md", "p/loose/c.md",
             "p/loose/deeper/d.md", "q/e.md", "top.md"}
    # A sub-folder with its own index lists what is beneath it; one without could be listed as /loose/c.
    assert entries_beneath(files, "p/index.md") == ["p/a.md", "p/cat/index.md", "p/loose/c.md", "p/loose/deeper/d.md"]
    assert entries_beneath(files, "index.md") == ["p/index.md", "q/e.md", "top.md"]


# Hints for links to a former path --------------------------------------------------------

def _git(root, *args):
    subprocess.run(["git", "-C", str(root), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_link_to_a_renamed_page_names_the_new_path_from_git_history(tmp_path):
    repo = tmp_path / "repo"
    root = write_tree(repo / "docs", site_files({
        "guides/index.md": page("Guides", children="[/setup]", versions=FPT),
        "guides/setup.md": page("Set up", "Body\n", versions=FPT),
        "other.md": page("Other", "Read [set up](/guides/setup).\n", versions=FPT),
    }))
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "first")
    _git(repo, "mv", "docs/content/guides/setup.md", "docs/content/guides/install-the-registry.md")
    (root / "content/guides/index.md").write_text(page("Guides", children="[/install-the-registry]", versions=FPT))
    _git(repo, "commit", "-qam", "rename")
    commit = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%h"], capture_output=True,
                            text=True, check=True).stdout.strip()
    result = run_cli("check", "--root", str(root))
    assert result.status == 1
    assert (f"  = note: did you mean /guides/install-the-registry? content/guides/setup.md was renamed to "
            f"content/guides/install-the-registry.md in {commit}") in result.stderr
    assert ("  = note: or add `redirect_from: /guides/setup` to content/guides/install-the-registry.md so that "
            "old links keep working") in result.stderr


def test_a_link_to_a_page_moved_to_another_folder_names_it(tmp_path):
    root = _site(tmp_path, {
        "new/index.md": page("New", children="[/webhooks]", versions=FPT),
        "new/webhooks.md": page("Webhooks", "Body\n", versions=FPT),
        "other.md": page("Other", "Read [hooks](/old/webhooks).\n", versions=FPT),
    })
    result = run_cli("check", "--root", str(root))
    assert "  = note: did you mean /new/webhooks? (content/new/webhooks.md)" in result.stderr


def test_a_link_to_a_redirect_source_is_not_broken(tmp_path):
    root = _site(tmp_path, {
        "new.md": page("New", "Body\n", versions=FPT, redirect_from="[/old]"),
        "other.md": page("Other", "Read [old](/old).\n", versions=FPT),
    })
    result = run_cli("check", "--root", str(root))
    assert result.status == 0, result.stderr


def test_no_git_call_without_a_broken_link(tmp_path, monkeypatch):
    from builder.links import hints

    def refuse(root):
        raise AssertionError("git read without a broken link")

    monkeypatch.setattr(hints, "git_renames", refuse)
    root = _site(tmp_path, {"a.md": page("A", "Body\n", versions=FPT)})
    assert run_cli("check", "--root", str(root)).status == 0


# Alerts -------------------------------------------------------------------------------------

def test_alert_marker_with_text_renders_as_the_alert_and_warns(tmp_path):
    root = _site(tmp_path, {"a.md": page("A", "Intro.\n\n> [!NOTE] Read this first.\n> And this.\n", versions=FPT)})
    out = tmp_path / "out"
    result = run_cli("build", "--root", str(root), "--out", str(out), "--no-search")
    assert result.status == 0
    assert "content/a.md:7:1: warning[DB811]: `[!NOTE]` with text on its line" in result.stderr
    html = (out / "en/a/index.html").read_text("utf-8")
    assert '<div class="markdown-alert markdown-alert-note" data-container="alert">' in html
    assert "<p>Read this first.\nAnd this.</p>" in html
    assert "[!NOTE]" not in html and "<blockquote>" not in html


# Progress -----------------------------------------------------------------------------------

class Recorder(progress.Progress):
    def __init__(self):
        self.phases: list[list] = []

    def phase(self, name, total=0):
        self.phases.append([name, total, 0])

    def advance(self, steps=1):
        self.phases[-1][2] += steps


def test_the_pipeline_names_its_phases_and_counts_pages(tmp_path):
    root = _site(tmp_path, {"a.md": page("A", "Body\n"), "b.md": page("B", "Body\n")})
    recorder = Recorder()
    with progress.showing(recorder):
        assert run_cli("build", "--root", str(root), "--out", str(tmp_path / "out")).status == 0
    names = [p[0] for p in recorder.phases]
    assert names[:4] == ["loading sources", "titles and intros", "rendering pages", "checking links"]
    assert {"redirects and sitemap", "search index", "writing the manifest and cache",
            "putting the new site in place"} <= set(names)
    rendering = recorder.phases[names.index("rendering pages")]
    assert rendering[1:] == [3, 3]  # home, a and b: counted as each one is done


def _run_on_terminal(root, *args, env=None):
    """The CLI as a subprocess whose stderr is a pseudo-terminal; what the terminal received."""
    master, slave = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    environ.update(env or {})
    proc = subprocess.Popen([sys.executable, "-m", "builder", *args, "--root", str(root)], cwd=REPO,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=environ)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.stdout.read()
    proc.wait(timeout=120)
    return proc.returncode, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))


@pytest.fixture
def small_site(tmp_path):
    return _site(tmp_path, {f"p{i}.md": page(f"P{i}", "Body\n") for i in range(3)})


def test_progress_shows_phase_names_and_counts_on_a_terminal(small_site, tmp_path):
    status, shown = _run_on_terminal(small_site, "build", "--out", str(tmp_path / "out"))
    assert status == 0
    for name in ("loading sources", "titles and intros", "rendering pages", "checking links", "search index",
                 "putting the new site in place"):
        assert name in shown
    assert re.search(r"rendering pages .*\d/4", shown)
    assert "built 20 pages (4 sources)" in shown  # the line is removed before the report


@pytest.mark.parametrize("args, env", [
    (("--format", "json"), None),
    (("--format", "github"), None),
    ((), {"CI": "true"}),
])
def test_progress_is_quiet_in_ci_and_with_machine_formats(small_site, args, env):
    status, shown = _run_on_terminal(small_site, "check", *args, env=env)
    assert status == 0
    assert "rendering pages" not in shown and "loading sources" not in shown


def test_progress_is_quiet_when_stderr_is_not_a_terminal(small_site):
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.run([sys.executable, "-m", "builder", "check", "--root", str(small_site)], cwd=REPO,
                          capture_output=True, text=True, env=environ, timeout=120)
    assert proc.returncode == 0
    assert proc.stderr.startswith("checked 20 pages (4 sources)"), proc.stderr


def test_fixing_the_index_rebuilds_the_pages_beneath_as_a_clean_build_would(tmp_path):
    """Built outside the navigation with --keep-going, then the index is fixed: the incremental
    build equals a clean one (the pages move under their product)."""
    from tests.test_incremental import assert_same_as_clean, build

    root = _site(tmp_path, {
        "prod/index.md": BROKEN_INDEX.replace("[/a, /b, /c", "[/a, /c"),
        "prod/a.md": page("A", "Text\n", versions=FPT),
        "prod/c.md": page("C", "Clean.\n", versions=FPT),
        "other.md": page("Other", "See [C](/prod/c).\n", versions=FPT),
    })
    out = tmp_path / "out"
    first = run_cli("build", "--root", str(root), "--out", str(out), "--no-search", "--keep-going")
    assert first.status == 1 and (out / "en/prod/c/index.html").is_file()
    (root / "content/prod/index.md").write_text(BROKEN_INDEX.replace("[/a, /b, /c", "[/a, /c]"), "utf-8")
    build(root, out)
    assert (out / "en/prod/index.html").is_file()
    assert_same_as_clean(root, out, tmp_path)

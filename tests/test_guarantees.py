"""Guarantees: identical output whatever the jobs, hash seed or clock; an interrupted build
leaves the previous site untouched; an internal failure is one short message and exit 3;
`--changed-since` builds only what a change affects."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from builder.pipeline import pages as pages_module
from tests.conftest import REPO, VERSIONS_YML, page, run_cli, write_tree, site_files
from tests.test_build import tree_digest


def copy_example(dest: Path) -> Path:
    for part in ("content", "data", "translations"):
        shutil.copytree(REPO / part, dest / part)
    return dest


def cli_process(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    full_env = {**os.environ, **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "builder", *args], cwd=REPO, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


LANGUAGES_3 = ("en: {name: English}\nfr: {name: French, dir: translations/fr}\n"
               "ja: {name: Japanese, dir: translations/ja}\n")


def worker_site(root: Path, per_product: int = 20) -> Path:
    """Two products of `per_product` pages (more than the 32 a build makes in-process), linked
    to each other with AUTOTITLE, in three languages; some French pages fall back to English."""
    files = {"data/versions.yml": VERSIONS_YML, "data/languages.yml": LANGUAGES_3,
             "data/reusables/shared.md": "A shared note about **{% data variables.names.thing %}**.\n",
             "data/variables/names.yml": "thing: Widget\n",
             "content/index.md": page("Home", "Welcome.\n", children="[/alpha, /beta]")}
    for prod, other in (("alpha", "beta"), ("beta", "alpha")):
        kids = ", ".join(f"/p{i}" for i in range(per_product))
        files[f"content/{prod}/index.md"] = page(prod.title(), "Start here.\n", children=f"[{kids}]")
        for i in range(per_product):
            body = (f"## Part {i}\n\nSee [AUTOTITLE](/{other}/p{(i * 7) % per_product}) and "
                    "{% data reusables.shared %}\n\n{% ifversion ghes %}Server words.{% else %}Cloud words."
                    "{% endif %}\n\n- one\n- two\n")
            files[f"content/{prod}/p{i}.md"] = page(f"{prod.title()} page {i}", body,
                                                    intro=f"'Intro {i} of [AUTOTITLE](/{other}/p{i})'")
            if i % 2 == 0:
                link = f"/{other}/p{i}" if i % 4 else f"/{other}/gone-{i}"
                files[f"translations/fr/content/{prod}/p{i}.md"] = page(
                    f"{prod.title()} page {i} (fr)", f"## Partie {i}\n\nVoir [AUTOTITLE]({link}).\n")
            if i % 5 == 0:
                files[f"translations/ja/content/{prod}/p{i}.md"] = page(
                    f"{prod.title()} ページ {i}", f"## 部 {i}\n\n説明。\n")
    return write_tree(root, files)


# Runs the CLI with `init_worker` wrapped so that each worker process leaves a file in
# MARKER_DIR: the test then knows the pages really were built by worker processes.
WORKER_PROBE = """
import os, sys
from pathlib import Path
import builder.pipeline.workers as workers
original = workers.init_worker
def probe(*args, **kwargs):
    if args[-1] is True or kwargs.get("pool"):
        Path(os.environ["MARKER_DIR"], str(os.getpid())).touch()
    return original(*args, **kwargs)
workers.init_worker = probe
from builder.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_output_with_search_does_not_depend_on_jobs_hash_seed_or_clock(tmp_path):
    """Every file, search bundles and build state included, is the same whether the pages were
    built in one process or by workers, whatever the hash seed and time zone."""
    root = worker_site(tmp_path / "src")
    outs = []
    for i, (jobs, seed, tz) in enumerate([("1", "1", "UTC"), ("2", "12345", "Asia/Tokyo"), ("2", "99", "UTC")]):
        out, markers = tmp_path / f"out{i}", tmp_path / f"workers{i}"
        markers.mkdir()
        result = subprocess.run([sys.executable, "-c", WORKER_PROBE, "build", "--root", str(root), "--out", str(out),
                                 "--jobs", jobs], cwd=REPO, capture_output=True, text=True, timeout=300,
                                env={**os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "MARKER_DIR": str(markers)})
        assert result.returncode == 0, result.stderr
        assert "falls back to English" in result.stderr
        workers = len(list(markers.iterdir()))
        assert (workers > 0) == (jobs != "1"), f"--jobs {jobs}: {workers} worker processes"
        outs.append(tree_digest(out, ()))
    assert any(p.startswith("_pagefind/") for p in outs[0])
    assert any(p.startswith("ja/") for p in outs[0])
    for other in outs[1:]:
        assert sorted(set(outs[0]) ^ set(other)) == []
        assert [p for p in outs[0] if outs[0][p] != other[p]] == []


def big_site(root: Path, pages: int = 240) -> Path:
    children = ", ".join(f"/p{i}" for i in range(pages))
    files = {f"docs/p{i}.md": page(f"Page {i}", ("## Part\n\nSome *text* and a list:\n\n- a\n- b\n\n" * 20)
                                   + "{% ifversion ghes %}Server{% else %}Cloud{% endif %}\n") for i in range(pages)}
    files["docs/index.md"] = page("Docs", "Index.\n", children=f"[{children}]")
    return write_tree(root, site_files(files))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_build_leaves_the_previous_site_as_it_was(tmp_path, sig):
    root = big_site(tmp_path / "src")
    out = tmp_path / "out"
    assert run_cli("build", "--root", str(root), "--out", str(out), "--no-search").status == 0
    before = tree_digest(out, ())
    (root / "content/docs/p0.md").write_text(page("Changed", "Changed body.\n"), "utf-8")
    # deterministic: the build interrupts itself once 60 pages are built (tests/test_crash.py has more)
    fault = {signal.SIGINT: "int", signal.SIGTERM: "term"}[sig]
    proc = cli_process("build", "--root", str(root), "--out", str(out), "--no-search", "--clean", "--jobs", "2",
                       env={"DOCS_BUILDER_FAULT": f"page:60:{fault}"})
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert tree_digest(out, ()) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".docs-builder-staging-")]


def test_an_internal_failure_is_one_short_message_and_exit_3(make_site, monkeypatch):
    root = make_site({"docs/index.md": page("Docs", "x\n", children="[/a]"), "docs/a.md": page("A", "Body\n")})
    original = pages_module.PageBuilder._build

    def broken(self, pg, write, only=None):
        if pg.rel == "docs/a.md":
            raise RuntimeError("simulated bug")
        return original(self, pg, write, only)

    monkeypatch.setattr(pages_module.PageBuilder, "_build", broken)
    result = run_cli("build", "--root", str(root), "--jobs", "1", "--no-search")
    assert result.status == 3
    assert "error[DB900]: internal error while building content/docs/a.md: RuntimeError: simulated bug" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "site").exists()


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"})


def test_changed_since_builds_only_what_a_change_affects(tmp_path):
    root = copy_example(tmp_path / "src")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    quick = root / "content/packages/quickstart.md"
    quick.write_text(quick.read_text("utf-8") + "\nA preview sentence.\n", "utf-8")
    reusable = root / "data/reusables/package_registry/token-expiry.md"
    reusable.write_text(reusable.read_text("utf-8") + "\nAnother sentence.\n", "utf-8")
    out = tmp_path / "preview"
    result = run_cli("build", "--root", str(root), "--out", str(out), "--changed-since", "HEAD", "--no-search")
    assert result.status == 0, result.stderr
    built = {p.relative_to(out).as_posix() for p in out.rglob("index.html")
             if "<h1" in p.read_text("utf-8")}
    assert "en/packages/quickstart/index.html" in built
    assert "en/packages/learn/publishing-a-package/index.html" in built  # uses the edited reusable
    assert "en/packages/index.html" in built  # links to the edited page: its links are checked again
    assert "en/admin/configuring-package-storage/index.html" not in {b for b in built if b.startswith("en/admin/c")}
    assert len(built) < 100
    assert run_cli("build", "--root", str(root), "--changed-since", "no-such-ref").status == 2


def test_changed_since_checks_the_links_to_a_deleted_page(tmp_path):
    root = copy_example(tmp_path / "src")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    (root / "content/admin/monitoring-storage-usage.md").unlink()
    index = root / "content/admin/index.md"
    index.write_text(index.read_text("utf-8").replace("  - /monitoring-storage-usage\n", ""), "utf-8")
    result = run_cli("build", "--root", str(root), "--out", str(tmp_path / "preview"),
                     "--changed-since", "HEAD", "--no-search")
    assert result.status == 1
    # An unchanged page that links to the deleted one is built again, and its link fails.
    assert "content/admin/configuring-package-storage.md:" in result.stderr
    assert "'/admin/monitoring-storage-usage' is broken" in result.stderr


def test_the_build_cache_is_byte_identical_whatever_the_jobs(tmp_path):
    """More pages than a rebuild builds in-process, so --jobs 2 really uses worker processes."""
    root = tmp_path / "src"
    pages = {"docs/index.md": page("Docs", "x\n", children="[" + ", ".join(f"/p{i}" for i in range(40)) + "]")}
    for i in range(40):
        pages[f"docs/p{i}.md"] = page(f"P{i}", f"Body {i} with a [link](/docs/p{(i + 1) % 40}).\n\n## Part\n")
    write_tree(root, site_files(pages))
    outs = []
    for jobs, seed in (("1", "1"), ("2", "2")):
        out = tmp_path / f"out{jobs}"
        result = subprocess.run([sys.executable, "-m", "builder", "build", "--root", str(root), "--out", str(out),
                                 "--no-search", "--jobs", jobs], capture_output=True, text=True,
                                env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outs.append((out / ".build/cache.json").read_bytes())
    assert outs[0] == outs[1]


def test_changed_since_follows_reusables_inside_reusables(tmp_path):
    root = copy_example(tmp_path / "src")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    nested = root / "data/reusables/package_registry/scopes-table.md"
    nested.write_text(nested.read_text("utf-8") + "\nOne more row of explanation.\n", "utf-8")
    out = tmp_path / "preview"
    result = run_cli("build", "--root", str(root), "--out", str(out), "--changed-since", "HEAD", "--no-search")
    assert result.status == 0, result.stderr
    # Both pages include token-intro.md, which includes scopes-table.md.
    for path in ("en/packages/registries/container-registry/index.html", "en/packages/learn/publishing-a-package/index.html"):
        assert "One more row of explanation." in (out / path).read_text("utf-8"), path


def test_changed_since_into_a_built_site_keeps_the_other_pages(tmp_path):
    root = copy_example(tmp_path / "src")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    out = tmp_path / "site"
    assert run_cli("build", "--root", str(root), "--out", str(out), "--no-search").status == 0
    before = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    quick = root / "content/packages/quickstart.md"
    quick.write_text(quick.read_text("utf-8").replace("title: '", "title: 'Renamed ", 1)
                     .replace("shortTitle: Quickstart", "shortTitle: Renamed quickstart"), "utf-8")
    result = run_cli("build", "--root", str(root), "--out", str(out), "--changed-since", "HEAD", "--no-search")
    assert result.status == 0, result.stderr
    assert {p.relative_to(out).as_posix() for p in out.rglob("*.html")} == before
    assert "Renamed" in (out / "en/packages/quickstart/index.html").read_text("utf-8")
    # The next full build brings every page up to date (the sidebars showing the new title).
    assert run_cli("build", "--root", str(root), "--out", str(out), "--no-search").status == 0
    assert "Renamed" in (out / "en/packages/learn/about-packages/index.html").read_text("utf-8")

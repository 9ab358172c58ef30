"""Crash safety: a build killed (kill -9, SIGINT, SIGTERM) at any writer step leaves the old site or
the new one, and the next build cleans up and equals a clean build byte for byte; output-folder
problems are exit 2 (DB605); the writer refuses paths outside its staging folder.

The interruptions are deterministic: `DOCS_BUILDER_FAULT=STEP:N[:ACTION]` (builder/output/faults.py)
stops the build the N-th time it reaches a named writer step, or the N-th file system change of
a commit (`fs`), so no test depends on timing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from builder.core.paths import UnsafePath
from builder.output import commit
from builder.output.writer import StagingWriter
from tests.conftest import REPO, page, run_cli, site_files, write_tree

ENV = {"DOCS_BUILDER_SYNC_CLEANUP": "1"}
"""The replaced site is deleted before the build exits (not in the background), so a test can
check that nothing is left next to --out."""


VERSIONS = "{fpt: '*', ghes: '>= 3.10'}"


def source_v1(root: Path) -> Path:
    """Two products: `docs` stays as it is (its pages are reused), `other` changes in v2."""
    def pg(title: str, body: str, **extra: str) -> str:
        return page(title, body, versions=VERSIONS, **extra)

    pages = {f"docs/d{i}.md": pg(f"Doc {i}", f"Doc body {i}, see [AUTOTITLE](/docs/d{(i + 1) % 8}).\n")
             for i in range(8)}
    pages["docs/index.md"] = pg("Docs", "Index.\n", children="[" + ", ".join(f"/d{i}" for i in range(8)) + "]")
    pages["other/index.md"] = pg("Other", "Other index.\n", children="[/o1, /o2, /sub]")
    pages["other/o1.md"] = pg("Other 1", "Old body, see [AUTOTITLE](/docs/d1).\n")
    pages["other/o2.md"] = pg("Other 2", "Body 2.\n")
    pages["other/sub/index.md"] = pg("Sub", "Sub index.\n", children="[/s1, /s2]")
    pages["other/sub/s1.md"] = pg("Sub 1", "Body s1.\n")
    pages["other/sub/s2.md"] = pg("Sub 2", "Body s2.\n", redirect_from="[/old-two]")
    return write_tree(root, site_files(pages))


def to_v2(root: Path) -> None:
    """An edit, a deletion and a new page in `other`: an incremental build moves new files into
    the site and deletes the outputs of the deleted page."""
    other = root / "content" / "other"
    (other / "o1.md").write_text(page("Other 1", "New body.\n", versions=VERSIONS), "utf-8")
    (other / "sub" / "s2.md").unlink()
    (other / "sub" / "s3.md").write_text(page("Sub 3", "Brand new.\n", versions=VERSIONS,
                                              redirect_from="[/new-three]"), "utf-8")
    (other / "sub" / "index.md").write_text(page("Sub", "Sub index.\n", versions=VERSIONS,
                                                 children="[/s1, /s3]"), "utf-8")


def site_bytes(out: Path) -> dict[str, str]:
    """Every file of the site, `.build/manifest.json` included -> its digest. The build cache is
    left out: an incremental build keeps records of the build before, so it is not the bytes of
    a clean build's cache (it must only describe the same site, which the next build checks), nor
    the change list (what changed since the site before: not a clean build's)."""
    assert out.is_dir(), f"{out} is missing"
    return {rel: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()
            and not (rel := p.relative_to(out).as_posix()).startswith((".build/cache", ".build/changes"))}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((".docs-builder-", ".pagefind-")))


class Run:
    def __init__(self, returncode: int, stderr: str):
        self.returncode, self.stderr = returncode, stderr


def build_process(root: Path, out: Path, *args: str, fault: str | None = None, log: Path | None = None,
                  fresh: bool = False, search: bool = False, on_stop=None) -> Run:
    """`docs-builder build` in a child process (exit status, or -N when signal N ended it). The
    child is forked from this one, the builder already imported (fast enough to kill a build at
    many points); `fresh` starts a new interpreter (`python -m builder`) instead."""
    env = dict(ENV)
    if fault:
        env["DOCS_BUILDER_FAULT"] = fault
    if log:
        env["DOCS_BUILDER_FAULT_LOG"] = str(log)
    argv = ["build", "--root", str(root), "--out", str(out), *([] if search else ["--no-search"]), "--jobs", "1", *args]
    if fresh:
        full = {k: v for k, v in os.environ.items() if not k.startswith("DOCS_BUILDER_FAULT")}
        try:
            done = subprocess.run([sys.executable, "-m", "builder", *argv], cwd=REPO, env={**full, **env},
                                  capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired as err:
            pytest.fail(f"the build with DOCS_BUILDER_FAULT={fault} did not end: {err.stderr!r}")
        return Run(done.returncode, done.stderr)
    return _forked(argv, env, on_stop)


def _forked(argv: list[str], env: dict[str, str], on_stop=None) -> Run:
    """Run the CLI in a forked child; `on_stop(pid)` is called each time the child stops itself
    (the `stop` action), and must continue or end it."""
    from builder.cli.main import main

    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            code = 3
            try:
                os.dup2(output.fileno(), 1)
                os.dup2(output.fileno(), 2)
                sys.stdout = open(1, "w", closefd=False)
                sys.stderr = open(2, "w", closefd=False)
                for key in [k for k in os.environ if k.startswith("DOCS_BUILDER_FAULT")]:
                    del os.environ[key]
                os.environ.update(env)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                code = main(argv)
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
        while True:
            _, status = os.waitpid(pid, os.WUNTRACED)
            if not os.WIFSTOPPED(status):
                break
            assert on_stop is not None, "the build stopped itself, and nobody continues it"
            on_stop(pid)
        output.seek(0)
        return Run(os.waitstatus_to_exitcode(status), output.read())


def build_here(root: Path, out: Path, *args: str) -> None:
    result = run_cli("build", "--root", str(root), "--out", str(out), "--no-search", "--jobs", "1", *args)
    assert result.status == 0, result.stderr


def steps_of(root: Path, out: Path, *args: str, tmp: Path) -> list[tuple[str, int]]:
    """The named steps a build reaches, in order (run on a copy of `out`)."""
    trial = tmp / "trial"
    shutil.rmtree(trial, ignore_errors=True)
    if out.exists():
        shutil.copytree(out, trial, symlinks=True)
    log = tmp / "steps.log"
    log.unlink(missing_ok=True)
    result = build_process(root, trial, *args, log=log)
    assert result.returncode == 0, result.stderr
    shutil.rmtree(trial)
    return [(name, int(n)) for name, n in (line.split() for line in log.read_text().splitlines())]


def spread(steps: list[tuple[str, int]], per_step: int = 4) -> list[tuple[str, int]]:
    """Every step, and for steps reached many times the first, last and a few between."""
    counts: dict[str, int] = {}
    for name, n in steps:
        counts[name] = max(counts.get(name, 0), n)
    chosen = []
    for name, total in counts.items():
        if total <= per_step:
            chosen += [(name, n) for n in range(1, total + 1)]
        else:
            chosen += [(name, 1 + (total - 1) * k // (per_step - 1)) for k in range(per_step)]
    return chosen


@pytest.fixture(autouse=True)
def sync_cleanup(monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The old site (v1, with files docs-builder did not write), and a clean build of v2 (with them)."""
    tmp = tmp_path_factory.mktemp("crash")
    root = source_v1(tmp / "src")
    old = tmp / "old" / "site"
    build_here(root, old)
    foreign = {"CNAME": "docs.example.com\n", "notes/read me.txt": "kept, whatever its name\n"}
    write_tree(old, foreign)
    to_v2(root)
    clean = tmp / "clean" / "site"
    build_here(root, clean)
    write_tree(clean, foreign)
    return {"root": root, "old": old, "old_bytes": site_bytes(old), "new_bytes": site_bytes(clean), "tmp": tmp}


def fresh_copy(sites, name: str) -> Path:
    out = sites["tmp"] / name / "site"
    shutil.rmtree(out.parent, ignore_errors=True)
    out.parent.mkdir(parents=True)
    shutil.copytree(sites["old"], out, symlinks=True)
    return out


# kill -9 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["incremental", "clean"])
def test_a_build_killed_at_any_writer_step_is_finished_by_the_next_build(sites, mode):
    """kill -9 at each step (a spread of the many `write` and `move` steps): the next build cleans
    up and its site equals a clean build, byte for byte."""
    args = ("--clean",) if mode == "clean" else ()
    steps = steps_of(sites["root"], sites["old"], *args, tmp=sites["tmp"])
    names = {name for name, _ in steps}
    expected = {"staging", "write", "journal", "done"} | ({"swap"} if mode == "clean" else {"move", "remove", "cache"})
    assert expected <= names, names
    points = spread(steps, per_step=6)
    assert len(points) >= 10
    for name, n in points:
        out = fresh_copy(sites, "killed")
        killed = build_process(sites["root"], out, *args, fault=f"{name}:{n}")
        assert killed.returncode == -9, (name, n, killed.stderr)
        if mode == "clean" or name in ("staging", "write", "journal"):
            # before the commit, or a whole-site swap: the old site or the new one, nothing between
            assert site_bytes(out) in (sites["old_bytes"], sites["new_bytes"]), (name, n)
        after = run_cli("build", "--root", str(sites["root"]), "--out", str(out), "--no-search", "--jobs", "1")
        assert after.status == 0, (name, n, after.stderr)
        assert site_bytes(out) == sites["new_bytes"], f"killed at {name}:{n}, the next build differs from a clean one"
        assert leftovers(out.parent) == [], (name, n)


@pytest.mark.parametrize("fault", ["write:5", "journal:1", "swap:1", "done:1"])
def test_a_first_build_killed_at_any_step_is_finished_by_the_next(sites, fault):
    out = sites["tmp"] / "first" / "site"
    shutil.rmtree(out.parent, ignore_errors=True)
    killed = build_process(sites["root"], out, fault=fault)
    assert killed.returncode == -9
    assert not out.exists() or fault == "done:1"
    build_here(sites["root"], out)
    expected = {k: v for k, v in sites["new_bytes"].items() if k not in ("CNAME", "notes/read me.txt")}
    assert site_bytes(out) == expected
    assert leftovers(out.parent) == []


def test_a_build_killed_while_finishing_a_killed_build_is_finished_too(sites):
    out = fresh_copy(sites, "twice")
    assert build_process(sites["root"], out, fault="move:4").returncode == -9
    # the next build first finishes the journal: kill it there, then at its own commit
    assert build_process(sites["root"], out, fault="move:2").returncode == -9
    assert build_process(sites["root"], out, fault="fs:3").returncode == -9
    assert build_process(sites["root"], out).returncode == 0
    assert site_bytes(out) == sites["new_bytes"]
    assert leftovers(out.parent) == []


def swap_fs_changes(sites) -> int:
    """How many file system changes a full build's commit makes, up to three after its journal
    is deleted (then the old site is being deleted)."""
    trial = fresh_copy(sites, "swap")
    log = sites["tmp"] / "fs.log"
    log.unlink(missing_ok=True)
    assert build_process(sites["root"], trial, "--clean", fault="fs:1000000", log=log).returncode == 0
    steps = [line.split() for line in log.read_text().splitlines()]
    done = steps.index(["done", "1"])
    return [int(n) for name, n in steps[done:] if name == "fs"][:3][-1]


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_the_site_is_whole_at_every_file_system_change_of_a_swap(sites, monkeypatch, exchange):
    """The swap of a full build is one step: killed after any file system change of its commit
    (up to a few after the journal is gone), --out is the complete old site or the complete new
    one. A swap that deletes the site and then copies or renames the new one in fails here. Where
    folders cannot be exchanged in one step (two renames), --out is missing for an instant: the
    journal is there then, and the next build puts the new site in place."""
    if not exchange:  # the forked builds inherit this
        monkeypatch.setattr(commit, "_exchange", lambda a, b: False)
    last = swap_fs_changes(sites)
    exchange = exchange and commit.exchange_supported(sites["tmp"])
    seen = set()
    for n in range(1, last + 1):
        out = fresh_copy(sites, "swap")
        killed = build_process(sites["root"], out, "--clean", fault=f"fs:{n}")
        assert killed.returncode == -9, killed.stderr
        if out.exists() or exchange:
            now = site_bytes(out)
            assert now in (sites["old_bytes"], sites["new_bytes"]), f"killed at file system change {n}"
            seen.add(now == sites["new_bytes"])
        else:  # between the two renames: the journal finishes it
            assert any(name.startswith(".docs-builder-journal-") for name in leftovers(out.parent))
            seen.add(None)
        assert build_process(sites["root"], out).returncode == 0
        assert site_bytes(out) == sites["new_bytes"]
        assert leftovers(out.parent) == []
    assert seen == ({False, True} if exchange else {False, True, None})


# SIGINT and SIGTERM -----------------------------------------------------------------------------

@pytest.mark.parametrize("sig", ["int", "term"])
def test_an_interrupted_build_leaves_the_previous_site_as_it_was(sites, sig):
    out = fresh_copy(sites, f"interrupted-{sig}")
    result = build_process(sites["root"], out, "--clean", fault=f"write:5:{sig}")
    assert result.returncode == 130, result.stderr
    assert result.stderr.strip().endswith("docs-builder: interrupted; the previous site was left as it was")
    assert "Traceback" not in result.stderr
    assert site_bytes(out) == sites["old_bytes"]
    assert leftovers(out.parent) == []


@pytest.mark.parametrize("sig", ["int", "term"])
def test_a_signal_during_the_swap_waits_for_the_swap(sites, sig):
    """SIGINT and SIGTERM are held while the site is swapped: stopped at the swap step and at each
    file system change of the commit, the build finds --out whole (old or new); signalled there,
    it completes the swap, then stops (exit 130) and says so. Fails if the signals are not held,
    or if the swap deletes the site before the new one is in place."""
    signum = {"int": signal.SIGINT, "term": signal.SIGTERM}[sig]
    faults = ["swap:1"] + [f"fs:{n}" for n in range(1, swap_fs_changes(sites) + 1)]
    for fault in faults:
        out = fresh_copy(sites, f"swap-{sig}")

        def at_stop(pid: int) -> None:
            assert site_bytes(out) in (sites["old_bytes"], sites["new_bytes"]), f"stopped at {fault}"
            os.kill(pid, signum)
            os.kill(pid, signal.SIGCONT)

        result = build_process(sites["root"], out, "--clean", fault=f"{fault}:stop", on_stop=at_stop)
        assert result.returncode == 130, (fault, result.stderr)
        assert result.stderr.strip().endswith("docs-builder: interrupted; the new site was put in place first")
        assert site_bytes(out) == sites["new_bytes"], fault
        assert leftovers(out.parent) == [], fault


@pytest.mark.parametrize("sig", ["int", "term"])
@pytest.mark.parametrize("fault", ["move:1", "move:5", "remove:1", "cache:1"])
def test_a_signal_during_an_incremental_commit_waits_for_the_commit(sites, sig, fault):
    out = fresh_copy(sites, f"commit-{sig}")
    result = build_process(sites["root"], out, fault=f"{fault}:{sig}")
    assert result.returncode == 130, result.stderr
    assert result.stderr.strip().endswith("docs-builder: interrupted; the new pages were put in place first")
    assert site_bytes(out) == sites["new_bytes"]
    assert leftovers(out.parent) == []


def built_site(tmp_path: Path, pages: int) -> tuple[Path, Path, dict[str, str]]:
    """A site of `pages` short pages under one index, built once: (root, out, its files' bytes)."""
    files = {f"docs/p{i}.md": page(f"Page {i}", f"Body {i}.\n", versions=VERSIONS) for i in range(pages)}
    files["docs/index.md"] = page("Docs", "", versions=VERSIONS,
                                  children="[" + ", ".join(f"/p{i}" for i in range(pages)) + "]")
    root = write_tree(tmp_path / "src", site_files(files))
    out = tmp_path / "out" / "site"
    build_here(root, out)
    return root, out, site_bytes(out)


def test_an_interrupted_build_with_workers_leaves_the_previous_site_as_it_was(tmp_path):
    """Page building with worker processes, interrupted once 10 pages are back (deterministic:
    the hook stops the build at that step; a real `python -m builder` process); then a disk
    that fills up while the workers write."""
    root, out, before = built_site(tmp_path, 40)
    for sig in ("int", "term"):
        result = build_process(root, out, "--clean", "--jobs", "2", fault=f"page:10:{sig}", fresh=True)
        assert result.returncode == 130, result.stderr
        assert result.stderr.strip().endswith("docs-builder: interrupted; the previous site was left as it was")
        assert "Traceback" not in result.stderr
        assert site_bytes(out) == before
        assert leftovers(out.parent) == []
    # kill -9 of the build: its workers end with it (no traceback from them, no file written after)
    killed = build_process(root, out, "--clean", "--jobs", "2", fault="page:10:kill", fresh=True)
    assert killed.returncode == -9 and "Traceback" not in killed.stderr, killed.stderr
    assert site_bytes(out) == before
    full = build_process(root, out, "--clean", "--jobs", "2", fault="write:3:ENOSPC", fresh=True)
    assert full.returncode == 2, full.stderr
    first = full.stderr.split("\n")[0]
    assert first.startswith("error[DB605]: cannot write en/") and first.endswith(
        f" into the staging folder next to --out {out}: No space left on device; the previous site is unchanged")
    assert site_bytes(out) == before
    assert leftovers(out.parent) == []


@pytest.mark.parametrize("sig", ["kill", "term"])
def test_a_worker_killed_mid_build_stops_the_build_with_db606(tmp_path, sig):
    """A worker that dies while it builds pages (the out-of-memory killer, a stray kill): the
    build says so and stops at once (it waited forever for that worker's pages), exit 2, and the
    previous site is as it was. The fault kills each worker at its 5th file written."""
    root, out, before = built_site(tmp_path, 80)
    result = build_process(root, out, "--clean", "--jobs", "2", fault=f"write:5:{sig}", fresh=True)
    assert result.returncode == 2, result.stderr
    assert result.stderr.split("\n")[0] == (
        "error[DB606]: a worker process building pages ended abruptly (killed by the system, most often for "
        "lack of memory, or by a signal); nothing was written, the previous site is unchanged; build again, "
        "with fewer workers (--jobs 1) if memory is short")
    assert "Traceback" not in result.stderr
    assert site_bytes(out) == before
    assert leftovers(out.parent) == []


def test_a_build_with_search_killed_while_indexing_or_moving_index_files(tmp_path):
    """The search index's temporary folders live in the staging folder: nothing is left next to
    --out; a commit killed while it moves the changed index files in is finished by the next build."""
    root = source_v1(tmp_path / "src")
    old = tmp_path / "old" / "site"
    result = run_cli("build", "--root", str(root), "--out", str(old), "--jobs", "1")
    assert result.status == 0, result.stderr
    to_v2(root)
    out = tmp_path / "out" / "site"
    for fault in ("search:1", "move:1"):
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(old, out)
        killed = build_process(root, out, fault=fault, fresh=True, search=True)
        assert killed.returncode == -9, killed.stderr
        assert run_cli("build", "--root", str(root), "--out", str(out), "--jobs", "1").status == 0
        assert leftovers(out.parent) == []
    clean = tmp_path / "clean" / "site"
    assert run_cli("build", "--root", str(root), "--out", str(clean), "--jobs", "1").status == 0
    assert sorted(site_bytes(out)) == sorted(site_bytes(clean))
    skip = ("_pagefind/",)  # its bytes are another test's business; which files it has is ours
    assert {k: v for k, v in site_bytes(out).items() if not k.startswith(skip)} == \
        {k: v for k, v in site_bytes(clean).items() if not k.startswith(skip)}


# What dead builds left next to --out ----------------------------------------------------------

def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_next_build_removes_only_what_dead_builds_of_this_out_left(tmp_path):
    root = source_v1(tmp_path / "src")
    out = tmp_path / "out" / "site"
    build_here(root, out)
    dead = dead_pid()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        ours = [f".docs-builder-staging-{dead}-site", f".docs-builder-old-{dead}-0123abcd-site",
                f".docs-builder-journal-{dead}-site.json.tmp",
                # a killed preview (`--base-site`): its build into the staging folder left its own
                f".docs-builder-staging-{dead}-.docs-builder-staging-{dead}-site",
                f".docs-builder-old-{dead}-0123abcd-.docs-builder-staging-{dead}-site",
                f".docs-builder-journal-{dead}-.docs-builder-staging-{dead}-site.json"]
        others = [f".docs-builder-staging-{live.pid}-site",  # a build that still runs
                  f".docs-builder-staging-{dead}-site2", f".docs-builder-old-{dead}-0123abcd-site-old",
                  f".docs-builder-staging-{dead}-site.bak", ".docs-builder-staging-x-site", ".pagefind-abc",
                  f".docs-builder-old-{dead}-site", "site.bak",
                  f".docs-builder-staging-{dead}-.docs-builder-staging-{dead}-site2",
                  f".docs-builder-staging-{dead}-.docs-builder-old-{dead}-0123abcd-site"]
        for name in ours + others:
            if name.endswith((".tmp", ".json")):
                (out.parent / name).write_text("{", "utf-8")
            else:
                (out.parent / name / "en").mkdir(parents=True)
                (out.parent / name / "en" / "index.html").write_text("x", "utf-8")
        build_here(root, out)
        assert sorted(p.name for p in out.parent.iterdir()) == sorted(others + ["site"])
    finally:
        live.kill()
        live.wait()


def test_a_journal_that_is_not_ours_is_refused_and_touches_nothing(tmp_path):
    root = source_v1(tmp_path / "src")
    out = tmp_path / "out" / "site"
    build_here(root, out)
    victim = tmp_path / "victim.html"
    victim.write_text("keep me", "utf-8")
    journal = out.parent / f".docs-builder-journal-{dead_pid()}-site.json"
    plan = {"format": 1, "kind": "commit", "staging": f".docs-builder-staging-{dead_pid()}-site", "drop": [],
            "bundles": [], "remove": ["../../victim.html"], "moves": [], "cache": []}
    journal.write_text(json.dumps(plan), "utf-8")
    before = site_bytes(out)
    result = run_cli("build", "--root", str(root), "--out", str(out), "--no-search")
    assert result.status == 2
    assert result.stderr.startswith(
        f"error[DB605]: cannot finish the update of --out {out} that an interrupted build left: {journal} is not "
        "a journal this builder wrote (refusing output path '../../victim.html': it contains a '..' segment); "
        "remove that file and build with --clean\n")
    assert victim.read_text("utf-8") == "keep me"
    assert site_bytes(out) == before


# Output-folder problems: exit 2, DB605, the previous site untouched ---------------------------------

@pytest.mark.parametrize("fault, message", [
    ("staging:1:EACCES", "cannot create a staging folder next to --out {out}: Permission denied; nothing was written"),
    ("write:5:ENOSPC", "cannot write en/docs/index.html into the staging folder next to --out {out}: "
                       "No space left on device; the previous site is unchanged"),
    ("write:69:EROFS", "cannot write 404.html into the staging folder next to --out {out}: "
                       "Read-only file system; the previous site is unchanged"),
    ("write:116:EACCES", "cannot write .build/manifest.json into the staging folder next to --out {out}: "
                        "Permission denied; the previous site is unchanged"),
    ("journal:1:EROFS", "cannot update --out {out}: Read-only file system; the previous site is unchanged"),
])
def test_an_unwritable_output_folder_is_exit_2_and_the_site_is_untouched(sites, monkeypatch, fault, message):
    out = fresh_copy(sites, "unwritable")
    monkeypatch.setenv("DOCS_BUILDER_FAULT", fault)
    result = run_cli("build", "--root", str(sites["root"]), "--out", str(out), "--no-search", "--jobs", "1", "--clean")
    assert result.status == 2, result.stderr
    assert result.stderr.split("\n")[0] == "error[DB605]: " + message.format(out=out)
    assert "Traceback" not in result.stderr and "internal" not in result.stderr
    assert site_bytes(out) == sites["old_bytes"]
    assert leftovers(out.parent) == []


def test_a_commit_that_fails_half_way_is_exit_2_and_finished_by_the_next_build(sites, monkeypatch):
    out = fresh_copy(sites, "halfway")
    monkeypatch.setenv("DOCS_BUILDER_FAULT", "move:3:EIO")
    result = run_cli("build", "--root", str(sites["root"]), "--out", str(out), "--no-search", "--jobs", "1")
    assert result.status == 2
    assert result.stderr.split("\n")[0] == (
        f"error[DB605]: cannot finish updating --out {out}: Input/output error; the next build finishes the update")
    # the disk still fails: the next build says so and changes nothing more
    monkeypatch.setenv("DOCS_BUILDER_FAULT", "move:1:EROFS")
    result = run_cli("build", "--root", str(sites["root"]), "--out", str(out), "--no-search", "--jobs", "1")
    assert result.status == 2
    assert result.stderr.split("\n")[0] == (
        f"error[DB605]: cannot finish the update of --out {out} that an interrupted build left: Read-only file system")
    monkeypatch.delenv("DOCS_BUILDER_FAULT")
    build_here(sites["root"], out)
    assert site_bytes(out) == sites["new_bytes"]
    assert leftovers(out.parent) == []


def test_an_out_inside_a_file_is_exit_2(tmp_path):
    root = source_v1(tmp_path / "src")
    result = run_cli("build", "--root", str(root), "--out", str(root / "content" / "index.md" / "site"))
    assert result.status == 2
    assert result.stderr.split("\n")[0] == (
        f"error[DB605]: --out {root}/content/index.md/site is inside {root}/content/index.md, which is a file; "
        "expected a folder")


# The writer's second wall -------------------------------------------------------------------------

@pytest.mark.parametrize("rel", ["../x.html", "/tmp/x.html", "a/../../x.html", "a//x.html", "./x.html", "a\\..\\x",
                                 "a/\nb.html", ""])
def test_the_writer_refuses_paths_that_are_not_plain(tmp_path, rel):
    staging = tmp_path / "staging"
    staging.mkdir()
    writer = StagingWriter(staging)
    for write in (lambda: writer.write(rel, "x"), lambda: writer.write_many([(rel, "x")] * 1),
                  lambda: writer.write_many([(f"ok/{i}.html", "x") for i in range(70)] + [(rel, "x")]),
                  lambda: writer.link_from(tmp_path, rel)):
        with pytest.raises(UnsafePath, match="refusing output path"):
            write()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["staging"]


def test_the_writer_refuses_folders_and_files_that_lead_outside_the_staging_folder(tmp_path):
    staging, outside = tmp_path / "staging", tmp_path / "outside"
    (staging / "real").mkdir(parents=True)
    outside.mkdir()
    os.symlink(outside, staging / "linked")
    os.symlink(outside / "x.html", staging / "real" / "x.html")
    os.symlink("../..", staging / "real" / "up")
    writer = StagingWriter(staging)
    for rel in ("linked/index.html", "linked/deeper/index.html", "real/up/outside/index.html"):
        with pytest.raises(UnsafePath, match="resolves outside the staging folder"):
            writer.write(rel, "x")
    with pytest.raises(UnsafePath, match="it is a symbolic link"):
        writer.write("real/x.html", "x")
    with pytest.raises(UnsafePath, match="resolves outside the staging folder"):
        writer.write_many([(f"linked/{i}.html", "x") for i in range(70)])
    (tmp_path / "old" / "linked").mkdir(parents=True)
    (tmp_path / "old" / "linked" / "a.html").write_text("old", "utf-8")
    with pytest.raises(UnsafePath, match="resolves outside the staging folder"):
        writer.link_from(tmp_path / "old", "linked/a.html")
    assert list(outside.iterdir()) == []


def test_a_writer_that_forgot_a_folder_checks_it_again(tmp_path, monkeypatch):
    """The writer remembers a bounded number of folders it made: one it forgot is made or checked
    again, so files still land where they belong and a folder that became a link is refused."""
    from builder.output import writer as writer_module

    monkeypatch.setattr(writer_module, "FOLDERS_KEPT", 3)
    staging, outside = tmp_path / "staging", tmp_path / "outside"
    outside.mkdir()
    writer = StagingWriter(staging)
    writer.write_many([(f"en/old-{i}/index.html", f"stub {i}") for i in range(70)])
    writer.write("en/a/b/index.html", "page")
    assert len(writer._dirs) <= 3
    assert [(staging / f"en/old-{i}/index.html").read_text("utf-8") for i in (0, 69)] == ["stub 0", "stub 69"]
    shutil.rmtree(staging / "en" / "old-0")
    os.symlink(outside, staging / "en" / "old-0")
    with pytest.raises(UnsafePath, match="resolves outside the staging folder"):
        writer.write("en/old-0/extra.html", "x")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("foreign", [False, True])
def test_a_reused_file_that_is_a_symbolic_link_is_not_followed(tmp_path, foreign):
    """A link planted in the old site never brings its target (a file outside --out) into the new one."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", "utf-8")
    old, staging = tmp_path / "old", tmp_path / "staging"
    (old / "en").mkdir(parents=True)
    staging.mkdir()
    os.symlink(secret, old / "en" / "index.html")
    assert StagingWriter(staging).link_from(old, "en/index.html", foreign=foreign) is False
    assert [p for p in staging.rglob("*") if p.is_file()] == []


def test_files_kept_from_the_old_site_are_checked_by_the_path_policy(tmp_path):
    staging = tmp_path / "staging"
    staging.mkdir()
    for rel in ("../x", "/etc/passwd", "a//b", "a/./b", "a\0b"):
        with pytest.raises(UnsafePath, match="refusing to keep"):
            StagingWriter(staging).link_from(tmp_path, rel, foreign=True)


def test_a_path_refused_by_the_writer_is_an_internal_error_and_nothing_is_written(tmp_path, monkeypatch):
    """Behind the path policy: if a bad path ever reached the writer, the build stops with DB900."""
    from builder.links import outputs

    root = source_v1(tmp_path / "src")
    original = outputs.write_sitemap

    def hostile(site, writer, *args, **kwargs):
        writer.write("../escaped/index.html", "x")
        return original(site, writer, *args, **kwargs)

    monkeypatch.setattr(outputs, "write_sitemap", hostile)
    out = tmp_path / "out" / "site"
    result = run_cli("build", "--root", str(root), "--out", str(out), "--no-search", "--base-url", "https://d.example")
    assert result.status == 3
    assert ("error[DB900]: internal error: refusing output path '../escaped/index.html': it contains a '..' "
            "segment; nothing was written") in result.stderr
    assert not out.exists() and not (tmp_path / "out" / "escaped").exists()
    assert leftovers(out.parent) == []

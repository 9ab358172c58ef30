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
    a clean build's cache (it must only describe the same site, which the next build checks)."""
    assert out.is_dir(), f"{out} is missing"
    return {rel: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()
            and not (rel := p.relative_to(out).as_posix()).startswith(".build/cache")}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((".docs-builder-", ".pagefind-")))


class Run:
    def __init__(self, returncode: int, stderr: str):
        self.returncode, self.stderr = returncode, stderr


def build_process(root: Path, out: Path, *args: str, fault: str | None = None, log: Path | None = None,
                  fresh: bool = False) -> Run:
    """`docs-builder build` in a child process (exit status, or -N when signal N ended it). The
    child is forked from this one, the builder already imported (fast enough to kill a build at
    many points); `fresh` starts a new interpreter (`python -m builder`) instead."""
    env = dict(ENV)
    if fault:
        env["DOCS_BUILDER_FAULT"] = fault
    if log:
        env["DOCS_BUILDER_FAULT_LOG"] = str(log)
    argv = ["build", "--root", str(root), "--out", str(out), "--no-search", "--jobs", "1", *args]
    if fresh:
        full = {k: v for k, v in os.environ.items() if not k.startswith("DOCS_BUILDER_FAULT")}
        done = subprocess.run([sys.executable, "-m", "builder", *argv], cwd=REPO, env={**full, **env},
                              capture_output=True, text=True, timeout=120)
        return Run(done.returncode, done.stderr)
    return _forked(argv, env)


def _forked(argv: list[str], env: dict[str, str]) -> Run:
    from builder.cli.main import main

    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 3
        try:
            os.close(read_end)
            os.dup2(write_end, 1)
            os.dup2(write_end, 2)
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
    os.close(write_end)
    with open(read_end, "r", encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    _, status = os.waitpid(pid, 0)
    return Run(os.waitstatus_to_exitcode(status), text)


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
    """The old site (v1, with a file docs-builder did not write), and a clean build of v2."""
    tmp = tmp_path_factory.mktemp("crash")
    root = source_v1(tmp / "src")
    old = tmp / "old" / "site"
    build_here(root, old)
    (old / "CNAME").write_text("docs.example.com\n", "utf-8")
    to_v2(root)
    clean = tmp / "clean" / "site"
    build_here(root, clean)
    (clean / "CNAME").write_text("docs.example.com\n", "utf-8")
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


def test_a_build_killed_while_finishing_a_killed_build_is_finished_too(sites):
    out = fresh_copy(sites, "twice")
    assert build_process(sites["root"], out, fault="move:4").returncode == -9
    # the next build first finishes the journal: kill it there, then at its own commit
    assert build_process(sites["root"], out, fault="move:2").returncode == -9
    assert build_process(sites["root"], out, fault="fs:3").returncode == -9
    assert build_process(sites["root"], out).returncode == 0
    assert site_bytes(out) == sites["new_bytes"]
    assert leftovers(out.parent) == []


def test_the_site_is_whole_at_every_file_system_change_of_a_swap(sites):
    """The swap of a full build is one step: killed after any file system change of its commit
    (up to a few after the journal is gone), --out is the complete old site or the complete new
    one. A swap that deletes the site and then copies or renames the new one in fails here."""
    trial = fresh_copy(sites, "swap")
    log = sites["tmp"] / "fs.log"
    log.unlink(missing_ok=True)
    assert build_process(sites["root"], trial, "--clean", fault="fs:1000000", log=log).returncode == 0
    steps = [line.split() for line in log.read_text().splitlines()]
    done = steps.index(["done", "1"])
    last = [int(n) for name, n in steps[done:] if name == "fs"][:3][-1]
    exchange = commit.exchange_supported(sites["tmp"])
    seen = set()
    for n in range(1, last + 1):
        out = fresh_copy(sites, "swap")
        killed = build_process(sites["root"], out, "--clean", fault=f"fs:{n}")
        assert killed.returncode == -9, killed.stderr
        if out.exists() or exchange:
            now = site_bytes(out)
            assert now in (sites["old_bytes"], sites["new_bytes"]), f"killed at file system change {n}"
            seen.add(now == sites["new_bytes"])
        else:  # two renames where the file system cannot exchange folders: the journal finishes it
            assert any(name.startswith(".docs-builder-journal-") for name in leftovers(out.parent))
        assert build_process(sites["root"], out).returncode == 0
        assert site_bytes(out) == sites["new_bytes"]
        assert leftovers(out.parent) == []
    assert seen == {False, True}


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
@pytest.mark.parametrize("fault, message", [
    ("swap:1", "the new site was put in place first"),
    ("fs:4", "the new site was put in place first"),
])
def test_a_signal_during_the_swap_waits_for_the_swap(sites, sig, fault, message):
    """SIGINT and SIGTERM are held while the site is swapped: the swap completes, then the build
    stops (exit 130) and says so."""
    out = fresh_copy(sites, f"swap-{sig}")
    result = build_process(sites["root"], out, "--clean", fault=f"{fault}:{sig}")
    assert result.returncode == 130, result.stderr
    assert result.stderr.strip().endswith(f"docs-builder: interrupted; {message}")
    assert site_bytes(out) == sites["new_bytes"]
    assert leftovers(out.parent) == []


@pytest.mark.parametrize("sig", ["int", "term"])
@pytest.mark.parametrize("fault", ["move:1", "move:5", "remove:1", "cache:1"])
def test_a_signal_during_an_incremental_commit_waits_for_the_commit(sites, sig, fault):
    out = fresh_copy(sites, f"commit-{sig}")
    result = build_process(sites["root"], out, fault=f"{fault}:{sig}")
    assert result.returncode == 130, result.stderr
    assert result.stderr.strip().endswith("docs-builder: interrupted; the new pages were put in place first")
    assert site_bytes(out) == sites["new_bytes"]
    assert leftovers(out.parent) == []

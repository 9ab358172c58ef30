"""Putting a staged site in place so that a build killed at any instant leaves the old site or the new.

Every commit writes its plan first, as a journal next to `--out`
(`.docs-builder-journal-<pid>-<out name>.json`), and deletes it when done; the next build
finishes (rolls forward) any journal a dead build left before it does anything else, then
deletes what dead builds left next to this `--out` (builder/output/recovery.py). Only names
this builder makes, with the id of a process that no longer runs, are ever touched:

    .docs-builder-staging-<pid>-<out name>            a staging folder
    .docs-builder-old-<pid>-<token>-<out name>        a replaced site, being deleted
    .docs-builder-journal-<pid>-<out name>.json[.tmp] a commit plan

A full build swaps the whole site: the staging folder and `--out` are exchanged in one call
(`renameat2(RENAME_EXCHANGE)`; two renames where the file system cannot). An incremental
build moves its new files into the live site one by one, deletes outputs that no longer exist,
and moves `.build/` (manifest and cache) last. SIGINT and SIGTERM are held from the journal on,
so a commit is never half done by an interrupted build; a kill -9 is finished by the next.
Every path in a plan is checked with builder/core/paths.py, when written and when read back.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import subprocess
import threading
from pathlib import Path

from ..core.paths import UnsafePath, check_name, check_output_path, inside, safe_output_path
from . import faults

FORMAT = 1
STAGING = ".docs-builder-staging-"
OLD = ".docs-builder-old-"
JOURNAL = ".docs-builder-journal-"
BUILD_STATE = ".build"
MANIFEST = ".build/manifest.json"
"""Kept until the new one replaces it: without it, the files in --out are not known as ours."""


class CommitError(Exception):
    """A file system call of a commit failed; `started` once the journal was written (the next
    build finishes the commit)."""

    def __init__(self, error: OSError, started: bool):
        super().__init__(str(error))
        self.error = error
        self.started = started


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived during a commit: it was finished first. The text says so."""


def absolute(out: Path) -> Path:
    return Path(os.path.abspath(out))


def staging_path(out: Path) -> Path:
    out = absolute(out)
    return out.parent / f"{STAGING}{os.getpid()}-{out.name}"


def out_of(staging: Path) -> Path:
    """The --out a staging folder was made for (as an absolute path)."""
    return staging.parent / staging.name[len(STAGING):].partition("-")[2]


def journal_path(out: Path) -> Path:
    out = absolute(out)
    return out.parent / f"{JOURNAL}{os.getpid()}-{out.name}.json"


def _old_path(out: Path) -> Path:
    return out.parent / f"{OLD}{os.getpid()}-{secrets.token_hex(4)}-{out.name}"


def leftover(name: str, out_name: str) -> tuple[str, int] | None:
    """(kind, pid) when `name` is one this builder makes next to an --out named `out_name`."""
    for prefix, kind in ((STAGING, "staging"), (OLD, "old"), (JOURNAL, "journal")):
        if not name.startswith(prefix):
            continue
        pid, _, rest = name[len(prefix):].partition("-")
        if not (pid.isascii() and pid.isdigit()):
            return None
        if kind == "old":
            token, _, rest = rest.partition("-")
            if len(token) != 8 or not all(c in "0123456789abcdef" for c in token):
                return None
        if kind == "journal":
            rest = rest.removesuffix(".tmp").removesuffix(".json") if rest.endswith((".json", ".json.tmp")) else ""
        if rest == out_name:
            return kind, int(pid)
        # A build into a staging folder of `out_name` (a preview from a base site) leaves its own
        # leftovers named after that folder: they are deleted with it, never applied to --out.
        inner = leftover(rest.removesuffix(".tmp").removesuffix(".json"), out_name)
        return ("staging", int(pid)) if inner is not None and inner[0] == "staging" else None
    return None


def _dir_id(path: Path) -> list[int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return [st.st_dev, st.st_ino]


@contextlib.contextmanager
def signals_deferred(message: str):
    """Hold SIGINT and SIGTERM while the block runs; if one came, raise `Interrupted(message)`
    once the block is done (the block is never cut short). Python runs signal handlers in the
    main thread only, whichever thread the signal reached, so replacing them holds the signals
    for the whole process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []

    def hold(signum, _frame) -> None:
        came.append(signum)

    held = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, hold) for signum in held}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if came:
        raise Interrupted(message)


# The journal ----------------------------------------------------------------------------

def _write_journal(out: Path, plan: dict) -> Path:
    path = journal_path(out)
    tmp = path.with_name(path.name + ".tmp")
    try:
        faults.step("journal", path)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(plan, ensure_ascii=False, sort_keys=True))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    return path


def checked_plan(plan: object, out: Path) -> dict:
    """A plan, or a journal read back: every name and path is re-checked before it is acted on."""
    if not isinstance(plan, dict) or plan.get("format") != FORMAT or plan.get("kind") not in ("swap", "commit"):
        raise UnsafePath("not a journal of this builder")
    for key in ("staging", "old"):
        name = plan.get(key)
        if key == "old" and name is None and plan["kind"] == "commit":
            continue
        found = leftover(name, out.name) if isinstance(name, str) and check_name(name) is None else None
        if found is None or found[0] != key:
            raise UnsafePath(f"refusing {key} folder {name!r}")
    for key in ("drop", "bundles", "remove", "moves", "cache"):
        values = plan.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise UnsafePath(f"refusing {key} list")
        for rel in values:
            safe_output_path(rel)
            if key == "bundles" and "/" in rel:
                raise UnsafePath(f"refusing search bundle {rel!r}")
    ident = plan.get("id")
    if plan["kind"] == "swap" and not (isinstance(ident, list) and len(ident) == 2
                                       and all(isinstance(i, int) for i in ident)):
        raise UnsafePath("refusing folder id")
    return plan


# A full build: swap the whole site ----------------------------------------------------------

def swap(staging: Path, out: Path) -> None:
    """Make the (complete) staging folder the site; the old site is deleted afterwards."""
    out = absolute(out)
    plan = {"format": FORMAT, "kind": "swap", "staging": staging.name, "old": _old_path(out).name,
            "id": _dir_id(staging)}
    with signals_deferred("interrupted; the new site was put in place first"):
        _run(out, plan)


def _roll_swap(out: Path, plan: dict) -> None:
    staging, old = out.parent / plan["staging"], out.parent / plan["old"]
    if _dir_id(out) != plan["id"]:  # not swapped yet
        if staging.is_dir() and not staging.is_symlink() and _dir_id(staging) == plan["id"]:
            faults.step("swap", out)
            if not os.path.lexists(out):
                os.replace(staging, out)
            elif _exchange(staging, out):
                os.replace(staging, old)  # the staging name now holds the old site
            else:
                os.replace(out, old)
                os.replace(staging, out)
        elif not os.path.lexists(out) and old.is_dir():
            os.replace(old, out)  # the new site is gone: keep the old one
    elif staging.is_dir() and not staging.is_symlink():
        os.replace(staging, old)  # exchanged, then killed: the staging name holds the old site


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False where the system cannot (nothing changed then)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: not supported here
        return False
    raise OSError(err, os.strerror(err), str(b))


# An incremental build: move new files into the live site --------------------------------------

def commit_in_place(staging: Path, out: Path, removed: list[str]) -> None:
    """Move what `staging` holds into the site `out` and delete the outputs in `removed`.

    Search index files are files like the others: the staging folder holds only those that
    changed (builder/search/site_index.py). `.build/` replaces the old one and comes last, so no
    cache vouches for pages not yet in place. (A journal of older code may still name search
    folders under "bundles", replaced as a whole: `_roll_commit` finishes it.)"""
    out = absolute(out)
    bundles: list[str] = []
    moves: list[str] = []
    cache: list[str] = []
    for dirpath, dirnames, filenames in os.walk(staging):
        rel_dir = os.path.relpath(dirpath, staging).replace(os.sep, "/")
        dirnames.sort()
        rels = [name if rel_dir == "." else f"{rel_dir}/{name}" for name in sorted(filenames)]
        (cache if rel_dir == BUILD_STATE or rel_dir.startswith(BUILD_STATE + "/") else moves).extend(rels)
    drop = []  # the old build state goes first (the cache above all: it vouches for pages)
    if (staging / BUILD_STATE).is_dir() and (out / BUILD_STATE).is_dir():
        drop = sorted(rel for p in (out / BUILD_STATE).rglob("*")
                      if p.is_file() and (rel := p.relative_to(out).as_posix()) != MANIFEST)
    keep = set(moves) | set(cache)
    plan = {"format": FORMAT, "kind": "commit", "staging": staging.name,
            "drop": drop, "bundles": bundles,
            "remove": [r for r in removed if r not in keep and check_output_path(r) is None],
            "moves": moves, "cache": cache}
    checked_plan(plan, out)
    _writable(out, moves + plan["remove"] + cache)
    with signals_deferred("interrupted; the new pages were put in place first"):
        _run(out, plan)


def _writable(out: Path, rels: list[str]) -> None:
    """Refuse to start a commit that would stop half-way on a folder it cannot write."""
    seen: set[Path] = set()
    for rel in rels:
        folder = (out / rel).parent
        while not folder.exists() and folder != out:
            folder = folder.parent
        if folder in seen:
            continue
        seen.add(folder)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise CommitError(PermissionError(13, os.strerror(13), str(folder)), started=False)


def _roll_commit(out: Path, plan: dict) -> None:
    staging = out.parent / plan["staging"]
    if staging.is_symlink():
        raise UnsafePath(f"refusing staging folder {staging.name!r}: it is a symbolic link")
    real_out = os.path.realpath(out)
    for rel in plan["drop"]:
        if os.path.lexists(out / rel):
            faults.step("cache", out / rel)
            os.unlink(out / rel)
            _prune((out / rel).parent, out / BUILD_STATE)  # a shard's state folders (`assemble --in-place`)
    for slug in plan["bundles"]:
        source, target = staging / "_pagefind" / slug, out / "_pagefind" / slug
        if source.is_dir() and not source.is_symlink():
            faults.step("bundle", target)
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif os.path.lexists(target):
                os.unlink(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for rel in plan["remove"]:
        path = out / rel
        if (path.is_file() or path.is_symlink()) and inside(real_out, os.path.realpath(path.parent)):
            faults.step("remove", path)
            path.unlink()
            _prune(path.parent, out)
    made: set[Path] = set()
    for key, step in (("moves", "move"), ("cache", "cache")):
        for rel in plan[key]:
            source, target = staging / rel, out / rel
            if not os.path.lexists(source):
                continue  # moved before the build was killed
            faults.step(step, target)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                if not inside(real_out, os.path.realpath(target.parent)):  # a linked folder in --out
                    raise UnsafePath(f"refusing to move {rel!r} into a folder outside the site")
                made.add(target.parent)
            os.replace(source, target)


def _prune(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


# Both: run a plan, and finish what dead builds left -------------------------------------------

def _run(out: Path, plan: dict) -> None:
    """Write the journal, carry out the plan, delete the journal. A failure before the journal
    is written changes nothing; after, the journal stays for the next build to finish."""
    with faults.watching():
        try:
            journal = _write_journal(out, plan)
        except OSError as err:
            raise CommitError(err, started=False) from err
        try:
            apply_plan(out, plan, journal)
        except OSError as err:
            raise CommitError(err, started=True) from err


def apply_plan(out: Path, plan: dict, journal: Path) -> None:
    with faults.watching():
        if plan["kind"] == "swap":
            _roll_swap(out, plan)
        else:
            _roll_commit(out, plan)
        faults.step("done", journal)
        journal.unlink()
        staging, old = out.parent / plan["staging"], out.parent / plan.get("old", "")
        if plan["kind"] == "commit":
            shutil.rmtree(staging, ignore_errors=True)
        elif plan.get("old") and os.path.lexists(old):
            remove_later(old)


def remove_later(folder: Path) -> None:
    """Delete a replaced site in the background: the new one is already live."""
    rm = shutil.which("rm")
    if rm is None or os.environ.get("DOCS_BUILDER_SYNC_CLEANUP"):
        shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        subprocess.Popen([rm, "-rf", "--", str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def exchange_supported(folder: Path) -> bool:
    """Whether two folders in `folder` can be exchanged in one step."""
    a, b = folder / f"{STAGING}{os.getpid()}-x", folder / f"{OLD}{os.getpid()}-00000000-x"
    try:
        a.mkdir()
        b.mkdir()
        return _exchange(a, b)
    finally:
        for path in (a, b):
            shutil.rmtree(path, ignore_errors=True)

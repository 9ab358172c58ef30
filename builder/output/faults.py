"""Fault injection for the crash tests: stop the build at a named writer step.

`DOCS_BUILDER_FAULT=STEP:N[:ACTION]` acts the N-th time (counting from 1, per process) the
writer reaches step STEP. ACTION is `kill` (SIGKILL, the default), `int` (SIGINT), `term`
(SIGTERM), `stop` (SIGSTOP: a test looks at --out, then signals or continues the build), or an
errno name (`ENOSPC`, `EROFS`, `EACCES`, `EIO`) raised as an OSError. Signals go to the process
that reached the step.

The steps (see builder/output/writer.py and builder/output/commit.py):

    page      a page's result reached the main process (page building, with or without workers)
    staging   the staging folder is about to be created
    write     a file is about to be written into the staging folder
    link      an unchanged file is about to be linked from the previous site
    journal   the commit plan is about to be written next to --out
    swap      the new site is about to replace the old one (a full build)
    bundle    a search folder named by an older journal is about to replace its old folder
    remove    an output that no longer exists is about to be deleted
    move      a new file is about to be moved into the site
    cache     a `.build/` file (manifest, cache) is about to be moved into the site
    done      the commit is complete; the journal is about to be deleted
    cleanup   a leftover folder of an earlier build is about to be deleted
    search    a search bundle is about to be indexed (its pages linked into a temporary folder)
    fs        any call that changes the file system, while a commit or a recovery runs
              (an audit hook: it sees code that bypasses the named steps)

`DOCS_BUILDER_FAULT_LOG=FILE` appends each step reached (`STEP N`) to FILE, so a test can
count the steps of a build before killing it at each. Neither variable costs anything when
unset.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys

_ENV = "DOCS_BUILDER_FAULT"
_LOG = "DOCS_BUILDER_FAULT_LOG"
_SIGNALS = {"kill": signal.SIGKILL, "int": signal.SIGINT, "term": signal.SIGTERM, "stop": signal.SIGSTOP}
_counts: dict[str, int] = {}
_watching = False
_audit_installed = False
_FS_EVENTS = {"os.rename", "os.remove", "os.rmdir", "os.mkdir", "os.link", "os.symlink", "os.truncate",
              "shutil.rmtree", "shutil.copytree", "shutil.move", "shutil.copyfile"}


def _fault() -> tuple[str, int, str] | None:
    spec = os.environ.get(_ENV)
    if not spec:
        return None
    parts = spec.split(":")
    try:
        return parts[0], int(parts[1]), (parts[2] if len(parts) > 2 else "kill")
    except (IndexError, ValueError):
        return None


def reset() -> None:
    """Count steps from zero (each build starts afresh, even several in one process)."""
    _counts.clear()
    fault = _fault()
    if fault is not None and fault[0] == "fs":
        _install_audit()


def step(name: str, path: object = "") -> None:
    """The writer reached step `name` (about to act on `path`)."""
    if not os.environ.get(_ENV) and not os.environ.get(_LOG):
        return
    n = _counts[name] = _counts.get(name, 0) + 1
    log = os.environ.get(_LOG)
    if log:
        _quietly(lambda: _append(log, f"{name} {n}\n"))
    fault = _fault()
    if fault is None or fault[0] != name or fault[1] != n:
        return
    action = fault[2]
    if action in _SIGNALS:
        os.kill(os.getpid(), _SIGNALS[action])
        return
    code = getattr(errno, action, errno.EIO)
    raise OSError(code, os.strerror(code), str(path))


@contextlib.contextmanager
def watching():
    """Count every file system change as an `fs` step while the block runs."""
    global _watching
    before, _watching = _watching, True
    try:
        yield
    finally:
        _watching = before


def _install_audit() -> None:
    global _audit_installed
    if _audit_installed:
        return
    _audit_installed = True

    def hook(event: str, args: tuple) -> None:
        if not _watching:
            return
        if event in _FS_EVENTS or (event == "open" and _writes(args)):
            _quietly(lambda: step("fs", args[0] if args else ""))

    sys.addaudithook(hook)


def _writes(args: tuple) -> bool:
    mode, flags = (args[1] if len(args) > 1 else None), (args[2] if len(args) > 2 else 0)
    if isinstance(mode, str):
        return any(ch in mode for ch in "wax+")
    return isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))


def _append(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)


def _quietly(action) -> None:
    """Run `action` without counting its own file system calls (the log) as steps."""
    global _watching
    before, _watching = _watching, False
    try:
        action()
    finally:
        _watching = before

"""What a killed build left next to `--out`: its commit finished, its folders removed.

Runs first in every build that writes (see writer.prepare_output). Only names this builder makes
(builder/output/commit.py) for this `--out`, with the id of a process that no longer runs, are
touched; a journal is re-checked with the path policy before anything in it is acted on.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

from ..core.paths import UnsafePath
from . import faults
from .commit import JOURNAL, CommitError, absolute, apply_plan, checked_plan, leftover, signals_deferred


def _alive(pid: int) -> bool:
    """Whether another running process has this id (this process's own leftovers are dead)."""
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except OSError:
        return False
    try:  # a zombie has finished: its parent just has not collected it yet
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rpartition(")")[2].split()[:1] != ["Z"]
    except OSError:
        return True


def recover(out: Path) -> bool:
    """Before a build writes anything: finish every commit a dead build left for `out`, then
    delete the staging, old-site and journal leftovers of dead builds. True if a commit was
    finished. OSError (`CommitError`) when the disk refuses; UnsafePath for a journal that is
    not one this builder wrote."""
    out = absolute(out)
    try:
        names = sorted(os.listdir(out.parent))
    except OSError:
        return False
    found = []
    for name in names:
        kind_pid = leftover(name, out.name)
        if kind_pid is not None and not _alive(kind_pid[1]):
            found.append((name, kind_pid[0]))
    finished = False
    with signals_deferred("interrupted; the update an earlier build left was finished first"):
        for name, kind in found:
            if kind == "journal" and name.endswith(".json"):
                journal = out.parent / name
                try:
                    plan = checked_plan(json.loads(journal.read_text("utf-8")), out)
                except ValueError as err:  # UnsafePath included
                    raise UnsafePath(f"{journal} is not a journal this builder wrote ({err})") from err
                except OSError as err:
                    raise CommitError(err, started=True) from err
                try:
                    apply_plan(out, plan, journal)
                except OSError as err:
                    raise CommitError(err, started=True) from err
                except UnsafePath as err:
                    raise UnsafePath(f"{journal} is not a journal this builder wrote ({err})") from err
                finished = True
        with faults.watching():
            for name, kind in found:
                path = out.parent / name
                if os.path.lexists(path):
                    faults.step("cleanup", path)
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
    return finished


def has_journal(staging: Path) -> bool:
    """Whether a commit of this process names `staging` (then it must stay for the next build)."""
    for path in staging.parent.glob(f"{JOURNAL}{os.getpid()}-*.json"):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if json.loads(path.read_text("utf-8")).get("staging") == staging.name:
                return True
    return False

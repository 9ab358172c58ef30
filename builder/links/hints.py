"""Hints for broken links to a page's former path: where the page went.

After the pages are built, each broken link (DB401, or DB403 for an AUTOTITLE link) whose
target path is no page gets a note naming the page it most likely meant: one that git history says was renamed from that
path (one `git log` per build, only when a link is broken, skipped outside a git repository),
else a page with a path close to it. The note also says how to keep old links working."""

from __future__ import annotations

import difflib
import re
import subprocess
from dataclasses import replace
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Problems
from ..sources.content import url_of

MISSING = re.compile(r" is broken: no page at /(\S*)")
"""The target path in a broken link's message (links/table.py writes it)."""
GIT_SECONDS = 5.0
"""A longer history is read only this far back (newest renames first)."""
NAME_CUTOFF = 0.8
"""How close (difflib ratio) the name of a page in the same folder must be to be suggested."""
PATH_CUTOFF = 0.9
"""How close a whole path must be (a typo in a folder's name): paths share long prefixes."""


def git_renames(root: Path) -> dict[str, tuple[str, str, str]]:
    """Old file under content/ -> (the name it was given, abbreviated commit of that rename, its
    name now, through later renames); {} outside git. Paths are relative to the site root."""
    args = ["git", "-C", str(root), "-c", "core.quotePath=false", "log", "--no-ext-diff", "--no-textconv",
            "--no-show-signature", "--format=%x01%h", "--name-status", "--diff-filter=R", "-M", "--relative",
            "--", "content"]
    try:
        text = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=GIT_SECONDS, check=True).stdout
    except subprocess.TimeoutExpired as err:  # newest first: what was read is the most useful part
        out = err.stdout or b""
        text = out.decode("utf-8", "replace") if isinstance(out, bytes) else out
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return {}
    renames: dict[str, tuple[str, str, str]] = {}
    commit = ""
    for line in text.splitlines():
        if line.startswith("\x01"):
            commit = line[1:]
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0].startswith("R"):
            continue
        old, new = parts[1], parts[2]
        if old in renames or not (old.startswith("content/") and new.startswith("content/")):
            continue  # a newer rename of the same path wins
        renames[old] = (new, commit, renames[new][2] if new in renames else new)
    return renames


class Hinter:
    def __init__(self, root: Path, live: dict):
        self.root = root
        self.live = live
        """Page path (no language, no version) -> Page."""
        self._renames: dict[str, tuple[str, str, str]] | None = None
        self._by_top: dict[str, list[str]] = {}
        for path in live:
            self._by_top.setdefault(path.split("/")[0], []).append(path)
        self._by_folder: dict[str, list[str]] = {}
        for path in live:
            self._by_folder.setdefault(path.rpartition("/")[0], []).append(path)
        self._by_name: dict[str, list[str]] = {}
        for path in live:
            self._by_name.setdefault(path.rsplit("/", 1)[-1], []).append(path)
        self._memo: dict[str, tuple[str, ...]] = {}

    def notes(self, path: str) -> tuple[str, ...]:
        found = self._memo.get(path)
        if found is None:
            found = self._memo[path] = self._notes(path)
        return found

    def _notes(self, path: str) -> tuple[str, ...]:
        if self._renames is None:
            self._renames = git_renames(self.root)
        for old in (f"content/{path}.md", f"content/{path}/index.md"):
            renamed = self._renames.get(old)
            if renamed is None:
                continue
            new, commit, now = renamed
            page = self.live.get(url_of(now[len("content/"):]))
            if page is None:
                continue
            later = f", since renamed to {now}" if now != new else ""
            return (f"did you mean /{page.url}? {old} was renamed to {new} in {commit}{later}",
                    f"or add `redirect_from: /{path}` to {page.src} so that old links keep working")
        guess = self._near(path)
        if guess is None:
            return ()
        return (f"did you mean /{guess}? ({self.live[guess].src})",)

    def _near(self, path: str) -> str | None:
        """The only page with the same name in another folder (it moved), else the page in the
        same folder with the closest name, else a page whose whole path is very close."""
        folder, _, name = path.rpartition("/")
        moved = self._by_name.get(name, [])
        if len(moved) == 1 and name:
            return moved[0]
        siblings = {p.rpartition("/")[2]: p for p in self._by_folder.get(folder, ())}
        close = difflib.get_close_matches(name, list(siblings), n=1, cutoff=NAME_CUTOFF)
        if close:
            return siblings[close[0]]
        candidates = self._by_top.get(path.partition("/")[0]) or list(self.live)
        close = difflib.get_close_matches(path, candidates, n=1, cutoff=PATH_CUTOFF)
        return close[0] if close else None


def hint_broken_links(problems: Problems, root: Path, links) -> None:
    """Add where-it-went notes to the broken links of `problems` (nothing to do, and no git
    call, when no link is broken). `links` is the site's LinkTable."""
    if not any(d.code in (codes.LINK_BROKEN, codes.LINK_AUTOTITLE) and MISSING.search(d.message) for d in problems):
        return
    hinter = Hinter(Path(root), links.by_url)

    def change(d: Diagnostic) -> Diagnostic:
        if d.code not in (codes.LINK_BROKEN, codes.LINK_AUTOTITLE):
            return d
        m = MISSING.search(d.message)
        if m is None:
            return d
        extra = hinter.notes(m.group(1))
        return replace(d, notes=d.notes + extra) if extra else d

    problems.revise(change)

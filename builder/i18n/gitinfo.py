"""What git knows about source files: their commits, newest first (one `git log` per run)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class GitHistory:
    """Commit order and per-file commits of a repository, or `available=False` outside git."""

    root: Path
    available: bool = False
    reason: str = ""
    order: dict[str, int] = field(default_factory=dict)
    """Commit hash -> position in the log (0 = HEAD side, newest)."""
    files: dict[str, list[str]] = field(default_factory=dict)
    """Path relative to the site root -> commits touching it, newest first."""
    prefix: str = ""
    """The site root's path inside the repository (when the site is a sub-folder)."""
    _commits: dict[str, str | None] = field(default_factory=dict, repr=False)
    """`has_commit` answers by the hash asked about (pages share `ms.sourcegitcommit` values)."""
    _since: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    """`commits_since` answers by (file, base commit) (every language asks about the English page)."""

    @classmethod
    def load(cls, root: Path, paths: tuple[str, ...] = ("content", "translations", "data")) -> "GitHistory":
        history = cls(Path(root))
        try:
            top = _git(root, "rev-parse", "--show-toplevel").strip()
            _git(root, "rev-parse", "--verify", "HEAD")
        except (OSError, subprocess.CalledProcessError):
            history.reason = "not a git repository (or no commits yet)"
            return history
        history.prefix = Path(root).resolve().relative_to(Path(top).resolve()).as_posix()
        if history.prefix == ".":
            history.prefix = ""
        log = _git(root, "log", "--topo-order", "--format=%x01%H", "--name-only", "--no-renames", "--", *paths)
        commit = None
        for line in log.splitlines():
            if line.startswith("\x01"):
                commit = line[1:]
                history.order[commit] = len(history.order)
            elif line and commit:
                rel = line
                if history.prefix:
                    if not rel.startswith(history.prefix + "/"):
                        continue
                    rel = rel[len(history.prefix) + 1 :]
                history.files.setdefault(rel, []).append(commit)
        history.available = True
        return history

    def last_commit(self, rel: str) -> str | None:
        commits = self.files.get(rel)
        return commits[0] if commits else None

    def has_commit(self, sha: str) -> str | None:
        """The full hash of `sha` (possibly abbreviated) if this repository has it."""
        if not self.available or not sha:
            return None
        if sha not in self._commits:
            try:
                found = _git(self.root, "rev-parse", "--verify", "--quiet", f"{sha}^{{commit}}").strip() or None
            except (OSError, subprocess.CalledProcessError):
                found = None
            self._commits[sha] = found
        return self._commits[sha]

    def commits_since(self, rel: str, base: str) -> int:
        """Commits touching `rel` that are newer than commit `base`."""
        if base not in self.order:
            key = (rel, base)
            if key not in self._since:
                path = f"{self.prefix}/{rel}" if self.prefix else rel
                try:
                    count = int(_git(self.root, "rev-list", "--count", f"{base}..HEAD", "--", ":/" + path).strip() or 0)
                except (OSError, subprocess.CalledProcessError, ValueError):
                    count = 0
                self._since[key] = count
            return self._since[key]
        limit = self.order[base]
        return sum(1 for c in self.files.get(rel, []) if self.order.get(c, 10**9) < limit)

    def lines_changed(self, rel: str, base: str) -> int:
        path = f"{self.prefix}/{rel}" if self.prefix else rel
        try:
            out = _git(self.root, "diff", "--numstat", base, "HEAD", "--", ":/" + path)
        except (OSError, subprocess.CalledProcessError):
            return 0
        total = 0
        for line in out.splitlines():
            added, removed, *_ = line.split("\t")
            if added.isdigit() and removed.isdigit():
                total += int(added) + int(removed)
        return total


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True, encoding="utf-8"
    ).stdout

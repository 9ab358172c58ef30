"""What a deprecation changes: each file's text before and after, the diff, and the atomic writes."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.errors import ContentError
from ..core.location import Location
from ..output.atomic import write_atomically
from ..sources.files import contained_path


@dataclass
class Source:
    """A file's text as edited: newlines as LF, with what to restore when writing it back."""

    rel: str
    text: str
    bom: bool = False
    crlf: bool = False

    def encode(self, text: str) -> bytes:
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return (("\ufeff" if self.bom else "") + text).encode("utf-8")


@dataclass
class Deprecated:
    """Everything `deprecate` would do."""

    version: str
    """The version string deprecated, such as `enterprise-server@3.14`."""
    sources: dict[str, Source] = field(default_factory=dict)
    new_text: dict[str, str | None] = field(default_factory=dict)
    """Changed files: rel -> new text (None: the file is removed)."""
    problems: list[Diagnostic] = field(default_factory=list)

    def diff(self) -> str:
        """The changes as one unified diff (paths a/<rel> and b/<rel>, sorted)."""
        out: list[str] = []
        for rel in sorted(self.new_text):
            old, new = self.sources[rel].text, self.new_text[rel]
            for line in difflib.unified_diff(old.splitlines(keepends=True), (new or "").splitlines(keepends=True),
                                             f"a/{rel}", "/dev/null" if new is None else f"b/{rel}"):
                out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)

    def counts(self) -> tuple[int, int, int, int]:
        """(files changed, files removed, lines removed, lines added)."""
        removed = added = 0
        for line in self.diff().splitlines():
            if line.startswith("-") and not line.startswith("---"):
                removed += 1
            elif line.startswith("+") and not line.startswith("+++"):
                added += 1
        gone = sum(1 for v in self.new_text.values() if v is None)
        return len(self.new_text) - gone, gone, removed, added


# Writing ------------------------------------------------------------------------------------


def write_deprecation(root: Path, result: Deprecated) -> list[Diagnostic]:
    """Write every changed file atomically (a temporary file beside it, then a rename) and remove
    the removed ones; never through a symbolic link. Returns the files that could not be written."""
    problems = []
    for rel in sorted(result.new_text):
        new = result.new_text[rel]
        try:
            real = contained_path(root, rel)
            if os.path.islink(os.path.join(root, rel)):
                raise OSError(f"{rel} is a symbolic link")
            if new is None:
                os.unlink(real)
                continue
            _atomic_write(real, result.sources[rel].encode(new))
        except (OSError, ContentError) as err:
            reason = err.diagnostics[0].message if isinstance(err, ContentError) else (err.strerror or str(err))
            problems.append(Diagnostic(codes.DEPRECATE_WRITE, f"{rel} was not written: {reason}", Location(rel, 1, 1)))
    return problems


def _atomic_write(real: str, data: bytes) -> None:
    write_atomically(real, data, os.stat(real).st_mode & 0o7777)

"""Finding the Markdown files under content/: links that loop are skipped, links that lead out of
the root are reported and never followed (see docs/security.md)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.location import Location
from .files import is_outside, outside_diagnostic, unreadable


def walk_markdown(content: Path, problems: list[Diagnostic], outside: set[str] | None = None) -> set[str]:
    """Every Markdown file under content/ (readable or not: reading reports why it cannot be).

    Links that loop are skipped with a warning. A link that leads outside the site's root is an
    error at the link and is never followed: a folder is not listed, a file is not read (it is
    added to `outside`, and to the result so that `children` naming it are not also reported)."""
    found: set[str] = set()
    if not content.is_dir():
        return found
    outside = set() if outside is None else outside
    root = content.parent
    if is_outside(root, str(content)):  # never list a folder outside the root
        problems.append(outside_diagnostic("content"))
        outside.add("index.md")
        return found
    seen_dirs: set[str] = {os.path.realpath(content)}

    def warn(rel: str, message: str) -> None:
        problems.append(Diagnostic(codes.SYMLINK_LOOP, message, Location(rel, 1, 1), Severity.WARNING))

    def cannot_list(err: OSError) -> None:
        rel = os.path.relpath(err.filename, root).replace(os.sep, "/")
        problems.append(unreadable(rel, err))
        if rel.startswith("content/"):  # a `children` entry naming it is not reported again
            outside.add(rel[len("content/"):] + "/index.md")
            found.add(rel[len("content/"):] + "/index.md")

    for dirpath, dirnames, filenames in os.walk(content, followlinks=True, onerror=cannot_list):
        keep = []
        for name in sorted(dirnames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if is_outside(root, path):
                problems.append(outside_diagnostic(rel))
                outside.add(rel[len("content/"):] + "/index.md")
                found.add(rel[len("content/"):] + "/index.md")
                continue
            real = os.path.realpath(path)
            if real in seen_dirs:
                target = Path(os.path.relpath(real, os.path.realpath(root))).as_posix()
                warn(rel, f"{rel} is a symbolic link back into the tree ({target}); it is skipped")
                continue
            seen_dirs.add(real)
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            if not name.endswith(".md"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if os.path.islink(path):
                try:
                    os.stat(path)
                except OSError as err:
                    if err.errno == errno.ELOOP:
                        warn(rel, f"{rel} is a symbolic link that loops; it is skipped")
                        continue
                if is_outside(root, path):
                    problems.append(outside_diagnostic(rel))
                    outside.add(rel[len("content/"):])
            found.add(os.path.relpath(path, content).replace(os.sep, "/"))
    return found

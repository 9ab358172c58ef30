"""Pages beneath an index that could not be loaded: still loaded, checked and built.

An index whose frontmatter is broken has no readable `children` list, so nothing beneath it
would be reached: a writer fixing its error would then meet a new wave of errors from the pages
beneath. Those pages take the failed index's place in the tree instead (same parent and depth,
in file-name order), in no `children` list: their own problems are reported at once, links
to them resolve, and `build --keep-going` writes them. A warning (DB810) on the index names them.
"""

from __future__ import annotations

from typing import Callable

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.location import Location

SHOWN = 5
"""Pages named in the warning; the rest are counted."""


def entries_beneath(files: set[str], index: str) -> list[str]:
    """The pages beneath `index` (`a/index.md`) that its `children` could have listed, sorted:
    `a/*.md`, `a/*/index.md`, and files in sub-folders without an `index.md` of their own
    (`children: [/sub/page]`); a sub-folder's own index lists what is beneath it."""
    folder = index[: -len("index.md")]
    found = []
    for rel in files:
        if not rel.startswith(folder) or rel == index:
            continue
        parts = rel[len(folder):].split("/")
        if len(parts) == 1 or (len(parts) == 2 and parts[1] == "index.md"):
            found.append(rel)
        elif not any(folder + "/".join(parts[:n]) + "/index.md" in files for n in range(1, len(parts))):
            found.append(rel)
    return sorted(found)


def adopt_beneath_failed(files: set[str], failed_at: dict[str, tuple[str | None, int]], taken: Callable[[], set[str]],
                         visit: Callable[[str, str | None, int], bool], problems: list[Diagnostic]) -> list[str]:
    """Visit the pages beneath each failed index (and beneath those that fail in turn) in its
    place; returns the pages loaded so, in order. `taken` gives the files already placed or
    named by a `children` list; `visit` loads a file and what its `children` reach."""
    adopted: list[str] = []
    done: set[str] = set()
    while True:
        pending = sorted(rel for rel in failed_at if rel not in done and (rel == "index.md" or rel.endswith("/index.md")))
        if not pending:
            return adopted
        for index in pending:
            done.add(index)
            parent, depth = failed_at[index]
            if index == "index.md":
                parent, depth = None, 1  # the products, with no home page above them
            busy = taken()
            entries = [rel for rel in entries_beneath(files, index) if rel not in busy]
            if not entries:
                continue
            loaded = [rel for rel in entries if visit(rel, parent, depth)]
            adopted.extend(loaded)
            named = ", ".join(f"content/{rel}" for rel in entries[:SHOWN])
            more = f" and {len(entries) - SHOWN} more" if len(entries) > SHOWN else ""
            count = f"{len(entries)} page{'s' if len(entries) != 1 else ''}"
            problems.append(Diagnostic(
                codes.ADOPTED_PAGES,
                f"content/{index} could not be loaded (see its error): the {count} beneath it ({named}{more}) "
                "are still checked, but no navigation lists them until it is fixed",
                Location(f"content/{index}", 1, 1), Severity.WARNING,
                notes=("`build --keep-going` writes them, outside the navigation",)))

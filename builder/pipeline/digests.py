"""Content digests (SHA-256) of source files, as a build read them: what the build cache records
of each file, and what page fingerprints are made of."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..core.errors import ContentError
from ..core.paths import check_output_paths
from ..sources.files import read_source_bytes

CHANGED = "changed-during-build"
"""The digest recorded for a file that changed while the build read it: it matches no file, so
every page that read the file is built again next time."""
MISSING = "-"


class FileDigests:
    """Content digests (SHA-256) of source files, by path relative to the root.

    `prime` takes a snapshot of whole folders before the build reads them, so the digest
    recorded for a file is that of the bytes the build read: a file edited while the build runs
    no longer has that digest, and the next build sees the change. Files outside the snapshot
    are hashed when first asked for and hashed again by `recheck` at the end of the build.
    Size and modification time are never trusted: the same size and time is hashed again.
    """

    def __init__(self, root: Path, previous: dict | None = None):
        # `previous` (digests of an earlier pass) is accepted and not used: a file is always
        # hashed, whatever its size and time say.
        self._root = str(root)
        self.snapshot: dict[str, str] = {}
        """Digests of the primed folders' files, taken before the build read any of them."""
        self.primed: tuple[str, ...] = ()
        """Folders (relative, ending in '/') whose files are all in `snapshot`."""
        self.stats: dict[str, tuple[int, int]] = {}
        """Path -> (mtime_ns, size) when its digest was taken."""
        self.current: dict[str, str] = {}
        """Path -> digest of every file the build asked about (missing files: `MISSING`)."""
        self._late: set[str] = set()
        """Files hashed after the build may have read them: checked again by `recheck`."""

    def prime(self, folders: list[str]) -> None:
        """Hash every file under these folders (relative to the root) now, before they are read."""
        added = []
        for folder in folders:
            folder = folder.strip("/")
            if not folder or any(folder == p.rstrip("/") or folder.startswith(p) for p in self.primed):
                continue
            top = os.path.join(self._root, folder)
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                rel_dir = os.path.relpath(dirpath, self._root).replace(os.sep, "/")
                for name in filenames:
                    if not name.startswith("."):
                        rel = f"{rel_dir}/{name}"
                        self.snapshot[rel] = self._hash(rel)
            added.append(folder + "/")
        self.primed += tuple(added)

    def digest(self, rel: str) -> str:
        found = self.current.get(rel)
        if found is not None:
            return found
        found = self.snapshot.get(rel)
        if found is None:  # outside the snapshot, or created since: hashed now, and again at the end
            found = self._hash(rel)
            self._late.add(rel)
        self.current[rel] = found
        return found

    def recheck(self) -> set[str]:
        """Files hashed late whose content changed since: their digest becomes `CHANGED`."""
        changed = {rel for rel in sorted(self._late) if self._hash(rel) != self.current[rel]}
        for rel in changed:
            self.current[rel] = CHANGED
        self._late.clear()
        return changed

    def _hash(self, rel: str) -> str:
        if check_output_paths((rel,)) is not None:
            return MISSING
        try:  # stat first: a file changed after it keeps a time that no longer matches (metas, frontmatter)
            st = os.stat(os.path.join(self._root, rel))
            # never blocks on a pipe, never follows a link out of the root (sources/files.py)
            sha = hashlib.sha256(read_source_bytes(Path(self._root), rel)).hexdigest()
        except (OSError, ContentError):
            return MISSING
        self.stats[rel] = (st.st_mtime_ns, st.st_size)
        return sha

"""The persistent build cache (`<out>/.build/cache.pickle`): file digests and per-page records."""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

FORMAT = 5
CACHE = ".build/cache.pickle"


@lru_cache(maxsize=1)
def builder_digest() -> str:
    """A digest of the builder's own code and templates: a new version invalidates every record."""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.sha1()
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".js", ".yml"):
            h.update(path.relative_to(package).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@dataclass
class PageRecord:
    fingerprint: str
    result: object
    """The PageResult of the build that produced the page's outputs."""


@dataclass
class BuildCache:
    key: str
    files: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    """Path -> (mtime_ns, size, sha1) when it was last read."""
    pages: dict[str, PageRecord] = field(default_factory=dict)
    extras: dict[str, str] = field(default_factory=dict)
    """Digests of site-wide outputs (redirects, search bundles) to skip rewriting them."""
    frontmatter: dict = field(default_factory=dict)
    """Parsed frontmatter by file (see `load_content`); valid for the same builder code."""
    code: str = ""
    """The builder's code digest when this cache was written."""
    metas: dict = field(default_factory=dict)
    """(language, page) -> MetaRecord: titles and intros, reused while their files are unchanged."""
    site_key: str = ""
    """What every page depends on (options, site files, templates, features) when this cache was written."""

    @classmethod
    def read(cls, out: Path) -> "BuildCache | None":
        """The cache of the last build into `out`, if it was written by this builder's code."""
        try:
            with open(out / CACHE, "rb") as fh:
                cache = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None
        if not isinstance(cache, cls) or cache.code != builder_digest():
            return None
        return cache

    def save(self, folder: Path) -> None:
        target = folder / CACHE
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)


def load_cache(out: Path, key: str) -> "BuildCache | None":
    cache = BuildCache.read(out)
    return cache if cache is not None and cache.key == key else None


class FileDigests:
    """Content digests of source files; a file whose size and mtime did not change is not re-read."""

    def __init__(self, root: Path, previous: dict[str, tuple[int, int, str]]):
        self.root = root
        self._root = str(root)
        self.previous = previous
        self.current: dict[str, tuple[int, int, str]] = {}

    def digest(self, rel: str) -> str:
        found = self.current.get(rel)
        if found is not None:
            return found[2]
        path = os.path.join(self._root, rel)
        try:
            st = os.stat(path)
        except OSError:
            self.current[rel] = (0, -1, "-")
            return "-"
        old = self.previous.get(rel)
        if old is not None and old[0] == st.st_mtime_ns and old[1] == st.st_size:
            self.current[rel] = old
            return old[2]
        try:
            with open(path, "rb") as fh:
                sha = hashlib.sha1(fh.read()).hexdigest()
        except OSError:
            sha = "-"
        self.current[rel] = (st.st_mtime_ns, st.st_size, sha)
        return sha

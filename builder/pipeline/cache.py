"""The persistent build cache (`<out>/.build/cache.pickle`): file digests and per-page records."""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..core.errors import ContentError
from ..output.writer import CACHE
from ..sources.files import read_source_bytes

FORMAT = 5


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

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_blob"}

    def blob(self) -> bytes:
        """The record's bytes in the cache file (see `_canonical`); a record kept from the last
        build keeps its bytes."""
        blob = self.__dict__.get("_blob")
        if blob is None:
            blob = self._blob = _canonical(self)
        return blob


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
                stored = pickle.load(fh)
            if not isinstance(stored, dict) or stored.get("code") != builder_digest():
                return None
            cache = cls(**{name: pickle.loads(blob) for name, blob in stored["fields"].items()})
            cache.pages = {rel: _record(blob) for rel, blob in stored["pages"].items()}
        except (OSError, KeyError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
                ValueError):
            return None
        return cache

    def save(self, folder: Path) -> None:
        """Write the cache: each field and each page record pickled on its own, through `_canonical`,
        so the file is byte-identical whatever --jobs is."""
        target = folder / CACHE
        target.parent.mkdir(parents=True, exist_ok=True)
        fields = {name: _canonical(getattr(self, name)) for name in self.__dataclass_fields__ if name != "pages"}
        stored = {"code": self.code, "fields": fields,
                  "pages": {rel: record.blob() for rel, record in self.pages.items()}}
        tmp = target.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(stored, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)


def _canonical(value) -> bytes:
    """Pickled, loaded and pickled again: bytes that depend only on the values, not on which
    equal objects happened to be one object in this process (pages that came back from worker
    processes have been through pickle once already)."""
    once = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return pickle.dumps(once, protocol=pickle.HIGHEST_PROTOCOL)


def _record(blob: bytes) -> PageRecord:
    record = pickle.loads(blob)
    record._blob = blob
    return record


class FileDigests:
    """Content digests of source files; a file whose size and mtime did not change is not re-read."""

    def __init__(self, root: Path, previous: dict[str, tuple[int, int, str]]):
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
        try:  # never blocks on a pipe, never follows a link out of the root
            sha = hashlib.sha1(read_source_bytes(Path(self._root), rel)).hexdigest()
        except ContentError:
            sha = "-"
        self.current[rel] = (st.st_mtime_ns, st.st_size, sha)
        return sha

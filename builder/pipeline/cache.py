"""The persistent build cache (`<out>/.build/cache.json`); the digests of source files it records
are digests.py's.

The cache is one JSON document, one record per line, so a record kept from the last build keeps
its text:

    {"format":"docs-builder-cache","version":6,"checksum":"sha256:<hex>","code":"...","records":[
    {"kind":"build",...},
    {"kind":"files",...},
    {"kind":"frontmatter",...},
    {"kind":"meta",...},
    {"kind":"page",...}
    ]}

The checksum covers every byte after the first line. The records are plain data (see
records.py); every path they name is checked with the path policy before it is used. A cache that
is unreadable, corrupt, from another format, fails its checksum or names a path the policy
refuses is ignored with a warning (DB610, DB612), and the build runs clean. A cache written by
other builder code is ignored silently (it is simply out of date). The pickled cache of older
versions (`cache.pickle`) is never loaded: it is reported and deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.paths import check_output_paths
from ..output.writer import CACHE, symlinked_part
from .digests import CHANGED, MISSING, FileDigests
from .metas import MetaRecord
from .records import FrontmatterRecord, PageRecord, RecordError, canonical, from_plain, is_plain, to_plain

FORMAT = 6
FORMAT_NAME = "docs-builder-cache"
LEGACY_CACHE = ".build/cache.pickle"
"""Where docs-builder 5 and older pickled their cache: never loaded, deleted by the next build."""

_HEAD = '{{"format":"{name}","version":{version},"checksum":"sha256:{checksum}","code":{code},"records":['


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


class CacheIgnored(Exception):
    """Why the cache file cannot be used: `code` and the end of the warning's first sentence."""

    def __init__(self, code, why: str):
        super().__init__(why)
        self.code = code
        self.why = why


@dataclass
class BuildCache:
    key: str
    files: dict[str, str] = field(default_factory=dict)
    """Path -> content digest of each source file the build read (`CHANGED` if it changed meanwhile)."""
    pages: dict[str, PageRecord] = field(default_factory=dict)
    extras: dict[str, str] = field(default_factory=dict)
    """Digests of site-wide outputs (redirects, search bundles) to skip rewriting them."""
    frontmatter: dict[str, FrontmatterRecord] = field(default_factory=dict)
    """Parsed frontmatter by file; valid while the file's digest is unchanged (see `frontmatter_for`)."""
    code: str = ""
    """The builder's code digest when this cache was written."""
    metas: dict[tuple[str, str], MetaRecord] = field(default_factory=dict)
    """(language, page) -> titles and intros, reused while their files are unchanged."""
    site_key: str = ""
    """What every page depends on (options, site files, templates, features) when this cache was written."""
    lines: dict[tuple, tuple[object, str]] = field(default_factory=dict, repr=False, compare=False)
    """(kind, key) -> (record, its line in the file read): a record kept from the last build (or
    equal to it: `assemble` keeps a shard's) is written again as it was read, without encoding it
    again. Not saved."""

    # Reading -------------------------------------------------------------------------------

    @classmethod
    def read(cls, out: Path, problems: list[Diagnostic], seen: dict | None = None,
             outputs_here: bool = True) -> "BuildCache | None":
        """The cache of the last build into `out`, or None (with a warning in `problems` when the
        file is there but cannot be trusted). An old pickled cache is reported and deleted.
        `seen` (caches read one after another: `assemble`'s shards, which all hold the site's
        frontmatter and many of the same titles): record line -> the record read from it; a line
        read before gives the same record, not parsed again. Not `outputs_here` (the state folder
        of a shard merged into --out, `assemble --in-place`): the outputs are not looked for under
        `out`, nor symbolic links on their way."""
        path = out / CACHE
        link = symlinked_part(out, CACHE, {})
        if link is not None:  # `.build` leads out of the site: nothing in it is read or deleted
            if os.path.lexists(path):
                problems.append(_warning(codes.STATE_UNSAFE_PATH, path, f"lies under {link!r}, a symbolic link"
                                         "; it is ignored: every page is built afresh"))
            return None
        legacy = out / LEGACY_CACHE
        if os.path.lexists(legacy):
            problems.append(_warning(codes.STATE_CACHE, legacy, (
                "is the pickled cache of an older docs-builder; it is never loaded (unpickling can run "
                "code) and is deleted")))
            # Deleted by the commit, which replaces `.build/` whole: a build that fails leaves
            # the site, old cache included, as it was.
        try:
            return cls._parse(path, _read_regular(path), seen, outputs_here)
        except FileNotFoundError:
            return None
        except CacheIgnored as ignored:
            problems.append(_warning(ignored.code, path, ignored.why + "; it is ignored: every page is built afresh"))
            return None

    @classmethod
    def _parse(cls, path: Path, raw: bytes, seen: dict | None = None,
               outputs_here: bool = True) -> "BuildCache | None":
        head_line, newline, rest = raw.partition(b"\n")
        try:
            head = json.loads(head_line + b"]}")
        except (ValueError, RecursionError):
            raise CacheIgnored(codes.STATE_CACHE, "is not a docs-builder cache (its first line is not its header)")
        if not isinstance(head, dict) or head.get("format") != FORMAT_NAME:
            raise CacheIgnored(codes.STATE_CACHE, "is not a docs-builder cache (its first line is not its header)")
        version = head.get("version")
        if version != FORMAT:
            raise CacheIgnored(codes.STATE_CACHE, (f"is in cache format {version}" if type(version) is int else
                                                   "has no cache format version")
                               + f"; this docs-builder reads format {FORMAT}")
        if head.get("checksum") != "sha256:" + hashlib.sha256(rest).hexdigest():
            raise CacheIgnored(codes.STATE_CACHE, "does not match its checksum (it is damaged or was edited)")
        if head.get("code") != builder_digest():
            return None  # written by other builder code: out of date, not damaged
        lines = rest.split(b"\n")
        if not newline or len(lines) < 2 or lines[-2:] != [b"]}", b""]:
            raise CacheIgnored(codes.STATE_CACHE, "is cut short (it has no closing line)")
        cache = None
        for number, line in enumerate(lines[:-2], start=2):
            text = line.decode("utf-8", "replace")
            body = text[:-1] if text.endswith(",") else text
            known = seen.get(body) if seen is not None and cache is not None else None
            if known is not None:
                _keep_record(cache, *known, body)
                continue
            try:
                record = json.loads(body)
                cache = _add_record(cache, record, body, seen)
            except RecordError as err:
                raise CacheIgnored(codes.STATE_CACHE, f"line {number} is malformed: {err}")
            except (ValueError, RecursionError):
                raise CacheIgnored(codes.STATE_CACHE, f"line {number} is not valid JSON")
        if cache is None:
            raise CacheIgnored(codes.STATE_CACHE, "has no build record")
        cache.code = head["code"]
        _check_paths(cache, path.parent.parent if outputs_here else None)
        return cache

    # Writing -------------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the cache under `folder` (the staging folder): canonical JSON, one record per
        line, each written as it is encoded (the file is never held whole in memory)."""
        from ..output.checksummed import write_checksummed

        target = folder / CACHE
        target.parent.mkdir(parents=True, exist_ok=True)

        def records():
            yield canonical({"kind": "build", "key": self.key, "site_key": self.site_key, "extras": self.extras})
            yield ",\n" + canonical({"kind": "files", "files": self.files})
            for src in sorted(self.frontmatter):
                yield ",\n" + self._line(("frontmatter", src), self.frontmatter[src],
                                          lambda r, src=src: {"kind": "frontmatter", "src": src,
                                                              "record": to_plain(r, FrontmatterRecord)})
            for lang, rel in sorted(self.metas):
                yield ",\n" + self._line(("meta", lang, rel), self.metas[(lang, rel)],
                                          lambda r, lang=lang, rel=rel: {"kind": "meta", "lang": lang, "page": rel,
                                                                         "record": to_plain(r, MetaRecord)})
            for rel in sorted(self.pages):
                yield ",\n" + self._line(("page", rel), self.pages[rel],
                                          lambda r, rel=rel: {"kind": "page", "rel": rel,
                                                              "record": to_plain(r, PageRecord)})
            yield "\n]}\n"

        def head(checksum: str) -> bytes:
            return (_HEAD.format(name=FORMAT_NAME, version=FORMAT, checksum=checksum, code=json.dumps(self.code))
                    + "\n").encode("utf-8")

        tmp = target.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            write_checksummed(fh, head, records())
        os.replace(tmp, target)

    def _line(self, key: tuple, record, encode) -> str:
        found = self.lines.get(key)
        if found is not None and (found[0] is record or found[0] == record):  # equal: made again alike
            return found[1]
        return canonical(encode(record))

    def frontmatter_for(self, digests: "FileDigests") -> dict:
        """The cached frontmatter `load_content` may use: files whose content digest now is the
        one recorded, keyed by their current size and modification time."""
        usable = {}
        for src, record in self.frontmatter.items():
            if digests.digest(src) == record.sha256:
                st = digests.stats.get(src)
                start, end = record.fm_span
                if st is not None and 0 <= start <= end <= record.body_offset <= st[1]:
                    usable[src] = (st[0], st[1], record.data, record.fm_span, record.body_offset)
        return usable


def frontmatter_records(parsed: dict, digests: "FileDigests") -> dict[str, FrontmatterRecord]:
    """The frontmatter `load_content` parsed (`ContentTree.frontmatter`), for the next build:
    each file's entry under the digest of the file as this build found it; entries that are not
    plain data (YAML dates, say) or whose file changed during the build are left out."""
    records = {}
    for src, (_mtime, _size, data, span, body_offset) in parsed.items():
        sha = digests.digest(src)
        if sha not in (MISSING, CHANGED) and is_plain(data):
            records[src] = FrontmatterRecord(sha, data, tuple(span), body_offset)
    return records


def _keep_record(cache: BuildCache, kind: str, key, found, line: str) -> None:
    """Put a parsed record in its place in `cache` (see `_add_record`)."""
    if kind == "frontmatter":
        cache.frontmatter[key] = found
        cache.lines[("frontmatter", key)] = (found, line)
    elif kind == "meta":
        cache.metas[key] = found
        cache.lines[("meta", *key)] = (found, line)
    else:
        cache.pages[key] = found
        cache.lines[("page", key)] = (found, line)


def _add_record(cache: BuildCache | None, record, line: str, seen: dict | None = None) -> BuildCache:
    if not isinstance(record, dict):
        raise RecordError("expected a record (an object)")
    kind = record.get("kind")
    if cache is None:
        if kind != "build":
            raise RecordError("expected the build record, which comes first")
        key = from_plain(record.get("key"), str, "key")
        site_key = from_plain(record.get("site_key"), str, "site_key")
        extras = from_plain(record.get("extras"), dict[str, str], "extras")
        _expect_keys(record, ("kind", "key", "site_key", "extras"))
        return BuildCache(key, extras=extras, site_key=site_key)
    if kind == "files":
        _expect_keys(record, ("kind", "files"))
        cache.files = from_plain(record["files"], dict[str, str], "files")
        return cache
    if kind == "frontmatter":
        _expect_keys(record, ("kind", "src", "record"))
        key = from_plain(record["src"], str, "src")
        found = from_plain(record["record"], FrontmatterRecord, "record")
    elif kind == "meta":
        _expect_keys(record, ("kind", "lang", "page", "record"))
        key = (from_plain(record["lang"], str, "lang"), from_plain(record["page"], str, "page"))
        found = from_plain(record["record"], MetaRecord, "record")
    elif kind == "page":
        _expect_keys(record, ("kind", "rel", "record"))
        key = from_plain(record["rel"], str, "rel")
        found = from_plain(record["record"], PageRecord, "record")
    else:
        raise RecordError(f"kind: unknown kind {kind[:60]!r}" if isinstance(kind, str) else "kind: missing")
    _keep_record(cache, kind, key, found, line)
    if seen is not None and kind != "page":  # a page is in one shard's cache, or in parts
        seen[line] = (kind, key, found)
    return cache


def _expect_keys(record: dict, keys: tuple[str, ...]) -> None:
    if len(record) != len(keys) or any(k not in record for k in keys):
        unknown = sorted(set(record) - set(keys))
        raise RecordError(f"unknown field {unknown[0][:60]!r}" if unknown
                          else f"missing field {next(k for k in keys if k not in record)!r}")


def _check_paths(cache: BuildCache, out: Path | None) -> None:
    """Every path a record names passes the policy before anything is read or linked through
    it: source files (read to hash them) and outputs (under `out`, reached by no symlink; None:
    they are not under the cache's folder)."""
    sources: set[str] = set(cache.files) | set(cache.frontmatter)
    outputs: set[str] = set()
    for record in cache.metas.values():
        sources.update(path for path, _ in record.deps)
    for record in cache.pages.values():
        for o in record.result.outputs:
            outputs.add(o.path)
            sources.update(o.sources)
    for kind, paths in (("source file", sources), ("output", outputs)):
        refused = check_output_paths(paths)
        if refused is not None:
            _refuse(kind, refused[0], refused[1].reason)
    memo: dict[str, str | None] = {}
    for rel in sorted(outputs) if out is not None else ():
        link = symlinked_part(out, rel, memo)
        if link is not None:
            _refuse("output", rel, f"lies under {link!r}, a symbolic link")


def _refuse(kind: str, rel: str, reason: str) -> None:
    shown = rel if len(rel) <= 80 else rel[:80] + "..."
    raise CacheIgnored(codes.STATE_UNSAFE_PATH, f"names the {kind} {shown!r}, which {reason}")


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file; `CacheIgnored` for anything else (a symlink, a FIFO ...)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise
    except OSError as err:
        raise CacheIgnored(codes.STATE_CACHE, f"cannot be read ({err.strerror})")
    if not stat.S_ISREG(st.st_mode):
        raise CacheIgnored(codes.STATE_CACHE, "is not a regular file")
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as err:
        raise CacheIgnored(codes.STATE_CACHE, f"cannot be read ({err.strerror})")


def _warning(code, path: Path, why: str) -> Diagnostic:
    return Diagnostic(code, f"{path} {why}", None, Severity.WARNING)

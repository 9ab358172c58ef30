"""The sharded search index: per language, a few complete Pagefind bundles holding every version.

Layout (see docs/search.md):

    _pagefind/<lang>/shards.json     {"format":1,"shards":["/_pagefind/<lang>/<shard>/", ...]}
    _pagefind/<lang>/<shard>/         one Pagefind bundle (pagefind.js, pagefind-entry.json, ...)

A page published in several versions with the same text is ONE record: its url is version-neutral
(`/<lang>/<path>`), its Pagefind filter `version` lists the slugs of the versions that show that
text, and the links of its body are made version-neutral before it is compared or indexed
(`/<lang>/<segment>/` -> `/<lang>/`). The reader searches with `filters: {version: <slug>}`.

Records are split by product: a product of up to `TARGET_PAGES` pages is one shard, a bigger one
is split in 2, 4, 8... parts by a hash of the page URL (a page stays in its part when others come
and go; all records of a page are in its part), and small products are packed together in name
order. If that makes more than `MAX_SHARDS` shards, the target doubles until it does not. The
plan counts pages, not records, so it is known before anything is rendered: single builds and
build shards (`build --shard K/N`) use the same one (builder/pipeline/shard.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from .service import ServiceError, ShardJob, run_jobs

TARGET_PAGES = 80
"""Pages a shard holds at most (before the doubling that bounds the shard count). A page is about
3 records on the GitHub-like bench corpus (its text differs between versions), so a shard holds
about 250 records, as when the plan counted records."""
MAX_SHARDS = 64
"""Shards one language has at most (5,120 pages before the bound doubles). Every query of the reader
fetches an index chunk of each shard, of about the same size whatever the shard holds: 50 shards
cost a query about 1.7 MB, 100 about 3.3 MB (bench/search_reader.py, docs/search.md)."""
RECORDS_IN_FLIGHT = 500
"""Records whose bundle files Pagefind makes at once, all services together: that step needs about
40 MB + 0.42 MB a record of the shard, so when the bound has doubled fewer shards make theirs at
once."""
RECORDS_HELD = 1000
"""Records the services hold at once, sending pages or making files. While one service makes its
files another may send its next shard's pages (service.run_jobs: the core is not left idle), but
a service holds about three quarters of its peak by then, so only when the two shards together
are no more than this: about the memory one shard of the doubled bound (1,000 records) needs."""
SHARDS_FORMAT = 1


@dataclass(frozen=True)
class SearchRecord:
    url: str
    """Site path of the page in its version (`/en/enterprise-server@3.17/p/c/a`)."""
    lang: str
    version: str
    """Version slug (`fpt`, `ghes-3.17`)."""
    product: str
    """The product's title in this language ("" for the home page)."""
    title: str
    html: str
    """The indexed body: article HTML without site chrome (sidebar, header, footer)."""
    segment: str = ""
    """The version's URL segment (`enterprise-server@3.17`, "" on the default plan)."""


# Version-neutral records ------------------------------------------------------------------------

def neutral_url(url: str, lang: str, segment: str) -> str:
    """`/en/enterprise-server@3.17/p/a` -> `/en/p/a` (the default plan's URL form)."""
    if segment:
        base = f"/{lang}/{segment}"
        if url == base or url.startswith(base + "/"):
            return f"/{lang}" + url[len(base):]
    return url


def neutral_body(body: bytes, lang: str, segment: str) -> bytes:
    """The body with its links' version prefix removed (`/<lang>/<segment>/` -> `/<lang>/`), so
    that versions whose text is the same give the same bytes."""
    if not segment:
        return body
    base = f"/{lang}/{segment}".encode("utf-8")
    short = f"/{lang}".encode("utf-8")
    if base not in body:
        return body
    for end in (b"/", b'"', b"#", b"'", b"?"):
        body = body.replace(base + end, short + end)
    return body


def record_urls(groups: dict[str, list[tuple[tuple[str, ...], str]]]) -> dict[tuple[str, str], str]:
    """The url of each record: `groups` maps a neutral url to its records (versions in order,
    record key). One record keeps the url; when a page has several (its text differs between
    versions) the others get `?v=<first version>` (Pagefind keeps one page per url; the reader
    drops the query). Returns (neutral url, key) -> record url."""
    urls: dict[tuple[str, str], str] = {}
    for url, records in groups.items():
        for i, (versions, key) in enumerate(sorted(records)):
            urls[(url, key)] = url if i == 0 else f"{url}?v={versions[0]}"
    return urls


# Sharding ---------------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[^a-z0-9_-]+")


def _name(unit: str) -> str:
    """A shard name for a product key: lowercase letters, digits, `-` and `_` only."""
    if not unit:
        return "home"
    base = _UNSAFE_NAME.sub("-", unit.lower()).strip("-")[:40]
    if base != unit or base == "home":
        base = f"{base or 'home'}-{hashlib.sha1(unit.encode('utf-8')).hexdigest()[:6]}"
    return base


def _bucket(url: str, parts: int) -> int:
    """The part of a product split in `parts` that holds `url` (`/<lang>/<path>`): from the path
    alone, so that a page is in the same-named shard in every language (a build shard then builds
    all of a page's languages: see pipeline/shard.py `partition`)."""
    page = "/" + url.split("?", 1)[0].lstrip("/").partition("/")[2]  # a page's records stay together
    return int(hashlib.sha1(page.encode("utf-8")).hexdigest()[:8], 16) % parts


def plan_shards(units: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """Split one language: `units` maps a product key to its page URLs; returns
    (shard name, sorted URLs) pairs, sorted by name. Deterministic (no hash seed involved)."""
    target = TARGET_PAGES
    while True:
        shards = _plan(units, target)
        if len(shards) <= MAX_SHARDS:
            return shards
        target *= 2


def _plan(units: dict[str, list[str]], target: int) -> list[tuple[str, list[str]]]:
    shards: dict[str, list[str]] = {}
    group: list[str] = []
    group_name = ""
    for unit in sorted(units):
        urls = units[unit]
        if not urls:
            continue
        if len(urls) < target // 2:  # small: packed with its neighbours
            if group and len(group) + len(urls) > target:
                shards["g." + group_name] = group
                group = []
            if not group:
                group_name = _name(unit)
            group = group + list(urls)
            continue
        parts = 1
        while len(urls) > target * parts:
            parts *= 2
        if parts == 1:
            shards[_name(unit)] = list(urls)
        else:
            for url in urls:
                shards.setdefault(f"{_name(unit)}.{_bucket(url, parts) + 1}", []).append(url)
    if group:
        shards["g." + group_name] = group
    return [(name, sorted(urls)) for name, urls in sorted(shards.items())]


# Documents --------------------------------------------------------------------------------------

_INLINE = r"(?:a|abbr|b|bdi|bdo|cite|code|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var)"
_INLINE_TAG = re.compile(rf"</?{_INLINE}(?:\s[^>]*)?>")
_INLINE_KEPT = re.compile(rf"<{_INLINE}(?=[\s>])[^>]*?\s(?:id=|data-pagefind)")
"""Inline elements' tags. Pagefind joins inline text without a break, so the index is the same
without them (checked byte for byte on the bench corpus), and parsing them was a quarter of its
time spent reading a page (a highlighted code block has a span per token). A body with an inline
element that has an id (Pagefind records it as an anchor) or a Pagefind attribute keeps them all."""


def document(lang: str, title: str, product: str, body: str, versions: Iterable[str]) -> str:
    """The small HTML document Pagefind indexes for one record: its metadata, its `version`
    filter values and its body, without the tags of inline elements."""
    body = body.replace(' data-pagefind-meta="title"', "")  # the title is given below
    if not _INLINE_KEPT.search(body):
        body = _INLINE_TAG.sub("", body)
    filters = "".join(f'<meta data-pagefind-filter="version[content]" content="{escape(v)}">' for v in versions)
    return (f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f'<meta data-pagefind-meta="title[content]" content="{escape(title)}">'
            f'<meta data-pagefind-meta="product[content]" content="{escape(product)}">{filters}'
            f"</head><body><main data-pagefind-body>{body}</main></body></html>")


def shard_url(lang: str, name: str) -> str:
    return f"/_pagefind/{lang}/{name}/"


def shards_json(lang: str, names: Iterable[str]) -> bytes:
    urls = sorted(shard_url(lang, n) for n in names)
    return json.dumps({"format": SHARDS_FORMAT, "shards": urls}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def index_failed(err: BaseException) -> Diagnostic:
    return Diagnostic(codes.SEARCH_INDEX, f"search index not built: {type(err).__name__}: {err}; "
                      "the site works without search", None, Severity.WARNING)


def run_shards(jobs: list[ShardJob], workers: int, stop: threading.Event | None = None) -> None:
    """Index `jobs` in parallel (each bundle is made canonical before it is written: service.py)."""
    workers = workers or os.cpu_count() or 1
    largest = max((job.size for job in jobs), default=1)
    finishing = max(1, RECORDS_IN_FLIGHT // max(1, largest))
    held = max(1, RECORDS_HELD // max(1, largest))
    run_jobs(jobs, min(workers, held), stop, finishing=finishing)


# The library entry point ------------------------------------------------------------------------

def write_index(records: Iterable[SearchRecord], dest: Path, jobs: int = 0) -> list[Diagnostic]:
    """Write a complete sharded index (every shard and shards.json) under dest/_pagefind/.

    Each `_pagefind/<lang>/` folder written is replaced as a whole, so `records` holds every
    output of the languages it names. Outputs of one page with the same title, product and
    (version-neutral) body become one record whose `version` filter lists their versions; records
    are sharded by `product`. A failure of Pagefind is returned as a warning (DB630); nothing is
    raised."""
    with tempfile.TemporaryFile(prefix="docs-builder-search-") as spool:
        merged = _merge(records, spool)
        return _write_merged(merged, dest, jobs, spool.fileno())


@dataclass
class _Spooled:
    """One record of `write_index`: its body is in the spool file at `offset` (`length` bytes)."""
    record: SearchRecord
    """The first output with this text, its url made version-neutral and its html left out."""
    offset: int
    length: int
    versions: list[str] = field(default_factory=list)
    """The slugs of every output with this text, as they came (repeats possible)."""

    def slugs(self) -> tuple[str, ...]:
        """The record's `version` filter: its versions' slugs, sorted, once each."""
        return tuple(sorted(set(self.versions)))


def _merge(records: Iterable[SearchRecord], spool) -> dict[str, dict[tuple[str, str], _Spooled]]:
    """Group the outputs into records (per language, neutral URL and text digest). Each distinct
    body is appended to `spool` once, so memory holds no body (at 100,000 distinct records of
    4.5 KB the bodies alone were about 600 MB)."""
    merged: dict[str, dict[tuple[str, str], _Spooled]] = {}
    end = 0
    for r in records:
        body = neutral_body(r.html.encode("utf-8"), r.lang, r.segment) if r.segment else r.html.encode("utf-8")
        url = neutral_url(r.url, r.lang, r.segment)
        key = hashlib.sha1(json.dumps([r.title, r.product, body.decode("utf-8")],
                                      ensure_ascii=False).encode("utf-8")).hexdigest()
        by_key = merged.setdefault(r.lang, {})
        found = by_key.get((url, key))
        if found is None:
            spool.write(body)
            found = by_key[(url, key)] = _Spooled(replace(r, url=url, html="", version="", segment=""), end, len(body))
            end += len(body)
        found.versions.append(r.version)
    spool.flush()
    return merged


def _write_merged(merged: dict[str, dict[tuple[str, str], _Spooled]], dest: Path, jobs: int,
                  spool: int) -> list[Diagnostic]:
    work: list[ShardJob] = []
    folders: list[tuple[Path, bytes]] = []
    for lang, by_key in sorted(merged.items()):
        groups: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for (url, key), rec in by_key.items():
            groups.setdefault(url, []).append((rec.slugs(), key))
        urls = record_urls(groups)
        docs: dict[str, _Spooled] = {}
        units: dict[str, set[str]] = {}
        for (url, key), rec in by_key.items():
            docs[urls[(url, key)]] = rec
            units.setdefault(rec.record.product, set()).add(url)
        where = {u: name for name, pages in plan_shards({k: sorted(v) for k, v in units.items()}) for u in pages}
        by_shard: dict[str, list[str]] = {}
        for rurl in docs:  # a page's records go to its page's shard
            by_shard.setdefault(where[rurl.split("?", 1)[0]], []).append(rurl)
        plan = [(name, sorted(rurls)) for name, rurls in sorted(by_shard.items())]
        folder = dest / "_pagefind" / lang
        folders.append((folder, shards_json(lang, [name for name, _ in plan])))
        for name, shard_urls in plan:
            work.append(ShardJob(folder / name, lang, len(shard_urls),
                                 _documents([(u, docs[u]) for u in shard_urls], spool)))
    try:
        for folder, _ in folders:
            if folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder)
        run_shards(work, jobs)
        for folder, data in folders:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "shards.json").write_bytes(data)
    except (ServiceError, OSError, ValueError) as err:
        return [index_failed(err)]
    return []


def _documents(records: list[tuple[str, _Spooled]], spool: int) -> Callable[[], Iterator[tuple[str, str]]]:
    """A shard's documents, each body read back from the spool file while that shard is indexed
    (`os.pread`: two services' threads read it at once)."""
    def pages() -> Iterator[tuple[str, str]]:
        for url, rec in records:
            body = os.pread(spool, rec.length, rec.offset).decode("utf-8")
            r = rec.record
            yield url, document(r.lang, r.title, r.product, body, rec.slugs())
    return pages

"""The sharded search index: per version x language, a few complete Pagefind bundles.

Layout (see docs/search.md):

    _pagefind/<version-slug>/<lang>/shards.json     {"format":1,"shards":["/_pagefind/<slug>/<lang>/<shard>/", ...]}
    _pagefind/<version-slug>/<lang>/<shard>/         one Pagefind bundle (pagefind.js, pagefind-entry.json, ...)

Pages are split by product: a product of up to `TARGET_PAGES` pages is one shard, a bigger one is
split in 2, 4, 8... parts by a hash of the page URL (a page stays in its part when others come
and go), and small products are packed together in name order. If that makes more than
`MAX_SHARDS` shards, the target doubles until it does not.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from .service import ServiceError, ShardJob, run_jobs

TARGET_PAGES = 250
"""Pages a shard holds at most (before the doubling that bounds the shard count)."""
MAX_SHARDS = 32
"""Shards one version x language has at most."""
SHARDS_FORMAT = 1
ENTRY = "pagefind-entry.json"


@dataclass(frozen=True)
class SearchRecord:
    url: str
    """Site path of the page (`/en/enterprise-server@3.17/p/c/a`)."""
    lang: str
    version: str
    """Version slug (`fpt`, `enterprise-server@3.17`)."""
    product: str
    """The product's title in this language ("" for the home page)."""
    title: str
    html: str
    """The indexed body: article HTML without site chrome (sidebar, header, footer)."""


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
    return int(hashlib.sha1(url.encode("utf-8")).hexdigest()[:8], 16) % parts


def plan_shards(units: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """Split one version x language: `units` maps a product key to its page URLs; returns
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

def document(lang: str, title: str, product: str, body: str) -> str:
    """The small HTML document Pagefind indexes for one page: its metadata and its body."""
    body = body.replace(' data-pagefind-meta="title"', "")  # the title is given below
    return (f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f'<meta data-pagefind-meta="title[content]" content="{escape(title)}">'
            f'<meta data-pagefind-meta="product[content]" content="{escape(product)}">'
            f"</head><body><main data-pagefind-body>{body}</main></body></html>")


def shard_url(slug: str, lang: str, name: str) -> str:
    return f"/_pagefind/{slug}/{lang}/{name}/"


def shards_json(slug: str, lang: str, names: Iterable[str]) -> bytes:
    urls = sorted(shard_url(slug, lang, n) for n in names)
    return json.dumps({"format": SHARDS_FORMAT, "shards": urls}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def canonical_entry(folder: Path) -> None:
    """Rewrite Pagefind's `pagefind-entry.json` as canonical JSON (keys sorted, compact): its
    language map has no fixed order. The other files are named after their content."""
    path = folder / ENTRY
    try:
        entry = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return
    path.write_text(json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")), "utf-8")


def index_failed(err: BaseException) -> Diagnostic:
    return Diagnostic(codes.SEARCH_INDEX, f"search index not built: {type(err).__name__}: {err}; "
                      "the site works without search", None, Severity.WARNING)


def run_shards(jobs: list[ShardJob], workers: int) -> None:
    """Index `jobs` in parallel and make each bundle canonical."""
    run_jobs(jobs, workers or os.cpu_count() or 1)
    for job in jobs:
        canonical_entry(job.dest)


# The library entry point ------------------------------------------------------------------------

def write_index(records: Iterable[SearchRecord], dest: Path, jobs: int = 0) -> list[Diagnostic]:
    """Write a complete sharded index (every shard and shards.json) under dest/_pagefind/.

    Each `_pagefind/<slug>/<lang>/` folder written is replaced as a whole. Records are grouped by
    version and language and sharded by product (`product` is the unit). A failure of Pagefind
    is returned as a warning (DB630); nothing is raised."""
    groups: dict[tuple[str, str], dict[str, SearchRecord]] = {}
    for record in records:
        groups.setdefault((record.version, record.lang), {})[record.url] = record
    work: list[ShardJob] = []
    folders: list[tuple[Path, bytes]] = []
    for (slug, lang), by_url in sorted(groups.items()):
        units: dict[str, list[str]] = {}
        for url, record in by_url.items():
            units.setdefault(record.product, []).append(url)
        plan = plan_shards(units)
        folder = dest / "_pagefind" / slug / lang
        folders.append((folder, shards_json(slug, lang, [name for name, _ in plan])))
        for name, urls in plan:
            work.append(ShardJob(folder / name, lang, len(urls), _documents([by_url[u] for u in urls])))
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


def _documents(records: list[SearchRecord]) -> Callable[[], Iterator[tuple[str, str]]]:
    def pages() -> Iterator[tuple[str, str]]:
        for r in records:
            yield r.url, document(r.lang, r.title, r.product, r.html)
    return pages

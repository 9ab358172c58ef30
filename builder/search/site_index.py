"""The built site's search index, incremental: only shards whose pages' indexed text (or page
set, titles, products) changed are indexed again; the rest stay as the last build wrote them.

What each page contributes is the body region of its written HTML (`<main data-pagefind-body>`,
sliced out by string search: no HTML parsing), with its title and product as metadata. The state
of the last build is `.build/search.json` (see state.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..output.writer import StagingWriter
from .service import ServiceError, ShardJob
from .shards import document, index_failed, plan_shards, run_shards, shards_json
from .state import SearchState, read_state

MARKER = b"data-pagefind-body"


@dataclass(frozen=True)
class IndexedPage:
    path: str
    """The output file, relative to the site root."""
    url: str
    lang: str
    slug: str
    unit: str
    """The product key the page is sharded by ("" for the home page)."""
    title: str
    product: str


def body_of(data: bytes) -> bytes:
    """The inside of `<main ... data-pagefind-body>`; the whole page if a template has no such
    element (Pagefind then finds the body itself)."""
    at = data.find(MARKER)
    if at != -1:
        tag = data.rfind(b"<", 0, at)
        if data[tag:tag + 5] == b"<main":
            start = data.find(b">", at) + 1
            end = data.rfind(b"</main>")
            if 0 < start <= end:
                return data[start:end]
    return data


def _fingerprint(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()


def _shard_key(pages: list[IndexedPage], fps: dict[str, str]) -> str:
    rows = [[p.url, p.title, p.product, fps[p.path]] for p in pages]
    return hashlib.sha1(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


class SiteIndex:
    """One build's search step: `run()` writes what changed into `staging` and returns the files."""

    def __init__(self, pages: list[IndexedPage], staging: Path, out: Path | None, changed: set[str] | None,
                 in_place: bool, jobs: int = 0):
        self.pages = pages
        self.staging = staging
        self.out = out
        self.changed = changed
        self.in_place = in_place
        self.jobs = jobs
        self.problems: list = []
        self.state: SearchState | None = None

    def _source(self, path: str) -> Path:
        staged = self.staging / path
        return staged if self.out is None or staged.is_file() else self.out / path

    def _read_body(self, path: str) -> bytes | None:
        try:
            with open(self._source(path), "rb") as f:
                return body_of(f.read())
        except OSError:
            return None

    def run(self) -> dict[str, list[str]]:
        old = read_state(self.out, self.problems) if self.out is not None else None
        groups: dict[tuple[str, str], dict[str, list[IndexedPage]]] = {}
        by_url: dict[tuple[str, str], dict[str, IndexedPage]] = {}
        for p in self.pages:
            groups.setdefault((p.slug, p.lang), {}).setdefault(p.unit, []).append(p)
            by_url.setdefault((p.slug, p.lang), {})[p.url] = p
        new = SearchState()
        fps: dict[str, str] = {}
        jobs: list[ShardJob] = []
        fresh: list[tuple[str, list[IndexedPage]]] = []
        kept: list[str] = []
        layout: dict[str, dict[str, list[str]]] = {}  # slug -> lang -> shard names
        for (slug, lang), units in sorted(groups.items()):
            urls = by_url[(slug, lang)]
            plan = plan_shards({u: [p.url for p in ps] for u, ps in units.items()})
            layout.setdefault(slug, {})[lang] = [name for name, _ in plan]
            for name, shard_urls in plan:
                shard = f"{slug}/{lang}/{name}"
                pages = [urls[u] for u in shard_urls]
                before = old.shards.get(shard) if old is not None else None
                if before is not None and self._unchanged(pages, before, old, fps):
                    new.shards[shard] = before
                    kept.append(shard)
                    continue
                fresh.append((shard, pages))
                jobs.append(ShardJob(self.staging / "_pagefind" / shard, lang, len(pages), self._documents(pages, fps)))
        try:
            run_shards(jobs, self.jobs)
            return self._finish(old, new, fps, fresh, kept, layout)
        except (ServiceError, OSError, ValueError) as err:
            self.problems.append(index_failed(err))
            shutil.rmtree(self.staging / "_pagefind", ignore_errors=True)
            self.state = None
            return {}

    def _finish(self, old: SearchState | None, new: SearchState, fps: dict[str, str],
                fresh: list[tuple[str, list[IndexedPage]]], kept: list[str],
                layout: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
        written: dict[str, list[str]] = {}
        for shard, pages in fresh:
            folder = self.staging / "_pagefind" / shard
            files = sorted(p.relative_to(self.staging).as_posix() for p in folder.rglob("*") if p.is_file())
            new.shards[shard] = {"key": _shard_key(pages, fps), "files": files}
        touched = {shard.split("/")[0] for shard, _ in fresh}
        old_layout = old.layout() if old is not None else {}
        touched |= {slug for slug in layout if old_layout.get(slug) != layout[slug]}
        if not self.in_place:
            touched = set(layout)
        writer = StagingWriter(self.staging)
        for shard in kept:
            if shard.split("/")[0] in touched:  # its version's folder is replaced as a whole
                for rel in new.shards[shard]["files"]:
                    if not writer.link_from(self.out, rel):
                        raise ServiceError(f"{rel} of an unchanged search shard is missing")
        for slug, langs in sorted(layout.items()):
            for lang, names in sorted(langs.items()):
                rel = f"_pagefind/{slug}/{lang}/shards.json"
                if slug in touched:
                    writer.write(rel, shards_json(slug, lang, names))
                written[rel] = []
                for name in names:
                    written.update({f: [] for f in new.shards[f"{slug}/{lang}/{name}"]["files"]})
        new.pages = {p.path: fps[p.path] for p in self.pages if p.path in fps}
        self.state = new
        return written

    def _unchanged(self, pages: list[IndexedPage], before: dict, old: SearchState, fps: dict[str, str]) -> bool:
        """Whether an old shard still holds exactly these pages with the same text, titles and
        products, and its files are all still there."""
        for p in pages:
            if p.path not in fps:
                fp = old.pages.get(p.path) if self.changed is not None and p.path not in self.changed else None
                if fp is None:
                    body = self._read_body(p.path)
                    if body is None:
                        return False
                    fp = _fingerprint(body)
                fps[p.path] = fp
        if _shard_key(pages, fps) != before.get("key"):
            return False
        out = self.out
        return out is not None and all(os.path.isfile(out / rel) and not os.path.islink(out / rel)
                                       for rel in before.get("files", ()))

    def _documents(self, pages: list[IndexedPage], fps: dict[str, str]):
        def documents() -> Iterator[tuple[str, str]]:
            for p in pages:
                body = self._read_body(p.path)
                if body is None:
                    raise ServiceError(f"cannot read {p.path} to index it")
                fps[p.path] = _fingerprint(body)
                yield p.url, document(p.lang, p.title, p.product, body.decode("utf-8", "replace"))
        return documents

"""The built site's search index, incremental: only shards whose records (their indexed text,
titles, products, urls or versions) changed are indexed again; the rest stay as the last build wrote them.

What each output contributes is the body region of its written HTML (`<main data-pagefind-body>`,
sliced out by string search: no HTML parsing) with its links made version-neutral, its title and
its product. The outputs of one page in one language that give the same (title, product, body)
are one record, with a `version` filter listing their versions (see shards.py). The state of the
last build is `.build/search.json` (see state.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..output.writer import StagingWriter
from .service import ServiceError, ShardJob
from .shards import (document, index_failed, neutral_body, neutral_url, plan_shards, record_urls, run_shards,
                     shards_json)
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
    segment: str = ""
    """The version's URL segment ("" on the default plan): links starting `/<lang>/<segment>` are
    made version-neutral."""
    fp: str = ""
    """`indexed_digest` of the output when this build wrote it ("" otherwise)."""


@dataclass(frozen=True)
class Record:
    """One indexed document: the outputs of one page with the same title, product and body."""

    url: str
    lang: str
    unit: str
    title: str
    product: str
    fp: str
    versions: tuple[str, ...]
    source: IndexedPage
    """The output its body is read from (any of them: their neutral bodies are equal)."""


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


IGNORE = b" data-pagefind-ignore"
_NAME_END = b" \t\n>/"


def without_ignored(body: bytes) -> bytes:
    """The body without its `data-pagefind-ignore` elements (breadcrumbs, version notices, the
    "In this article" list: Pagefind would skip them anyway, and the notices differ between
    versions whose text is the same). Elements are matched by counting their tag's opening and
    closing tags; the builder's templates write well-formed HTML. The whitespace around a removed
    element goes with it."""
    parts: list[bytes] = []
    pos = 0
    while True:
        at = body.find(IGNORE, pos)
        if at == -1:
            break
        start = body.rfind(b"<", pos, at)
        end = start + 1
        while end < at and body[end:end + 1] not in _NAME_END:
            end += 1
        name = body[start + 1:end]
        if start == -1 or not name.isalnum() or b">" in body[start:at]:  # not an attribute of a tag
            parts.append(body[pos:at + len(IGNORE)])
            pos = at + len(IGNORE)
            continue
        depth, scan, close = 1, body.find(b">", at), -1
        while depth and scan != -1:
            next_open = body.find(b"<" + name, scan)
            while next_open != -1 and body[next_open + 1 + len(name):next_open + 2 + len(name)] not in _NAME_END:
                next_open = body.find(b"<" + name, next_open + 1)
            close = body.find(b"</" + name + b">", scan)
            if close == -1:
                break
            if next_open != -1 and next_open < close:
                depth += 1
                scan = next_open + 1
            else:
                depth -= 1
                scan = close + 1
        if depth or close == -1:  # not closed: keep the rest as it is
            break
        parts.append(body[pos:start].rstrip())  # and the whitespace around it (the template's
        pos = close + len(name) + 3               # line breaks differ with the elements left out)
        while body[pos:pos + 1].isspace():
            pos += 1
    parts.append(body[pos:])
    return b"".join(parts).strip()


def _fingerprint(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()


def indexed_digest(data: bytes, lang: str, segment: str) -> str:
    """The digest of a written page's text as the index compares it (body, ignored elements left
    out, version prefixes of links removed): computed by the worker that wrote the page."""
    return _fingerprint(neutral_body(without_ignored(body_of(data)), lang, segment))


def _shard_key(records: list[Record]) -> str:
    rows = [[r.url, r.title, r.product, list(r.versions), r.fp] for r in records]
    return hashlib.sha1(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


class SiteIndex:
    """One build's search step: `run()` writes what changed into `staging` and returns the files."""

    def __init__(self, pages: list[IndexedPage], staging: Path, out: Path | None, changed: set[str] | None,
                 in_place: bool, jobs: int = 0, plan: dict[str, dict[str, str]] | None = None,
                 old: SearchState | None = None, entry_points: bool = True):
        self.pages = pages
        self.plan = plan
        """lang -> page url (version-neutral) -> shard name, computed before rendering
        (builder/pipeline/shard.py: `search_plan`); from the pages given when None."""
        self.old = old
        """The last state to compare with (assemble: the shards' states merged); read from `out` when None."""
        self.entry_points = entry_points
        """Write `_pagefind/<lang>/shards.json` (a build shard does not: `assemble` does)."""
        self.staging = staging
        self.out = out
        self.changed = changed
        self.in_place = in_place
        self.jobs = jobs
        self.problems: list = []
        self.state: SearchState | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._outcome: dict[str, list[str]] | BaseException = {}
        self._started = False

    def start(self) -> None:
        """Run `run()` in a thread while the build writes its other site-wide files. The indexing
        is done by Pagefind's services, which are other processes: the cores the main thread
        leaves idle (redirects, llms-full.txt, translation status are one thread's work) index.
        `wait()` gives what `run()` returns; `stop()` is for a build that failed meanwhile. (The
        build runs `run()` in a forked process instead where it can: pipeline/extras.py `_Indexing`.)"""
        def work() -> None:
            try:
                self._outcome = self.run()
            except BaseException as err:  # noqa: BLE001 - raised again by wait()
                self._outcome = err
        self._started = True
        self._thread = threading.Thread(target=work, name="search-index", daemon=True)
        self._thread.start()

    def wait(self) -> dict[str, list[str]]:
        """What `run()` returns: from the thread `start()` began, or run here if never started."""
        if not self._started:
            return self.run()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome

    def stop(self) -> None:
        """End a started index soon (between two pages) and wait for its thread: nothing writes
        into the staging folder once this returns. Its files are left for the caller to discard."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _source(self, path: str) -> Path:
        staged = self.staging / path
        return staged if self.out is None or staged.is_file() else self.out / path

    def _read_body(self, page: IndexedPage) -> bytes | None:
        try:
            with open(self._source(page.path), "rb") as f:
                return neutral_body(without_ignored(body_of(f.read())), page.lang, page.segment)
        except OSError:
            return None

    def _fingerprints(self, old: SearchState | None) -> dict[str, str]:
        """Every output's body digest: from the state for outputs this build did not rewrite
        (their files did not change), else from the written HTML."""
        fps: dict[str, str] = {}
        for p in self.pages:
            fp = p.fp or None
            if fp is None and old is not None and self.changed is not None and p.path not in self.changed:
                fp = old.pages.get(p.path)
            if fp is None:
                body = self._read_body(p)
                if body is None:
                    raise ServiceError(f"cannot read {p.path} to index it")
                fp = _fingerprint(body)
            fps[p.path] = fp
        return fps

    def _records(self, fps: dict[str, str]) -> dict[str, dict[str, Record]]:
        """lang -> record url -> record."""
        merged: dict[tuple[str, str, str], list[IndexedPage]] = {}
        for p in self.pages:
            key = hashlib.sha1(json.dumps([p.unit, p.title, p.product, fps[p.path]], ensure_ascii=False)
                               .encode("utf-8")).hexdigest()
            merged.setdefault((p.lang, neutral_url(p.url, p.lang, p.segment), key), []).append(p)
        groups: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {}
        versions: dict[tuple[str, str, str], tuple[str, ...]] = {}
        for (lang, url, key), pages in merged.items():
            versions[(lang, url, key)] = tuple(sorted({p.slug for p in pages}))
            groups.setdefault(lang, {}).setdefault(url, []).append((versions[(lang, url, key)], key))
        urls = {lang: record_urls(g) for lang, g in groups.items()}
        records: dict[str, dict[str, Record]] = {}
        for (lang, url, key), pages in merged.items():
            source = min(pages, key=lambda p: (p.slug, p.path))
            rurl = urls[lang][(url, key)]
            records.setdefault(lang, {})[rurl] = Record(rurl, lang, source.unit, source.title, source.product,
                                                        fps[source.path], versions[(lang, url, key)], source)
        return records

    def run(self) -> dict[str, list[str]]:
        old = self.old if self.old is not None else (
            read_state(self.out, self.problems) if self.out is not None else None)
        new = SearchState()
        jobs: list[ShardJob] = []
        fresh: list[tuple[str, ShardJob]] = []
        kept: list[str] = []
        layout: dict[str, list[str]] = {}  # lang -> shard names
        try:
            fps = self._fingerprints(old)
            for lang, by_url in sorted(self._records(fps).items()):
                plan = self._plan(lang, by_url)
                layout[lang] = [name for name, _ in plan]
                for name, shard_urls in plan:
                    shard = f"{lang}/{name}"
                    records = [by_url[u] for u in shard_urls]
                    key = _shard_key(records)
                    before = old.shards.get(shard) if old is not None else None
                    if before is not None and before.get("key") == key and self._files_there(before):
                        new.shards[shard] = before
                        kept.append(shard)
                        continue
                    new.shards[shard] = {"key": key, "files": []}
                    job = ShardJob(self.staging / "_pagefind" / shard, lang, len(records), self._documents(records),
                                   same=self._same_in_site(shard, before))
                    fresh.append((shard, job))
                    jobs.append(job)
            run_shards(jobs, self.jobs, self._stop)
            return self._finish(old, new, fps, fresh, kept, layout)
        except (ServiceError, OSError, ValueError) as err:
            self.problems.append(index_failed(err))
            shutil.rmtree(self.staging / "_pagefind", ignore_errors=True)
            self.state = None
            return {}

    def _plan(self, lang: str, by_url: dict[str, Record]) -> list[tuple[str, list[str]]]:
        """(shard name, sorted record urls) of one language: each record goes to its page's shard."""
        where = self.plan.get(lang) if self.plan is not None else None
        if where is None:
            units: dict[str, set[str]] = {}
            for url, r in by_url.items():
                units.setdefault(r.unit, set()).add(url.split("?", 1)[0])
            where = {u: name for name, urls in plan_shards({k: sorted(v) for k, v in units.items()}) for u in urls}
        shards: dict[str, list[str]] = {}
        for url in by_url:
            name = where.get(url.split("?", 1)[0])
            if name is None:  # not planned (a page the plan did not know): never expected
                raise ValueError(f"search record {url} has no planned shard")
            shards.setdefault(name, []).append(url)
        return [(name, sorted(urls)) for name, urls in sorted(shards.items())]

    def _finish(self, old: SearchState | None, new: SearchState, fps: dict[str, str],
                fresh: list[tuple[str, ShardJob]], kept: list[str],
                layout: dict[str, list[str]]) -> dict[str, list[str]]:
        """In place (an incremental build), the staging folder holds only the files that changed:
        the files of a re-indexed shard that the site has with the same bytes, the kept shards and
        an unchanged `shards.json` stay where they are (the commit moves new files in and removes
        the outputs the manifest no longer lists). Otherwise the kept shards are linked in."""
        written: dict[str, list[str]] = {}
        for shard, job in fresh:
            new.shards[shard]["files"] = sorted(f"_pagefind/{shard}/{rel}" for rel in job.files)
        writer = StagingWriter(self.staging)
        if not self.in_place:  # a new site: every kept shard is linked into it
            for shard in kept:
                for rel in new.shards[shard]["files"]:
                    if not writer.link_from(self.out, rel):
                        raise ServiceError(f"{rel} of an unchanged search shard is missing")
        for lang, names in sorted(layout.items()):
            rel = f"_pagefind/{lang}/shards.json"
            if not self.entry_points:
                pass
            else:
                data = shards_json(lang, names)
                if not (self.in_place and self._in_site(rel, data)):
                    writer.write(rel, data)
                written[rel] = []
            for name in names:
                written.update({f: [] for f in new.shards[f"{lang}/{name}"]["files"]})
        new.pages = {p.path: fps[p.path] for p in self.pages if p.path in fps}
        self.state = new
        return written

    def _in_site(self, rel: str, data: bytes) -> bool:
        """The site (`out`) has the file `rel` (a regular file) with exactly `data`."""
        if self.out is None:
            return False
        path = self.out / rel
        try:
            if os.path.islink(path) or os.path.getsize(path) != len(data):
                return False
            with open(path, "rb") as f:
                return f.read() == data
        except OSError:
            return False

    def _same_in_site(self, shard: str, before: dict | None):
        """For an incremental build (in place), a test that a file of the re-indexed `shard` is
        already in the site with the same bytes (Pagefind names most of its files after their
        content, so an edit changes a few of them): such a file is not written again."""
        if not self.in_place or self.out is None or before is None:
            return None
        listed = set(before.get("files", ()))
        prefix = f"_pagefind/{shard}/"
        return lambda rel, data: prefix + rel in listed and self._in_site(prefix + rel, data)

    def _files_there(self, before: dict) -> bool:
        out = self.out
        return out is not None and all(os.path.isfile(out / rel) and not os.path.islink(out / rel)
                                       for rel in before.get("files", ()))

    def _documents(self, records: list[Record]):
        def documents() -> Iterator[tuple[str, str]]:
            for r in records:
                body = self._read_body(r.source)
                if body is None:
                    raise ServiceError(f"cannot read {r.source.path} to index it")
                yield r.url, document(r.lang, r.title, r.product, body.decode("utf-8", "replace"), r.versions)
        return documents

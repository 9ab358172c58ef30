"""Search under `docs-builder serve`: a sharded index (the build's layout, `builder.search.shards`)
made in the background from the pages the server has rendered, and made again after edits.

Requests never wait for it: until the first index is written, `/_pagefind/.../shards.json` answers
503 and the search box says the index is being prepared. Each index is written into a folder of its
own (a generation) and its shards are served under `/_pagefind/~<generation>/...`, so a page that
loaded the previous index keeps working while a new one is written, and a page that fetches
shards.json again (the search box does when it gets the focus) sees the new shards.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import threading
from html import unescape
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from .renderer import DevSite, Response

KEEP = 2
"""Generations kept on disk: the current one and the one before (pages still using it)."""

_GENERATION = re.compile(r"~(\d+)")
_TITLE = re.compile(r'<h1 id="title"[^>]*>(.*?)</h1>', re.S)
_PRODUCT = re.compile(r'<a class="header-product"[^>]*>(.*?)</a>', re.S)
_PAGE_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_ARTICLE = re.compile(r'<article class="markdown-body"[^>]*>(.*)</article>', re.S)
_MAIN = re.compile(r"<main\b[^>]*>(.*)</main>", re.S)
_IGNORED = re.compile(r'<nav class="mini-toc".*?</nav>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return " ".join(unescape(_TAGS.sub("", fragment)).split())


def _fingerprint(records: list) -> str:
    digest = hashlib.sha1()
    for r in sorted(records, key=lambda r: (r.url, r.version)):
        for part in (r.url, r.version, r.title, r.product, r.html):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
    return digest.hexdigest()


def record_fields(html: str) -> tuple[str, str, str] | None:
    """(title, product, indexed HTML) of a rendered page: the article without the site's chrome
    (header, sidebar, breadcrumbs, "In this article", footer, live-reload script). None for a
    page that is not one of the site's layouts (an error overlay)."""
    body = _ARTICLE.search(html) or _MAIN.search(html)
    if body is None:
        return None
    title = _TITLE.search(html)
    if title is None:
        title = _PAGE_TITLE.search(html)
    product = _PRODUCT.search(html)
    return (_text(title.group(1)) if title else "", _text(product.group(1)) if product else "",
            _IGNORED.sub("", body.group(1)))


class DevSearch:
    """The index of what `dev` has rendered, rebuilt once rendering settles after each change."""

    def __init__(self, dev: DevSite, settle: float = 0.3):
        self.dev = dev
        self.settle = settle
        self.folder = dev.scratch / ".search"
        self.lock = threading.Lock()
        self.current: int | None = None
        """The generation being served, None until the first index is written."""
        self.indexed_for: object = None
        self.problems: list[Diagnostic] = []
        self.failed = False
        """The last index failed and none was made before: the box says search is unavailable."""
        self._reported: set[str] = set()
        self._prints: dict[tuple[str, str], str] = {}
        """Fingerprint of each language's records in the current generation."""
        self.reindexed = 0
        """Language folders indexed afresh by the last index (the others were kept)."""
        self.built = threading.Condition()

    # The background thread -------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Index whenever the rendered pages changed and the background rendering is idle."""
        counter = 0
        while not stop.is_set():
            if not self.dev.idle.wait(0.5):
                continue
            state = self.dev.rendered_state()
            if state == self.indexed_for:
                stop.wait(0.2)
                continue
            if stop.wait(self.settle) or self.dev.rendered_state() != state or not self.dev.idle.is_set():
                continue  # edits are still arriving: index once they settle (debounce)
            counter += 1
            try:
                problems = self._index(counter)
            except Exception as err:  # noqa: BLE001 - search is a convenience: pages keep being served
                problems = [Diagnostic(codes.SERVE_SEARCH, f"the preview's search index was not updated: "
                                       f"{type(err).__name__}: {err}; pages are still served", None,
                                       Severity.WARNING)]
            self._report(problems)
            self.indexed_for = state

    def _report(self, problems: list[Diagnostic]) -> None:
        """Print each new problem once (an index is made after every edit)."""
        self.problems = problems
        self.failed = bool(problems) and self.current is None
        for d in problems:
            text = d.format_text()
            if text not in self._reported:
                self._reported.add(text)
                print(text, file=sys.stderr)

    def _index(self, generation: int) -> list[Diagnostic]:
        """Write generation `generation`: the language folders whose pages changed are indexed
        again, the others are hard links to the previous generation's files."""
        from ..search.shards import SearchRecord, write_index

        segments = {v.slug: v.segment for v in self.dev.site.config.space.by_id.values()}
        groups: dict[str, list] = {}
        for url, lang, version, file in self.dev.rendered_outputs():
            try:
                html = file.read_text("utf-8")
            except OSError:
                continue  # removed by an edit since: the next index has it again
            fields = record_fields(html)
            if fields is not None:
                title, product, body = fields
                groups.setdefault(lang, []).append(
                    SearchRecord(url=url, lang=lang, version=version, product=product, title=title, html=body,
                                 segment=segments.get(version, "")))
        prints = {key: _fingerprint(records) for key, records in groups.items()}
        dest = self.folder / str(generation)
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        previous = self.folder / str(self.current) if self.current is not None else None
        fresh = []
        for key, records in sorted(groups.items()):
            old = previous / "_pagefind" / key if previous is not None else None
            if old is not None and self._prints.get(key) == prints[key] and (old / "shards.json").is_file():
                shutil.copytree(old, dest / "_pagefind" / key, copy_function=os.link)
            else:
                fresh.extend(records)
        problems = write_index(fresh, dest, jobs=1) if fresh else []
        if problems:  # the index may be incomplete: keep serving the previous one
            shutil.rmtree(dest, ignore_errors=True)
            return problems
        self._prints = prints
        self.reindexed = len({r.lang for r in fresh})
        with self.built:
            self.current = generation
            self.built.notify_all()
        for old in self.folder.iterdir():
            if old.name.isdigit() and int(old.name) <= generation - KEEP:
                shutil.rmtree(old, ignore_errors=True)
        return []

    def wait_ready(self, timeout: float) -> bool:
        """Tests and tools: wait until an index is served."""
        with self.built:
            return self.built.wait_for(lambda: self.current is not None, timeout)

    # Requests -------------------------------------------------------------------------

    def response(self, path: str) -> Response:
        """The answer to a `/_pagefind/...` request."""
        from .files import safe_join

        parts = path.split("/")  # ["", "_pagefind", ...]
        current = self.current
        if len(parts) > 2 and _GENERATION.fullmatch(parts[2]):
            generation = int(parts[2][1:])
            base = self.folder / str(generation)
            file = safe_join(base, "/".join(["", "_pagefind", *parts[3:]]))
            if file is None:
                return Response(403, b"Forbidden", "text/plain")
            return Response(200, file=file) if file.is_file() else Response(404, b"Not found", "text/plain")
        if not path.endswith("/shards.json"):
            return Response(404, b"Not found", "text/plain")
        if current is None and self.failed:
            return Response(404, b"Not found", "text/plain")
        if current is None:
            return Response(503, b'{"format":1,"preparing":true}', "application/json")
        file = safe_join(self.folder / str(current), path)
        if file is None:
            return Response(403, b"Forbidden", "text/plain")
        try:
            listing = json.loads(file.read_text("utf-8"))
        except (OSError, ValueError):
            return Response(404, b"Not found", "text/plain")  # nothing rendered in this version and language
        prefix = f"/_pagefind/~{current}/"
        listing["shards"] = [prefix + s[len("/_pagefind/"):] for s in listing.get("shards", [])
                             if isinstance(s, str) and s.startswith("/_pagefind/")]
        body = json.dumps(listing, ensure_ascii=False, separators=(",", ":")).encode()
        return Response(200, body, "application/json")


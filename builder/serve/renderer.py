"""The dev server's view of the site: pages rendered on request, re-rendered after edits."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..core.diagnostics import Diagnostic, Problems
from ..core.errors import BuildError
from ..core.urls import output_file
from ..links.redirects import compute_redirects
from ..pipeline.cache import FileDigests
from ..pipeline.incremental import Structure
from ..pipeline.metas import Metas
from ..pipeline.pages import PageBuilder
from ..pipeline.results import PageResult
from ..pipeline.site import Site


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None
    file: Path | None = None


class DevSite:
    """Loads the site, renders pages into a scratch folder on demand, and tracks what they read."""

    def __init__(self, root: Path, versions: list[str] | None, languages: list[str] | None):
        self.root = Path(root)
        self.versions_arg = versions
        self.languages_arg = languages
        self.lock = threading.RLock()
        self.closed = False
        self.scratch = Path(tempfile.mkdtemp(prefix="docs-builder-serve-"))
        self.records: dict[str, PageResult] = {}
        """Pages rendered in every language and version, by source path."""
        self.partial: dict[tuple[str, str, str], PageResult] = {}
        """Single outputs rendered for a request before the page's other outputs, by (page, language, version)."""
        self.waiting = 0
        self._waiting_lock = threading.Lock()
        self.first_request = threading.Event()
        self.dirty = threading.Event()
        """Set when an edit invalidated pages the background fill has to render again."""
        self.idle = threading.Event()
        """Set while the background fill has nothing left to render (the search index waits for it)."""
        self.renders = 0
        self._unprinted: list[PageResult] = []
        self.generation = 0
        self.load_error: list[Diagnostic] = []
        self._digests: dict = {}
        self.site: Site | None = None
        try:
            self.reload()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Remove the scratch folder; a build under way finishes first, later ones write nothing."""
        with self.lock:
            self.closed = True
            shutil.rmtree(self.scratch, ignore_errors=True)

    # Loading -----------------------------------------------------------------

    def reload(self, changed: set[str] | None = None) -> set[str]:
        """Load the site again after an edit of `changed` (paths relative to the root);
        returns the URL paths whose pages changed."""
        with self.lock:
            try:
                site = Site(self.root, self.versions_arg, self.languages_arg)
            except BuildError as err:
                if self.site is None:
                    raise  # nothing to serve: reported like a build's configuration error
                self.load_error = err.diagnostics
                self.generation += 1
                return {"*"}
            self.load_error = []
            metas = Metas(site)
            digests = FileDigests(site.root, self._digests)
            structure = Structure(site, metas, digests, "serve")
            affected: set[str] = set()
            if self.site is None:
                affected.add("*")
            for key, record in [*self.records.items(), *self.partial.items()]:
                rel = key if isinstance(key, str) else key[0]
                page = site.tree.pages.get(rel)
                old_fp = getattr(record, "_fingerprint", None)
                deps = {page.src} if page is not None else set()
                for o in record.outputs:
                    deps.update(o.sources)
                if page is None or (changed and deps & changed) or structure.fingerprint(page, record) != old_fp:
                    affected.update("/" + o.path[: -len("/index.html")] for o in record.outputs)
                    for o in record.outputs:
                        (self.scratch / o.path).unlink(missing_ok=True)
                    (self.records if isinstance(key, str) else self.partial).pop(key, None)
            self.site, self.metas, self.structure = site, metas, structure
            self.builder = PageBuilder(site, metas)
            self._digests = digests.current
            self.problems = Problems()
            self.problems.extend(site.problems)
            self.problems.extend(metas.problems)
            self._redirects = None
            self._unprinted.clear()  # records kept from before were fingerprinted just above
            self.generation += 1
            self.idle.clear()
            self.dirty.set()
            return affected

    # Rendering -----------------------------------------------------------------

    def locate(self, path: str):
        """(language, version, page) for a URL path such as `/fr/enterprise-server@3.9/a/b`."""
        site = self.site
        parts = [p for p in unquote(path).split("/") if p]
        if not parts:
            return None
        lang = site.config.language(parts[0])
        if lang is None or lang not in site.languages:
            return None
        parts = parts[1:]
        version = site.config.space.default
        if parts and "@" in parts[0]:
            version = site.config.space.by_id.get(parts[0])
            parts = parts[1:]
        page = site.tree.by_url.get("/".join(parts))
        if page is None or version is None or version not in site.versions or version.id not in page.versions:
            return None
        return lang, version, page

    def render(self, page, only: tuple[str, str] | None = None) -> PageResult | None:
        """The record of `page`, built if needed: all its outputs, or with `only=(language,
        version)` that one output first (what a request waits for). None if an edit removed it."""
        with self._request():
            with self.lock:
                page = self.site.tree.pages.get(page.rel)  # `page` may be from before a reload
                if page is None:
                    return None
                record = self.records.get(page.rel)
                if record is None and only is not None:
                    record = self.partial.get((page.rel, *only))
                if record is None:
                    record = self.builder.build(page, self._write, only)
                    self.renders += 1
                    record._fingerprint = None  # computed by the fill thread, off the request's path
                    self._unprinted.append(record)
                    if only is None:
                        self.records[page.rel] = record
                    else:
                        self.partial[(page.rel, *only)] = record
                return record

    @contextmanager
    def _request(self):
        """Marks a request in progress: the background fill pauses until none is."""
        with self._waiting_lock:
            self.waiting += 1
        self.first_request.set()
        try:
            yield
        finally:
            with self._waiting_lock:
                self.waiting -= 1

    def _write(self, rel: str, html: str) -> None:
        if self.closed:  # the server stopped during this build
            return
        path = self.scratch / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(inject_livereload(html), "utf-8")

    def page_response(self, path: str) -> Response | None:
        if self.load_error:
            return Response(500, error_page(self.load_error, self.generation).encode())
        found = self.locate(path)
        if found is None:
            return None
        lang, version, page = found
        file = self.scratch / output_file(lang.code, version, page.url)
        key = (page.rel, lang.code, version.id)
        if page.rel in self.records or key in self.partial:
            try:  # already rendered: no lock, no waiting for the background fill
                return Response(200, file.read_bytes())
            except OSError:
                pass
        record = self.render(page, (lang.code, version.id))
        if record is None:
            return None
        if file.is_file():
            return Response(200, file=file)
        errors = [d for d in record.problems if d.is_error and (not d.versions or version.id in d.versions)]
        return Response(500, error_page(errors or record.problems, self.generation).encode())

    def redirect_for(self, path: str) -> str | None:
        site, redirects = self.site, self._redirects
        if redirects is None:
            with self.lock:  # a reload resets the map: never store one computed from the site before
                site = self.site
                if self._redirects is None:
                    self._redirects = {
                        r.source: r.target
                        for r in compute_redirects(site.tree, site.links.redirects, site.config.space, site.languages,
                                                   site.versions, site.default_language, set())
                    }
                redirects = self._redirects
        clean = "/" + "/".join(p for p in unquote(path).split("/") if p)
        if clean == "/":
            return f"/{site.default_language.code}"
        return redirects.get(clean)

    def fill(self, stop: threading.Event) -> None:
        """Render every page in the background so later navigation is instant; requests go
        first, and pages an edit invalidated are rendered again."""
        self.first_request.wait(1.0)
        queue: list[str] = []
        failed: set[str] = set()
        while self._pause(stop):
            self._fingerprints()
            if self.dirty.is_set():
                self.dirty.clear()
                failed.clear()  # an edit may have fixed them
                queue = list(reversed(self.site.tree.pages))
            if not queue:
                with self.lock:
                    if not self.dirty.is_set():
                        self.idle.set()
                self.dirty.wait(1.0)
                continue
            rel = queue.pop()
            with self.lock:
                page = self.site.tree.pages.get(rel)
                if page is None or rel in self.records or rel in failed:
                    continue
                try:
                    record = self.builder.build(page, self._write)
                    self.renders += 1
                    record._fingerprint = self.structure.fingerprint(page, record)
                except Exception:  # noqa: BLE001 - the page shows its error when it is requested
                    failed.add(rel)
                    continue
                self.records[rel] = record
                for key in [k for k in self.partial if k[0] == rel]:
                    del self.partial[key]

    def rendered_state(self) -> tuple[int, int]:
        """Changes whenever a page is rendered or an edit is loaded."""
        return self.generation, self.renders

    def rendered_outputs(self) -> list[tuple[str, str, str, Path]]:
        """(URL path, language, version slug, file) of every page output rendered so far, sorted."""
        with self.lock:
            space = self.site.config.space
            found = {}
            for record in [*self.records.values(), *self.partial.values()]:
                for o in record.outputs:
                    version = space.by_id.get(o.version)
                    if version is not None and o.path.endswith("/index.html"):
                        found[o.path] = ("/" + o.path[: -len("/index.html")], o.lang, version.slug, self.scratch / o.path)
        return [found[k] for k in sorted(found)]

    def _pause(self, stop: threading.Event) -> bool:
        """Wait while requests are being answered; False once the server stops."""
        while self.waiting and not stop.is_set():
            time.sleep(0.005)
        return not stop.is_set()

    def _fingerprints(self) -> None:
        """Fingerprint the records rendered for requests (kept off the request's path)."""
        with self.lock:
            while self._unprinted:
                record = self._unprinted.pop()
                page = self.site.tree.pages.get(record.rel)
                if page is not None and record._fingerprint is None:
                    record._fingerprint = self.structure.fingerprint(page, record)


LIVERELOAD = (
    "<script>(function(){var g=null;var s=new EventSource('/__livereload?path='+encodeURIComponent(location.pathname));"
    "s.onmessage=function(e){if(g===null){g=e.data;return}if(e.data!==g)location.reload()};})();</script>"
)


def inject_livereload(html: str) -> str:
    return html.replace("</body>", LIVERELOAD + "</body>", 1) if "</body>" in html else html + LIVERELOAD


def error_page(diagnostics: list[Diagnostic], generation: int) -> str:
    from html import escape

    items = "".join(
        f'<section class="db-error"><pre>{escape(d.format_text())}</pre></section>' for d in diagnostics[:50]
    )
    return inject_livereload(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build error</title>"
        "<style>body{margin:0;font:15px/1.5 system-ui,sans-serif;background:#1b1f24;color:#f0f3f6}"
        ".db-overlay{max-width:70rem;margin:2rem auto;padding:1.5rem 2rem;background:#2d0b0e;border:2px solid #f85149;"
        "border-radius:8px}h1{color:#ff7b72;font-size:1.3rem}pre{white-space:pre-wrap;overflow:auto;background:#0d1117;"
        "padding:1rem;border-radius:6px;font:13px/1.45 ui-monospace,monospace}</style></head><body>"
        f'<div class="db-overlay" role="alert"><h1>This page could not be built</h1>'
        f"<p>Fix the problem below and save: the page reloads by itself.</p>{items}</div></body></html>"
    )

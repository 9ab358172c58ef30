"""The dev server's view of the site: pages rendered on request, re-rendered after edits."""

from __future__ import annotations

import shutil
import tempfile
import threading
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
from ..pipeline.pages import PageBuilder, PageResult
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
        self.scratch = Path(tempfile.mkdtemp(prefix="docs-builder-serve-"))
        self.records: dict[str, PageResult] = {}
        self.generation = 0
        self.load_error: list[Diagnostic] = []
        self._digests: dict = {}
        self.site: Site | None = None
        self.reload()

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)

    # Loading -----------------------------------------------------------------

    def reload(self, changed: set[str] | None = None) -> set[str]:
        """Load the site again after an edit of `changed` (paths relative to the root);
        returns the URL paths whose pages changed."""
        with self.lock:
            try:
                site = Site(self.root, self.versions_arg, self.languages_arg)
            except BuildError as err:
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
            for rel, record in list(self.records.items()):
                page = site.tree.pages.get(rel)
                old_fp = getattr(record, "_fingerprint", None)
                deps = {page.src} if page is not None else set()
                for o in record.outputs:
                    deps.update(o.sources)
                if page is None or (changed and deps & changed) or structure.fingerprint(page, record) != old_fp:
                    affected.update("/" + o.path[: -len("/index.html")] for o in record.outputs)
                    for o in record.outputs:
                        (self.scratch / o.path).unlink(missing_ok=True)
                    del self.records[rel]
            self.site, self.metas, self.structure = site, metas, structure
            self.builder = PageBuilder(site, metas)
            self._digests = digests.current
            self.problems = Problems()
            self.problems.extend(site.problems)
            self.problems.extend(metas.problems)
            self._redirects = None
            self.generation += 1
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

    def render(self, page) -> PageResult:
        with self.lock:
            record = self.records.get(page.rel)
            if record is None:
                record = self.builder.build(page, self._write)
                record._fingerprint = self.structure.fingerprint(page, record)
                self.records[page.rel] = record
            return record

    def _write(self, rel: str, html: str) -> None:
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
        record = self.render(page)
        file = self.scratch / output_file(lang.code, version, page.url)
        if file.is_file():
            return Response(200, file=file)
        errors = [d for d in record.problems if d.is_error and (not d.versions or version.id in d.versions)]
        return Response(500, error_page(errors or record.problems, self.generation).encode())

    def redirect_for(self, path: str) -> str | None:
        site = self.site
        if self._redirects is None:
            live = {"/" + p.rstrip("/") for p in ()}
            self._redirects = {
                r.source: r.target
                for r in compute_redirects(site.tree, site.links.redirects, site.config.space, site.languages,
                                           site.versions, site.default_language, live)
            }
        clean = "/" + "/".join(p for p in unquote(path).split("/") if p)
        if clean == "/":
            return f"/{site.default_language.code}"
        return self._redirects.get(clean)

    def fill(self, stop: threading.Event) -> None:
        """Render every page in the background so later navigation is instant."""
        for rel in list(self.site.tree.pages):
            if stop.is_set():
                return
            page = self.site.tree.pages.get(rel)
            if page is not None and rel not in self.records:
                try:
                    self.render(page)
                except Exception:  # noqa: BLE001 - a failing page shows its error when requested
                    pass


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

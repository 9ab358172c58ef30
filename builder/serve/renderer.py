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
from ..core.urls import output_file, page_url
from ..links.redirects import compute_redirects
from ..pipeline.digests import FileDigests
from ..pipeline.results import PageResult
from ..pipeline.session import BuildSession, anchor_problems
from ..sources.content import url_of
from .overlay import error_page, inject_livereload, print_problems, sorted_problems, with_problems


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None
    file: Path | None = None


class DevSite:
    """Loads the site through a build's `BuildSession`, renders pages into a scratch folder on
    demand, tracks what they read, and reports for each page opened what a build would."""

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
        self.prints: dict[str | tuple[str, str, str], str] = {}
        """The structure fingerprint of each record in `records` and `partial` (same keys), computed
        by the fill thread, off the request's path; missing until then."""
        self._unprinted: list[tuple[str | tuple[str, str, str], PageResult]] = []
        self.generation = 0
        self.load_error: list[Diagnostic] = []
        self._digests: dict = {}
        self.site = None
        self.session: BuildSession | None = None
        self.problem_urls: set[str] = set()
        """URL paths last answered with problems, an error page or "not found": an edit may fix
        them, so every reload tells their open pages to reload."""
        self.reported: dict[str, str] = {}
        """URL path -> the problems last printed for it (printed again only when they change)."""
        self.report = print_problems
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
            try:  # the same load as a build's (pipeline/session.py), titles computed when asked for
                session = BuildSession(self.root, self.versions_arg, self.languages_arg,
                                       digests=FileDigests(self.root, self._digests))
                metas, structure = session.load_metas("serve", record=False, eager=False)
            except BuildError as err:
                if self.site is None:
                    raise  # nothing to serve: reported like a build's configuration error
                self.load_error = err.diagnostics
                self._report_site(err.diagnostics)
                self.generation += 1
                return {"*"}
            site, digests = session.site, session.digests
            if self.load_error:
                self._report_site([])
            self.load_error = []
            affected: set[str] = set(self.problem_urls)
            self.problem_urls.clear()
            if self.site is None:
                affected.add("*")
            for key, record in [*self.records.items(), *self.partial.items()]:
                rel = key if isinstance(key, str) else key[0]
                page = site.tree.pages.get(rel)
                old_fp = self.prints.get(key)
                deps = {page.src} if page is not None else set()
                for o in record.outputs:
                    deps.update(o.sources)
                if page is None or (changed and deps & changed) or structure.fingerprint(page, record) != old_fp:
                    affected.update("/" + o.path[: -len("/index.html")] for o in record.outputs)
                    affected.update(self._urls_of(rel))  # a page that failed has no outputs
                    for o in record.outputs:
                        (self.scratch / o.path).unlink(missing_ok=True)
                    (self.records if isinstance(key, str) else self.partial).pop(key, None)
                    self.prints.pop(key, None)
            affected.update(f"/{lang.code}/translation-status" for lang in site.languages)
            self.session, self.site, self.metas, self.structure = session, site, metas, structure
            self.builder = session.builder
            self._failed = {url_of(rel): rel for rel in site.tree.failed}
            self._titled: set[tuple[str, str]] = set()
            self._digests = digests.current
            self.problems = Problems()
            self.problems.extend(session.problems)
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
                    key = page.rel if only is None else (page.rel, *only)
                    self._unprinted.append((key, record))  # fingerprinted by the fill thread
                    if only is None:
                        self.records[key] = record
                    else:
                        self.partial[key] = record
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
        """The page at a URL path with every problem a build would report for it: shown in a
        panel over the page (or instead of it when it could not be built) and printed in the
        terminal once per change. None when no page is there."""
        clean = "/" + "/".join(p for p in unquote(path).split("/") if p)
        if self.load_error:
            self.problem_urls.add(clean)
            return Response(500, error_page(self.load_error, self.generation).encode())
        found = self.locate(path)
        if found is None:
            return self._unbuilt_response(clean)
        lang, version, page = found
        file = self.scratch / output_file(lang.code, version, page.url)
        key = (page.rel, lang.code, version.id)
        record = self.records.get(page.rel) or self.partial.get(key)
        body = None
        if record is not None:
            try:  # already rendered: no waiting for the background fill
                body = file.read_bytes()
            except OSError:
                record = None
        if record is None:
            record = self.render(page, (lang.code, version.id))
            if record is None:
                return None
            try:
                body = file.read_bytes()
            except OSError:
                body = None
        problems = self.page_problems(page, lang, version, record)
        self._note(clean, problems)
        if body is not None:
            return Response(200, with_problems(body, problems))
        errors = [d for d in problems if d.is_error]
        return Response(500, error_page(errors or problems, self.generation).encode())

    def _unbuilt_response(self, clean: str) -> Response | None:
        """A page whose file could not be loaded (its frontmatter does not parse, say): its load
        errors, instead of "not found"; None when no such page is there either."""
        parts = [p for p in clean.split("/") if p]
        site = self.site
        if not parts or site.config.language(parts[0]) not in site.languages:
            return None
        self.problem_urls.add(clean)  # a page being created or repaired: reload when it is saved
        lang = site.config.language(parts[0])
        parts = parts[1:]
        if parts and "@" in parts[0]:
            parts = parts[1:]
        rel = self._failed.get("/".join(parts))
        if rel is None:
            return None
        problems = list(sorted_problems(self.session.load_problems(rel, lang)))
        self._note(clean, problems)
        return Response(500, error_page(problems, self.generation).encode())

    def page_problems(self, page, lang, version, record: PageResult) -> list[Diagnostic]:
        """What a build reports about this output: load problems located in the page's files,
        its Liquid, Markdown and link problems in this language and version, and its links to
        a `#fragment` that the target page does not have."""
        session = self.session
        if (lang.code, page.rel) not in self._titled:  # its title and intro, as a build's load stage
            with self.lock:  # renders them (a page that failed did not)
                session.metas.get(lang, page, version.id)
                self._titled.add((lang.code, page.rel))
        found = session.load_problems(page.rel, lang) + session.output_problems(record, lang, version.id)
        checks = [c for c in record.fragments if c.lang == lang.code and c.version == version.id]
        if checks:
            found += anchor_problems(checks, self._anchors)
        return list(sorted_problems(found))

    def _anchors(self, key: tuple[str, str, str]):
        """The element ids of an output, rendering it if no request or fill has yet."""
        rel, lang, vid = key
        record = self.records.get(rel) or self.partial.get(key)
        if record is None:
            page = self.site.tree.pages.get(rel)
            if page is None:
                return None
            record = self.render(page, (lang, vid))
        ids = record.anchors.get((lang, vid)) if record is not None else None
        return ids

    def _note(self, url: str, problems: list[Diagnostic]) -> None:
        """Print the problems of the page at `url` when they differ from those printed last."""
        if problems:
            self.problem_urls.add(url)
        text = "\n\n".join(d.format_text() for d in problems)
        with self._waiting_lock:
            before = self.reported.get(url)
            if before == text or (before is None and not text):
                self.reported[url] = text
                return
            self.reported[url] = text
        self.report(url, problems)

    def _report_site(self, problems: list[Diagnostic]) -> None:
        self.reported.clear()  # pages are loaded again: their problems are printed again
        if problems or self.load_error:
            self.report("", problems)

    def _urls_of(self, rel: str) -> set[str]:
        """The URL paths of a page of the site loaded before (open pages may show it)."""
        site = self.site
        page = site.tree.pages.get(rel) if site is not None else None
        if page is None:
            return set()
        return {page_url(lang.code, v, page.url) for lang in site.languages for v in site.built_versions(page)}

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
            return self.start_url()
        return redirects.get(clean) or self._in_served_version(site, clean)

    def start_url(self) -> str:
        """The home page in the first language and version served (`--language fr --version
        ghes`: `/fr/enterprise-server@<latest>`)."""
        site = self.site
        default = site.config.space.default
        version = default if default in site.versions else site.versions[0]
        return page_url(site.languages[0].code, version, "")

    def _in_served_version(self, site, clean: str) -> str | None:
        """A URL of the default version when it is not served (`--version ghes`): the same page
        in the first version served that has it."""
        parts = clean.strip("/").split("/")
        if site.config.space.default in site.versions or (len(parts) > 1 and "@" in parts[1]):
            return None
        for version in site.versions:
            target = page_url(parts[0], version, "/".join(parts[1:]))
            if self.locate(target) is not None:
                return target
        return None

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
                    printed = self.structure.fingerprint(page, record)
                except Exception:  # noqa: BLE001 - the page shows its error when it is requested
                    failed.add(rel)
                    continue
                self.records[rel] = record
                self.prints[rel] = printed
                for key in [k for k in self.partial if k[0] == rel]:
                    del self.partial[key]
                    self.prints.pop(key, None)

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
                key, record = self._unprinted.pop()
                page = self.site.tree.pages.get(record.rel)
                held = self.records.get(key) if isinstance(key, str) else self.partial.get(key)
                if page is not None and held is record and key not in self.prints:
                    self.prints[key] = self.structure.fingerprint(page, record)



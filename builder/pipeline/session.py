"""One build object: the site loaded, its metas and structure, a page builder, and the site-wide
checks that need several pages. `build` (pipeline/build.py) and `serve` (serve/renderer.py) both
go through it, so the preview reports exactly what a build would."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from ..core import codes
from ..core import progress as prog
from ..core.diagnostics import Diagnostic, Problems, Severity
from ..links.finish import FragmentCheck
from ..sources.config import Language
from ..sources.content import Page
from .digests import FileDigests
from .incremental import Structure
from .metas import Metas
from .pages import PageBuilder
from .results import PageResult
from .site import Site

Anchors = Callable[[tuple[str, str, str]], "Iterable[str] | None"]
"""(page rel, language code, version id) -> the element ids of that output, None when unknown."""


class BuildSession:
    """Load stage of one build: `Site` (configuration, data, content tree and every load problem:
    frontmatter, schema, versions, children), then `load_metas` (titles and intros, the
    structure fingerprints read), then pages built one by one with `build_page`, then the checks
    across pages (`anchor_problems`)."""

    def __init__(self, root: Path, versions: list[str] | None = None, languages: list[str] | None = None, *,
                 digests: FileDigests | None = None, frontmatter: dict | None = None):
        self.root = Path(root)
        self.digests = digests if digests is not None else FileDigests(self.root)
        self.site = Site(self.root, versions, languages, frontmatter=frontmatter)
        self.problems: Problems = self.site.problems
        """Every problem found so far (load, metas; a build adds its pages')."""
        self.metas: Metas | None = None
        self.structure: Structure | None = None
        self._builder: PageBuilder | None = None
        self._by_path: tuple[int, dict[str, list[Diagnostic]]] = (-1, {})

    def load_metas(self, options_key: str, *, cached: dict | None = None, record: bool = True,
                   eager: bool = True, pages: Iterable[Page] | None = None) -> tuple[Metas, Structure]:
        """Titles, short titles and intros of every page in every language (`eager`; else each is
        computed when first asked for, as the preview does), and the structure digests. With
        `record`, what they read is recorded for the next build's cache."""
        site = self.site
        self.metas = Metas(site, cached=cached, digests=self.digests if record else None)
        if eager:
            shown = list(site.tree.pages.values() if pages is None else pages)  # a shard: what its pages show
            prog.phase("titles and intros", len(site.languages) * len(shown))
            for lang in site.languages:
                for page in shown:
                    self.metas.get(lang, page, "")
                    prog.advance()
            self.problems.extend(self.metas.problems)
        self.structure = Structure(site, self.metas, self.digests, options_key)
        return self.metas, self.structure

    @property
    def builder(self) -> PageBuilder:
        if self._builder is None:
            assert self.metas is not None, "load_metas() first"
            self._builder = PageBuilder(self.site, self.metas)
        return self._builder

    def build_page(self, page: Page, write, only: tuple[str, str] | None = None) -> PageResult:
        """Liquid -> Markdown -> layout -> `write(path, html)` for one page (`only=(language,
        version)`: that one output)."""
        return self.builder.build(page, write, only)

    # What a build reports about one page ------------------------------------------------------

    def sources_of(self, rel: str, lang: Language | None = None) -> set[str]:
        """The files that are `rel`: its English source and (for `lang`) its translation."""
        found = {"content/" + rel}
        for other in self.site.config.languages:
            if other.dir and (lang is None or other is lang):
                found.add(f"{other.dir}/content/{rel}")
        return found

    def load_problems(self, rel: str, lang: Language | None = None) -> list[Diagnostic]:
        """Problems found while loading (frontmatter, schema, versions, children) and rendering
        titles and intros that are located in the page's own files."""
        files = self.sources_of(rel, lang)
        if self._by_path[0] != len(self.problems):  # indexed once (the preview asks on each request)
            index: dict[str, list[Diagnostic]] = {}
            for d in self.problems:
                if d.location is not None:
                    index.setdefault(d.location.path, []).append(d)
            self._by_path = (len(self.problems), index)
        found = [d for path in sorted(files) for d in self._by_path[1].get(path, ())]
        if self.metas is not None:
            found += [d for d in self.metas.problems if d.location is not None and d.location.path in files]
        return found

    def output_problems(self, result: PageResult, lang: Language, version_id: str) -> list[Diagnostic]:
        """The problems of a page's result that concern one output: those seen in that version
        (shown as seen there, however many versions the result covers) and not located in
        another language's translation."""
        mine = self.sources_of(result.rel, lang)
        others = tuple(f"{o.dir}/" for o in self.site.config.languages if o.dir and o is not lang)
        found = []
        for d in result.problems:
            if d.versions and not any(v in (version_id, f"{lang.code}/{version_id}") for v in d.versions):
                continue
            if d.location is not None and d.location.path not in mine and d.location.path.startswith(others):
                continue
            found.append(replace(d, versions=(version_id,)) if d.versions else d)
        return found


def anchor_problems(checks: Iterable[FragmentCheck], anchors: Anchors) -> list[Diagnostic]:
    """A warning per link to `page#fragment` whose target output has no element with that id
    (targets whose ids are unknown are not checked)."""
    found: list[Diagnostic] = []
    known: dict[tuple[str, str, str], frozenset[str] | None] = {}
    for check in checks:
        key = (check.target, check.lang, check.version)
        if key not in known:
            ids = anchors(key)
            known[key] = frozenset(ids) if ids is not None else None
        ids = known[key]
        if ids is not None and check.fragment not in ids:
            found.append(Diagnostic(
                codes.LINK_ANCHOR,
                f"link {check.href!r}: content/{check.target} has no heading or element with id {check.fragment!r}",
                check.location, Severity.WARNING, check.notes, versions=(check.version,)))
    return found

"""Titles, short titles and intros of every page, per language and version (computed lazily)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..i18n.fallback import Fallback
from ..markdown_rules.parser import RenderedMarkdown, plain_text, render_frontmatter
from ..sources.config import Language
from ..sources.content import Page
from .site import Site

TEXT_PROPS = ("title", "shortTitle")
MARKDOWN_PROPS = ("intro", "product", "permissions")


@dataclass
class PageMeta:
    title: str = ""
    short_title: str = ""
    intro: RenderedMarkdown | None = None
    product: RenderedMarkdown | None = None
    permissions: RenderedMarkdown | None = None
    fallbacks: dict[str, Fallback] = field(default_factory=dict)
    reads: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)

    @property
    def nav_title(self) -> str:
        return self.short_title or self.title


@dataclass
class MetaRecord:
    """Metas of one (language, page) and the files they were made from, for the next build."""

    versions: tuple[str, ...]
    deps: tuple[tuple[str, str], ...]
    metas: dict[str, PageMeta]
    problems: list[Diagnostic]


ALWAYS_READ = ("data/versions.yml", "data/languages.yml")


class Metas:
    """`metas.get(lang, page, version)`; each (language, page) is rendered once for all versions.

    With the previous build's `cached` records and file `digests`, a (language, page) whose
    files are unchanged is taken from the cache instead of being rendered again."""

    def __init__(self, site: Site, *, cached: dict | None = None, digests=None):
        self.site = site
        self._cache: dict[tuple[str, str], dict[str, PageMeta]] = {}
        self._markdown: dict[str, RenderedMarkdown] = {}
        self.problems: list[Diagnostic] = []
        self.cached = cached or {}
        self.digests = digests
        self.records: dict[tuple[str, str], MetaRecord] = {}

    def get(self, lang: Language, page: Page, version_id: str) -> PageMeta:
        key = (lang.code, page.rel)
        per_version = self._cache.get(key)
        if per_version is None:
            per_version = self._cache[key] = self._compute(lang, page)
        return per_version.get(version_id) or PageMeta(title=page.url or "Home")

    def _markdown_of(self, text: str) -> RenderedMarkdown:
        found = self._markdown.get(text)
        if found is None:
            found = self._markdown[text] = render_frontmatter(text)
        return found

    def _compute(self, lang: Language, page: Page) -> dict[str, PageMeta]:
        key = (lang.code, page.rel)
        record = self.cached.get(key)
        digests = self.digests
        if (record is not None and digests is not None and record.versions == page.versions
                and all(digests.digest(path) == digest for path, digest in record.deps)):
            self.problems.extend(record.problems)
            self.records[key] = record
            return record.metas
        known = len(self.problems)
        metas = self._render(lang, page)
        found = self.problems[known:]
        if digests is not None and not any(d.is_error for d in found):
            loc = self.site.localized(lang, page, body=False)
            deps = {page.src, *ALWAYS_READ}
            if loc.probe:
                deps.add(loc.probe)
            for meta in metas.values():
                deps |= meta.reads | meta.sources
            self.records[key] = MetaRecord(page.versions, tuple((p, digests.digest(p)) for p in sorted(deps)),
                                           metas, list(found))
        return metas

    def _render(self, lang: Language, page: Page) -> dict[str, PageMeta]:
        site = self.site
        space = site.config.space
        versions = [space.by_id[v] for v in page.versions]
        loc = site.localized(lang, page, body=False)
        metas = {v.id: PageMeta() for v in versions}
        title_failed = False
        for prop in TEXT_PROPS + MARKDOWN_PROPS:
            outcomes, problems = site.props.render(loc, prop, versions)
            self.problems.extend(problems)
            if prop == "title" and any(d.is_error for d in problems):
                title_failed = True
            for po in outcomes:
                value = po.text.strip()
                for version in po.versions:
                    meta = metas[version.id]
                    meta.reads |= po.outcome.reads
                    meta.sources.add(po.source.path)
                    if po.fallback is not None:
                        meta.fallbacks[prop] = po.fallback
                    if prop == "title":
                        meta.title = plain_text(value)
                    elif prop == "shortTitle":
                        meta.short_title = plain_text(value)
                    elif value:
                        setattr(meta, prop, self._markdown_of(value))
        # Versions with the same metas share one object (a smaller cache, less memory).
        shared: dict[tuple, PageMeta] = {}
        for vid, meta in list(metas.items()):
            key = (meta.title, meta.short_title, id(meta.intro), id(meta.product), id(meta.permissions),
                   tuple(sorted(meta.fallbacks)), frozenset(meta.reads), frozenset(meta.sources))
            metas[vid] = shared.setdefault(key, meta)
        raw_title = page.fm.get("title")
        if lang.is_default and isinstance(raw_title, str) and raw_title.strip() and not title_failed:
            for version in versions:
                if not metas[version.id].title:
                    self.problems.append(
                        page.split.error(
                            codes.FM_WRONG_TYPE,
                            f"the title renders empty in {version.id}; every version needs a title",
                            ("title",),
                            value=True,
                        )
                    )
                    break
        return metas

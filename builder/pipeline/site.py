"""Load stage: configuration, data, the content tree, and everything shared by every page."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Problems, Severity
from ..core.location import Location
from ..core.errors import ConfigError, ContentError
from ..sources.files import read_source
from ..sources.frontmatter import split_frontmatter
from ..sources.schema import validate_frontmatter
from ..i18n.localize import LocalizedPage, localize, with_body
from ..i18n.repair import repair_data_text, repair_translation
from ..i18n.status import orphan_translations
from ..i18n.ui import UI, load_ui
from ..layout.render import Layout
from ..links.table import LinkTable
from ..liquid_tags.environment import DocsEnvironment
from ..nav.tree import Navigation
from ..output.archives import FOLDER, MARKER
from ..sources.config import Language, SiteConfig, load_config
from ..sources.content import Page, load_content
from ..sources.data import DataStore
from ..versions.model import Version
from .props import PropRenderer


@dataclass(frozen=True)
class Selection:
    languages: tuple[Language, ...]
    versions: tuple[Version, ...]


def select(config: SiteConfig, versions: list[str] | None, languages: list[str] | None) -> Selection:
    """The languages and versions named on the command line (all when none are named)."""
    chosen_versions: list[Version] = []
    for text in versions or []:
        found = config.space.resolve(text)
        if not found:
            known = ", ".join([p.short for p in config.space.plans] + [v.id for v in config.space.versions])
            name, _, release = text.partition("@")
            plan = config.space.plan(name)
            if plan is not None and release in plan.deprecated:
                raise ConfigError(Diagnostic(
                    codes.CONFIG_SELECTION,
                    f"--version {text!r} is a deprecated release: it is not built any more; supported: "
                    + ", ".join(v.id for v in config.space.versions if v.plan is plan)))
            raise ConfigError(Diagnostic(codes.CONFIG_SELECTION, f"--version {text!r} is not a version; known: {known}"))
        chosen_versions.extend(v for v in found if v not in chosen_versions)
    chosen_languages: list[Language] = []
    for code in languages or []:
        lang = config.language(code)
        if lang is None:
            known = ", ".join(lang.code for lang in config.languages)
            raise ConfigError(Diagnostic(codes.CONFIG_SELECTION, f"--language {code!r} is not configured; known: {known}"))
        if lang not in chosen_languages:
            chosen_languages.append(lang)
    return Selection(
        tuple(sorted(chosen_languages, key=lambda lang: lang.index)) or config.languages,
        tuple(sorted(chosen_versions, key=lambda v: v.index)) or config.space.versions,
    )


class Site:
    """Everything loaded before pages are rendered; shared (read-only) by every worker."""

    def __init__(self, root: Path, versions: list[str] | None = None, languages: list[str] | None = None,
                 frontmatter: dict | None = None):
        self.config = load_config(Path(root))
        self.root = self.config.root
        self.selection = select(self.config, versions, languages)
        self.problems = Problems()
        self.data = DataStore(self.config, repair=repair_data_text)
        self.tree = load_content(self.config, self.data, frontmatter)
        self.problems.extend(self.tree.problems)
        codes_ = tuple(lang.code for lang in self.config.languages)
        self.links = LinkTable(self.tree, self.config.space, codes_)
        self.problems.extend(self.links.problems)
        self.nav = Navigation(self.tree)
        self.layout = Layout(self.root)
        self.problems.extend(self.layout.problems)
        self.envs = {lang.code: DocsEnvironment(self.config, self.data, lang) for lang in self.config.languages}
        self.ui = {lang.code: UI(load_ui(self.data, lang)) for lang in self.config.languages}
        self.props = PropRenderer(self.envs, self.config.default_language.code)
        self._localized: dict[tuple[str, str], LocalizedPage] = {}
        self.archives: dict = {}
        """Archived versions found in --out (builder/output/archives.py): never built."""
        self.search_plan: dict[str, dict[str, str]] | None = None
        """Which search shard each page is in, per language (pipeline/shard.py `search_plan`
        makes it once, from the pages and versions: a change of versions forgets it)."""
        self._lint_unreachable()
        self._orphan_translations()
        self.problems.extend(self.data.problems)

    def _orphan_translations(self) -> None:
        """A translated page whose English page is gone (or never built) is never shown."""
        for lang in self.config.languages:
            for src in orphan_translations(self.root, self.tree, lang):
                rel = src[len(f"{lang.dir}/content/"):]
                self.problems.add(Diagnostic(
                    codes.TRANSLATION_ORPHAN,
                    f"{src} translates content/{rel}, which does not exist; it is not built "
                    "(move it with its English page, or delete it)",
                    Location(src, 1, 1), Severity.WARNING))

    def _lint_unreachable(self) -> None:
        """Files no `children` reach are not built, but their problems are still worth knowing."""
        env = self.envs[self.default_language.code]
        note = "this file is not built (no 'children' list reaches it), so this is only a warning"
        for rel in self.tree.unreachable:
            src = "content/" + rel
            try:
                split = split_frontmatter(read_source(self.root, src), src)
            except ContentError as err:
                diags = err.diagnostics
            else:
                diags = validate_frontmatter(split) + env.parse(split.padded_body, src).diagnostics
            for d in diags:
                self.problems.add(replace(d, severity=Severity.WARNING, notes=d.notes + (note,)))

    def set_archives(self, archives: dict) -> list[Diagnostic]:
        """Versions archived in --out are not built (their archive stays as it is); links into an
        archived release are checked against its pages. Returns a warning per version skipped."""
        self.archives = archives
        self.search_plan = None
        self.links.archives = {v: a.pages for v, a in archives.items()}
        skipped = [v for v in self.selection.versions if v.id in archives]
        if skipped:
            self.selection = Selection(self.selection.languages,
                                       tuple(v for v in self.selection.versions if v.id not in archives))
        return [Diagnostic(
            codes.VERSION_ARCHIVED,
            f"{v.id} is archived in --out ({FOLDER}/{v.id}/{MARKER}): its pages are not built and its "
            f"archive is kept as it is; remove it from the sources with `docs-builder deprecate {v.short}@{v.release}`",
            None, Severity.WARNING) for v in skipped]

    @property
    def languages(self) -> tuple[Language, ...]:
        return self.selection.languages

    @property
    def versions(self) -> tuple[Version, ...]:
        return self.selection.versions

    @property
    def default_language(self) -> Language:
        return self.config.default_language

    def language(self, code: str) -> Language:
        lang = self.config.language(code)
        assert lang is not None
        return lang

    def localized(self, lang: Language, page: Page, body: bool = True) -> LocalizedPage:
        """The page in `lang` (see `localize`); without `body`, its translated body may be left
        unrepaired (a page's title and intro: the sidebars of a shard show many it does not build)."""
        key = (lang.code, page.rel)
        found = self._localized.get(key)
        if found is None:
            found = self._localized[key] = localize(page, lang, self.config, repair=repair_translation, body=body)
        if body and found.body_problems_at is not None:
            found = self._localized[key] = with_body(found, repair_translation)
        return found

    def forget(self, lang: Language, page: Page) -> None:
        """Drop per-page caches once a page is written (memory stays flat with site size)."""
        loc = self._localized.pop((lang.code, page.rel), None)
        if loc is not None:
            self.props.forget(lang.code, loc.props.get("body"))
            self.props.forget(self.default_language.code, loc.english.get("body"))
        page.split.release()

    def built_versions(self, page: Page) -> list[Version]:
        return [v for v in self.versions if v.id in page.versions]

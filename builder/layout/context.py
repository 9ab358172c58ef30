"""What a layout needs around the page body: pickers, sidebar, breadcrumbs, notices."""

from __future__ import annotations

from dataclasses import replace

from markupsafe import Markup, escape

from typing import TYPE_CHECKING

from ..core.diagnostics import Severity
from ..core.urls import page_url
from ..i18n.languages import native_name, text_direction
from ..links.finish import finish_html
from ..markdown_rules.parser import html_text
from ..sources.config import Language
from ..sources.content import Page
from ..versions.model import Version
from .fallback_notice import english_part, fallen_parts
from .render import mark_current, sidebar_html

if TYPE_CHECKING:  # the build's objects, handed in by pipeline/pages.py
    from ..pipeline.metas import Metas
    from ..pipeline.site import Site


SIDEBAR_FULL_TREE = 200
"""Products up to this many pages show their whole tree in the sidebar."""


def available_since(site: Site, page: Page, version: Version) -> dict | None:
    """The oldest supported release of `version`'s plan that has `page`, when that is not the
    plan's oldest supported release (the page is new there: a site may show a badge); None on
    plans without numbered releases. It reads only the page's versions, which the version
    picker reads too (an edit that changes it rebuilds the page)."""
    plan = version.plan
    if not plan.numbered:
        return None
    space = site.config.space
    oldest_first = [space.by_id[f"{plan.name}@{r}"] for r in reversed(plan.releases)]
    first = next((v for v in oldest_first if v.id in page.versions), None)
    if first is None or first is oldest_first[0]:
        return None
    return {"version": first.id, "release": first.release, "title": first.title}


class ContextBuilder:
    def __init__(self, site: Site, metas: Metas):
        self.site = site
        self.metas = metas
        self._sidebars: dict[tuple[str, str, str], str] = {}
        self._intros: dict[tuple, tuple[Markup, list]] = {}
        self._urls: dict[tuple[str, str, str], str] = {}
        self._sizes: dict[int, int] = {}
        self.home = site.tree.home

    def url(self, lang: Language, version: Version, page: Page) -> str:
        key = (lang.code, version.id, page.rel)
        found = self._urls.get(key)
        if found is None:
            found = self._urls[key] = page_url(lang.code, version, page.url)
        return found

    def title(self, lang: Language, page: Page, version: Version) -> str:
        return self.metas.get(lang, page, version.id).title

    def nav_title(self, lang: Language, page: Page, version: Version) -> str:
        return self.metas.get(lang, page, version.id).nav_title

    def finished_markdown(self, lang: Language, version: Version, rendered, key) -> Markup:
        """A frontmatter property (`key` = (prop, page rel)) as HTML with its links resolved."""
        return self._finished(lang, version, rendered, key)[0]

    def _finished(self, lang: Language, version: Version, rendered, key) -> tuple[Markup, list]:
        if rendered is None:
            return Markup(""), []
        cache_key = (lang.code, version.id, key)
        found = self._intros.get(cache_key)
        if found is None:
            site = self.site
            prop, rel = key
            source = None

            def locate(_link):  # the property's value in its file; looked up only for a problem
                nonlocal source
                source = site.localized(lang, site.tree.pages[rel], body=False).props.get(prop)
                return source.split.locate((prop,), value=True) if source is not None and source.split else None

            done = finish_html(
                rendered.html,
                rendered.links,
                lang=lang.code,
                version=version,
                resolve=site.links.resolve,
                title_of=lambda p, v: self.title(lang, p, v),
                locate=locate,
            )
            problems = done.problems
            if source is not None and source.translated:  # a translation never fails the build
                problems = [replace(d, severity=Severity.WARNING) for d in problems]
            found = self._intros[cache_key] = (Markup(done.html), problems)
        return found

    def link_problems(self, lang: Language, version: Version, page: Page) -> list:
        """Broken links in the page's own intro, product notice and permissions."""
        meta = self.metas.get(lang, page, version.id)
        out = []
        for prop, rendered in (("intro", meta.intro), ("product", meta.product), ("permissions", meta.permissions)):
            out.extend(self._finished(lang, version, rendered, (prop, page.rel))[1])
        return out

    def sidebar(self, lang: Language, version: Version, page: Page) -> Markup | None:
        product = self.site.nav.product(page)
        if product is None:
            return None
        node = self.site.nav.subtree(product, version.id)
        if node is None:
            return None
        # A small product shows its whole tree; a large one only the branch of this page.
        expand = None
        if self._size(node) > SIDEBAR_FULL_TREE:
            expand = {a.rel for a in self.site.nav.ancestors(page)} | ({page.rel} if page.children else set())
        key = (lang.code, version.id, product.rel, tuple(sorted(expand)) if expand is not None else None)
        html = self._sidebars.get(key)
        if html is None:
            html = self._sidebars[key] = sidebar_html(
                node,
                lambda p: self.nav_title(lang, p, version),
                lambda p: self.url(lang, version, p),
                self.nav_title(lang, product, version),
                expand,
            )
        ancestors = [self.url(lang, version, a) for a in self.site.nav.ancestors(page)]
        return Markup(mark_current(html, self.url(lang, version, page), ancestors + [self.url(lang, version, page)]))

    def _size(self, node) -> int:
        found = self._sizes.get(id(node))
        if found is None:
            found = self._sizes[id(node)] = 1 + sum(self._size(c) for c in node.children)
        return found

    def build(self, lang: Language, version: Version, page: Page, *, translated: bool, body: Markup,
              toc: list, fallback_comments: dict[str, str]) -> dict:
        site = self.site
        ui = site.ui[lang.code]
        meta = self.metas.get(lang, page, version.id)
        nav = site.nav
        product = nav.product(page)
        children = []
        if page.children:
            for child in nav.children(page, version.id):
                cmeta = self.metas.get(lang, child, version.id)
                children.append({
                    "title": cmeta.title,
                    "url": self.url(lang, version, child),
                    "intro": self.finished_markdown(lang, version, cmeta.intro, ("intro", child.rel)),
                })
        crumbs = [
            {"title": self.nav_title(lang, a, version), "url": self.url(lang, version, a)}
            for a in nav.ancestors(page)[1:]
        ]
        if page.depth > 0:
            crumbs.append({"title": meta.nav_title, "url": self.url(lang, version, page)})
        version_picker = [
            {"id": v.id, "title": v.title, "url": self.url(lang, v, page), "current": v is version}
            for v in site.versions
            if v.id in page.versions
        ]
        language_picker = [
            {"code": other.code, "name": native_name(other), "url": self.url(other, version, page),
             "current": other is lang}
            for other in site.languages
        ]
        notices = []
        if not lang.is_default and not translated:
            notices.append({"kind": "info", "icon": "globe", "text": ui("pages.not_translated")})
        plan = version.plan
        if plan.numbered and len(plan.releases) > 1 and version.release == plan.releases[-1]:
            notices.append({"kind": "warning", "icon": "alert",
                            "text": ui("pages.outdated_release", release=version.release)})
        intro = self.finished_markdown(lang, version, meta.intro, ("intro", page.rel))
        intro_text = html_text(str(intro))
        english = site.default_language.code
        parts = fallen_parts(fallback_comments)
        if parts & {"title", "intro"}:
            notices.append({"kind": "info", "icon": "globe", "text": ui("pages.part_not_translated")})
        if "intro" in parts and intro:
            intro = english_part(intro, english)
        if "body" in parts:
            body = english_part(body, english, ui("pages.part_not_translated"))
        home_meta = self.metas.get(lang, self.home, version.id) if self.home else None
        return {
            "lang": lang,
            "lang_dir": text_direction(lang),
            "lang_native": native_name(lang),
            "content_lang": lang.code if translated or lang.is_default else site.default_language.code,
            "version": version,
            "ui": ui,
            "site_title": (home_meta.nav_title if home_meta else "") or ui("header.github_docs"),
            "home_url": page_url(lang.code, version, ""),
            "product": (
                {"title": self.nav_title(lang, product, version), "url": self.url(lang, version, product)}
                if product is not None else None
            ),
            "page": {
                "kind": page.kind,
                "title": meta.title,
                "intro": intro,
                "intro_text": intro_text,
                "title_lang": Markup(f' lang="{escape(english)}"') if "title" in parts else "",
                "product_notice": self.finished_markdown(lang, version, meta.product, ("product", page.rel)),
                "permissions": self.finished_markdown(lang, version, meta.permissions, ("permissions", page.rel)),
                "body": body,
                "title_comment": Markup(fallback_comments.get("title", "")),
                "intro_comment": Markup(fallback_comments.get("intro", "")),
                "body_comment": Markup(fallback_comments.get("body", "")),
                "available_since": available_since(site, page, version),
            },
            "toc": toc,
            "children": children,
            "breadcrumbs": crumbs,
            "sidebar": self.sidebar(lang, version, page),
            "version_picker": version_picker,
            "language_picker": language_picker,
            "notices": notices,
            "canonical": self.url(lang, version, page),
            "alternates": [
                {"hreflang": other.code, "url": self.url(other, version, page)} for other in site.languages
            ],
            "search_index": f"/_pagefind/{lang.code}/shards.json", "search_version": version.slug,
            "search_prefix": f"/{lang.code}/{version.segment}" if version.segment else f"/{lang.code}",
        }

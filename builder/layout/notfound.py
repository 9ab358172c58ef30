"""The "page not found" pages: `/404.html` (the default language) and `/<lang>/404.html`.

Each is a page of the site: its header (title, search, language picker, theme toggle), the
language's interface strings and a list of the site's products in that language, so a reader
who followed a dead link can search or move on. A static host answers every missing URL with
`/404.html`; hosts that allow it map `/<lang>/*` to `/<lang>/404.html` (README: "Missing pages").
The head keeps the old page's script: a URL without a language gets the default language, and
`<plan>@latest` becomes the plan's newest release, before the reader sees anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.urls import page_url
from ..i18n.languages import native_name, text_direction

if TYPE_CHECKING:  # the build's objects, handed in by pipeline/extras.py
    from ..pipeline.metas import Metas
    from ..pipeline.site import Site

NOT_FOUND = "404.html"


def write_not_found_pages(site: Site, metas: Metas | None, writer, redirect_map: bool = False) -> dict[str, list[str]]:
    """Write `/404.html` and `/<lang>/404.html` for every built language (and the default one).

    They are written on every build, from this build's titles: nothing to record."""
    space = site.config.space
    latest = {f"{p.name}@latest": space.latest(p).id for p in space.plans if p.numbered}
    default = site.default_language
    version = space.default if space.default in site.versions else (site.versions[0] if site.versions else None)
    built = {lang.code for lang in site.languages}
    langs = [default] + [lang for lang in site.languages if lang is not default]
    written: dict[str, list[str]] = {}
    for lang in langs:
        context = not_found_context(site, metas if lang.code in built else None, lang, version, latest)
        context["redirect_map"] = redirect_map  # old URLs beyond a host's rules (output/hosts.py)
        html = site.layout.template(NOT_FOUND).render(context)
        for rel in ([NOT_FOUND] if lang is default else []) + [f"{lang.code}/{NOT_FOUND}"]:
            writer.write(rel, html)
            written[rel] = []
    return written


def not_found_context(site: Site, metas: Metas | None, lang, version, latest: dict[str, str]) -> dict:
    """The template's context for `lang`'s 404 page (`metas` None: no product list)."""
    ui = site.ui[lang.code]
    home = site.tree.home
    products = []
    site_title = ""
    if metas is not None and home is not None and version is not None and version.id in home.versions:
        from .context import ContextBuilder

        ctx = ContextBuilder(site, metas)
        site_title = metas.get(lang, home, version.id).nav_title
        for child in site.nav.children(home, version.id):
            meta = metas.get(lang, child, version.id)
            if meta.nav_title:
                products.append({"title": meta.nav_title, "url": page_url(lang.code, version, child.url),
                                 "intro": ctx.finished_markdown(lang, version, meta.intro, ("intro", child.rel))})
    home_url = page_url(lang.code, version, "") if version is not None else f"/{lang.code}"
    return {
        "lang": lang, "lang_dir": text_direction(lang), "lang_native": native_name(lang),
        "content_lang": lang.code, "version": version, "ui": ui,
        "site_title": site_title or ui("header.github_docs"), "home_url": home_url, "product": None,
        "page": {"kind": "not-found", "title": ui("errors.page_doesnt_exist"), "intro_text": ""},
        "toc": [], "children": [], "breadcrumbs": [], "sidebar": None, "version_picker": [],
        "language_picker": [
            {"code": other.code, "name": native_name(other), "url": page_url(other.code, version, "")
             if version is not None else f"/{other.code}", "current": other is lang}
            for other in site.languages],
        "notices": [], "canonical": "", "alternates": [],
        "search_index": f"/_pagefind/{lang.code}/shards.json",
        "search_version": version.slug if version is not None else "",
        "search_prefix": (f"/{lang.code}/{version.segment}" if version is not None and version.segment
                          else f"/{lang.code}"),
        "products": products,
        "languages": [other.code for other in site.config.languages], "latest": latest,
        "default": site.default_language.code,
    }


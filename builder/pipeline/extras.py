"""Site-wide outputs written after the pages: assets, the root redirect, redirects, search."""

from __future__ import annotations

from pathlib import Path

from ..core.diagnostics import Problems
from ..output.writer import StagingWriter
from ..search.pagefind_index import build_search
from .metas import Metas
from .pages import Output
from .site import Site


def write_extras(site: Site, metas: Metas, staging: Path, outputs: list[Output], problems: Problems,
                 *, search: bool, translation: dict | None = None) -> dict[str, list[str]]:
    """Write everything that is not a page; returns {output path: sources} for the manifest."""
    writer = StagingWriter(staging)
    extra: dict[str, list[str]] = {}
    for rel, data in site.layout.static_files().items():
        writer.write(rel, data)
        extra[rel] = []
    default = site.default_language.code
    ui = site.ui[default]
    writer.write("index.html", site.layout.render_redirect(f"/{default}", default, ui("redirect.moved")))
    extra["index.html"] = []
    from ..links.outputs import write_redirects, write_sitemap

    extra.update(write_redirects(site, writer, {o.path for o in outputs}))
    extra.update(write_sitemap(site, writer, outputs))
    if len(site.config.languages) > 1:
        from .status_page import statuses, write_status_pages

        extra.update(write_status_pages(site, writer, statuses(site, translation or {})))
    if search:
        bundles: dict[str, list[str]] = {}
        space = site.config.space
        for o in outputs:
            bundles.setdefault(space.by_id[o.version].slug, []).append(o.path)
        problems.extend(build_search(staging, bundles))
    return extra

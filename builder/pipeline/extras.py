"""Site-wide outputs written after the pages: assets, the root redirect, redirects, search."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..core.diagnostics import Problems
from ..output.writer import StagingWriter
from ..search.pagefind_index import build_search
from .metas import Metas
from .pages import Output
from .site import Site


def write_extras(site: Site, metas: Metas, staging: Path, outputs: list[Output], problems: Problems, *,
                 search: bool, translation: dict | None = None, previous: dict | None = None,
                 changed: set[str] | None = None, out: Path | None = None,
                 base_url: str = "", partial_redirects: bool = False) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Write everything that is not a page.

    Returns ({output path: sources} for the manifest, digests that let the next incremental
    build skip unchanged redirects and search bundles).
    """
    from ..links.outputs import write_redirects, write_sitemap

    writer = StagingWriter(staging)
    extra: dict[str, list[str]] = {}
    digests: dict[str, str] = {}
    previous = previous or {}
    for rel, data in site.layout.static_files().items():
        writer.write(rel, data)
        extra[rel] = []
    default = site.default_language.code
    ui = site.ui[default]
    writer.write("index.html", site.layout.render_redirect(f"/{default}", default, ui("redirect.moved")))
    extra["index.html"] = []
    space = site.config.space
    latest = {f"{p.name}@latest": space.latest(p).id for p in space.plans if p.numbered}
    writer.write("404.html", site.layout.template("404.html").render(
        lang=default, title=ui("errors.page_doesnt_exist"), home=ui("pages.home"), default=default,
        languages=[lang.code for lang in site.config.languages], latest=latest))
    extra["404.html"] = []
    output_paths = {o.path for o in outputs}
    stubs = write_redirects(site, writer, output_paths, keep_if=previous.get("redirects"),
                            only_live=partial_redirects)
    digests["redirects"] = stubs.pop("__digest__")[0]
    extra.update(stubs)
    files, digests["sitemap"] = write_sitemap(site, writer, outputs, keep_if=previous.get("sitemap"),
                                               base_url=base_url)
    extra.update(files)
    if len(site.config.languages) > 1:
        from .status_page import statuses, write_status_pages

        extra.update(write_status_pages(site, writer, statuses(site, translation or {})))
    if search:
        extra.update(_search(site, staging, out, outputs, problems, previous, changed, digests))
    return extra, digests


def _search(site: Site, staging: Path, out: Path | None, outputs: list[Output], problems: Problems,
            previous: dict, changed: set[str] | None, digests: dict[str, str]) -> dict[str, list[str]]:
    """One Pagefind bundle per version; a bundle none of whose pages changed is kept as it is."""
    space = site.config.space
    bundles: dict[str, list[str]] = {}
    for o in outputs:
        bundles.setdefault(space.by_id[o.version].slug, []).append(o.path)
    rebuild: dict[str, list[tuple[Path, str]]] = {}
    kept: dict[str, list[str]] = {}
    for slug, files in sorted(bundles.items()):
        key = hashlib.sha1("\n".join(sorted(files)).encode()).hexdigest()
        digests[f"search:{slug}"] = key
        old_dir = out / "_pagefind" / slug if out is not None else None
        unchanged = (changed is not None and not (set(files) & changed) and previous.get(f"search:{slug}") == key
                     and old_dir is not None and old_dir.is_dir())
        if unchanged:
            kept[slug] = [p.relative_to(out).as_posix() for p in sorted(old_dir.rglob("*")) if p.is_file()]
        else:
            rebuild[slug] = [((staging / f) if (staging / f).is_file() else (out / f), f) for f in files]
    problems.extend(build_search(staging, rebuild))
    written: dict[str, list[str]] = {}
    for slug in rebuild:
        folder = staging / "_pagefind" / slug
        for p in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if p.is_file():
                written[p.relative_to(staging).as_posix()] = []
    for files in kept.values():
        written.update({f: [] for f in files})
    return written

"""Site-wide outputs written after the pages: assets, the root redirect, redirects, search."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..core import progress as prog
from ..core.diagnostics import Diagnostic, Problems
from ..layout.render import TemplateFailure
from ..output.hosts import whole_file_limit
from ..output.writer import StagingWriter
from .alongside import Alongside
from .metas import Metas
from .results import Output
from .site import Site


@dataclass
class ExtraFiles:
    """What writing the site-wide files gives back."""

    files: dict[str, list[str]] = field(default_factory=dict)
    """Each file written or kept -> the sources it read, for the manifest."""
    digests: dict[str, str] = field(default_factory=dict)
    """What groups of them were made from (redirects, sitemap, search bundles...): the next
    incremental build keeps a group whose digest is the same."""
    written: dict[str, str] = field(default_factory=dict)
    """The digest of each file written from bytes in memory (see `StagingWriter.digests`): the
    manifest's, without reading the file back."""
    search_state: object | None = None
    """The search index's state for the next build (see `write_search_state`), if indexed."""


def write_extras(site: Site, metas: Metas, staging: Path, outputs: list[Output], problems: Problems, *,
                 search: bool, translation: dict | None = None, previous: dict | None = None,
                 changed: set[str] | None = None, out: Path | None = None,
                 base_url: str = "", jobs: int = 0,
                 partial_redirects: bool = False, markdown: bool = False,
                 host=None, search_old=None, prebuilt=None, assembled_in: Path | None = None,
                 llms: Alongside | None = None, prebuilt_files=None,
                 prebuilt_sitemap=None,
                 status: Alongside | None = None, whole_redirects=None) -> ExtraFiles:
    """Write everything that is not a page (see `ExtraFiles` for what it returns).

    `search_old` (assemble) is the shards' search state: their bundles are already in `staging`;
    `prebuilt` (assemble) the redirect stubs the shards wrote: stub -> shard folder;
    `prebuilt_files` and `prebuilt_sitemap` (assemble): the redirect files and sitemap a shard
    wrote (see `write_redirects`, `write_sitemap`); `whole_redirects` (assemble): what the shard
    that wrote the redirect files says of the site's redirects (links/outputs.py `SiteRedirects`);
    `assembled_in` (assemble): where the shards' bundles are, `staging` or (in place) `out`;
    `llms` (assemble): the llms files, being written alongside (see `assembled_llms`); ended by
    its owner if the build fails first; `status` (assemble): the translation status
    (`i18n.status_page.statuses`), computed alongside too.
    """
    in_place = previous is not None
    index = None
    try:
        if search:  # indexed while this process writes the rest (see _Indexing)
            if search_old is not None:  # the shards' bundles, linked into staging: only shards.json is new
                index = _Indexing(_search_index(site, metas, staging, assembled_in or staging, outputs, set(), True,
                                                jobs, old=search_old), jobs)
            else:
                index = _Indexing(_search_index(site, metas, staging, out, outputs, changed, in_place, jobs), jobs)
        writer = StagingWriter(staging, record_digests=True)
        extra, digests = _write_others(site, metas, writer, outputs, problems, translation=translation,
                                       previous=previous or {}, changed=changed, out=out, base_url=base_url,
                                       partial_redirects=partial_redirects, markdown=markdown, host=host,
                                       in_place=in_place, prebuilt=prebuilt, llms=llms, prebuilt_files=prebuilt_files,
                                       prebuilt_sitemap=prebuilt_sitemap, status=status,
                                       whole_redirects=whole_redirects)
        found = ExtraFiles(extra, digests, writer.digests)
        if index is not None:
            prog.phase("search index")
            files, found.search_state = _search_done(index, problems, digests)
            extra.update(files)
    except BaseException:  # a failure or an interrupt: nothing may write into staging after this
        if index is not None:
            index.stop()
        raise
    return found


def assembled_llms(site: Site, metas: Metas, staging: Path, outputs: list[Output], base_url: str,
                   copies_in: Path, intros: dict[str, str], jobs: int, host=None) -> Alongside:
    """`assemble`'s llms.txt and llms-full.txt, written into `staging` by a forked process (with
    `jobs` 1, or without fork: when `write_extras` asks for them) while this one goes on: the
    largest step left to `assemble`, and one that needs nothing else it writes. `copies_in`
    holds every Markdown copy; `intros`: the llms.txt entries' intros the shards made."""
    from .llms import write_llms

    return Alongside(lambda: write_llms(site, metas, StagingWriter(staging), staging, None, outputs,
                                        base_url or site.config.base_url, {}, None, (copies_in, intros),
                                        max_size=whole_file_limit(host)),
                     forked=jobs != 1)


def _write_others(site: Site, metas: Metas, writer: StagingWriter, outputs: list[Output], problems: Problems, *,
                  translation: dict | None, previous: dict, changed: set[str] | None, out: Path | None,
                  base_url: str, partial_redirects: bool, markdown: bool, host,
                  in_place: bool, prebuilt=None, llms=None, prebuilt_files=None,
                  prebuilt_sitemap=None, status: Alongside | None = None,
                  whole_redirects=None) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Every site-wide file but the search index (`llms`: the llms files, written alongside)."""
    from ..links.outputs import write_redirects, write_sitemap

    prog.phase("redirects and sitemap")
    staging = writer.staging
    extra: dict[str, list[str]] = {}
    digests: dict[str, str] = {}
    for rel, data in site.layout.static_files().items():
        writer.write(rel, data)
        extra[rel] = []
    from ..layout.notfound import write_not_found_pages
    from ..output.archives import VERSIONS_FILE, versions_document  # the archives' version pickers read it

    default = site.default_language.code
    try:
        writer.write("index.html", _root_redirect(site))
        extra["index.html"] = []
        extra.update(write_not_found_pages(site, metas, writer, redirect_map=host is not None and host.uses_map))
        writer.write(VERSIONS_FILE, versions_document(site.versions, site.archives, default))
        extra[VERSIONS_FILE] = []
        stubs = write_redirects(site, writer, {o.path for o in outputs}, keep_if=previous.get("redirects"),
                                only_live=partial_redirects, host=host, prebuilt=prebuilt,
                                prebuilt_files=prebuilt_files, whole=whole_redirects)
    except TemplateFailure as failure:  # the site's redirect.html: reported at its line; nothing is written
        problems.add(failure.diagnostic)
        return extra, digests
    digests["redirects"] = stubs.digest
    extra.update(stubs.files)
    base_url = base_url or site.config.base_url
    if base_url:
        files, digests["sitemap"] = write_sitemap(site, writer, outputs, keep_if=previous.get("sitemap"),
                                                   base_url=base_url, max_bytes=whole_file_limit(host),
                                                   prebuilt=prebuilt_sitemap)
        extra.update(files)
    else:
        problems.add(_no_sitemap())
    if len(site.config.languages) > 1:
        from ..i18n.status_page import statuses, write_status_pages

        prog.phase("translation status")
        found = status.result() if status is not None else statuses(site, translation or {})
        extra.update(write_status_pages(site, writer, found, metas))
    if llms is not None:
        prog.phase("llms.txt and llms-full.txt")
        files, llms_digests = llms.result()
        digests.update(llms_digests)
        extra.update(files)
    elif markdown:
        prog.phase("llms.txt and llms-full.txt")
        from .llms import write_llms

        files, llms_digests = write_llms(site, metas, writer, staging, out, outputs, base_url, previous,
                                         changed if in_place else None, max_size=whole_file_limit(host))
        digests.update(llms_digests)
        extra.update(files)
    return extra, digests


def _root_redirect(site: Site) -> str:
    """`/index.html`: the stub that sends readers to the default language."""
    default = site.default_language.code
    return site.layout.render_redirect(f"/{default}", default, site.ui[default]("redirect.moved"))


def check_redirect_template(site: Site) -> Diagnostic | None:
    """`check` writes no stub: it renders the root redirect, the first stub a build writes, so
    that a site's `redirect.html` that fails is reported there too (DB702)."""
    try:
        _root_redirect(site)
    except TemplateFailure as failure:
        return failure.diagnostic
    return None


def _no_sitemap():
    """DB820: the sitemap protocol wants absolute URLs, and this build has no base URL."""
    from ..core import codes
    from ..core.diagnostics import Severity

    return Diagnostic(codes.SITEMAP_NO_BASE_URL, "sitemap.xml was not written: its URLs must be absolute and this "
                      "build has no base URL; pass --base-url https://docs.example.com or set "
                      "`base_url: https://docs.example.com` in data/site.yml", severity=Severity.WARNING)


def write_shard_extras(site: Site, metas: Metas, staging: Path, outputs: list[Output], problems: Problems, *,
                       search: bool, changed: set[str] | None, out: Path, in_place: bool, jobs: int,
                       previous: dict | None = None,
                       host=None, site_files: list[str] | None = None,
                       base_url: str = "") -> ExtraFiles:
    """A build shard's site-wide outputs: the bundles of its search shards, for the generic host
    the redirect stubs that lead to its pages, and the whole-site files of `site_files` it is the
    one to write (see shard.py `site_file_owners`: the sitemap, the generic host's redirect
    files). `assemble` links them and writes the rest (shards.json, translation status...).
    `previous`: the digests of an incremental build's last run (what is the same is kept);
    `base_url`: the site's, as resolved by the build (the option, or the config's). Returns what
    `write_extras` does."""
    from ..links.outputs import HOST_FILES, write_shard_stubs, write_sitemap
    from .shard import SITE_REDIRECTS, SITE_SITEMAP, SITE_STUBS, SITEMAP, site_output_rows, site_outputs

    extra: dict[str, list[str]] = {}
    digests: dict[str, str] = {}
    previous = previous or {}
    site_files = site_files or []
    writer = StagingWriter(staging, record_digests=True)
    found = ExtraFiles(extra, digests, writer.digests)
    index = None
    if search:  # indexed while this process writes the stubs (see _Indexing)
        index = _Indexing(_search_index(site, metas, staging, out, outputs, changed, in_place, jobs,
                                        entry_points=False), jobs)
    try:
        if host is None or host.name == "generic":  # a host's rules need the whole site: assemble's
            prog.phase("redirects")
            stubs = write_shard_stubs(site, writer, site_outputs(site), [o.path for o in outputs],
                                      keep_if=previous.get("redirects"),
                                      host_files=[name for name in site_files if name in HOST_FILES],
                                      files_kept_if=previous.get(SITE_REDIRECTS))
            digests["redirects"] = stubs.digest
            if stubs.site is not None:
                digests[SITE_REDIRECTS] = stubs.site.digest
                digests[SITE_STUBS] = str(stubs.site.stubs)
            extra.update(stubs.files)
        if SITEMAP in site_files:
            prog.phase("sitemap")
            files, digests[SITE_SITEMAP] = write_sitemap(
                site, writer, site_output_rows(site), keep_if=previous.get(SITE_SITEMAP),
                base_url=base_url,
                max_bytes=whole_file_limit(host))
            extra.update(files)
        if index is not None:
            prog.phase("search index")
            files, found.search_state = _search_done(index, problems, digests)
            extra.update(files)
    except BaseException:  # a failure or an interrupt: nothing may write into staging after this
        if index is not None:
            index.stop()
        raise
    return found


def _search_index(site: Site, metas: Metas, staging: Path, out: Path | None, outputs: list[Output],
                  changed: set[str] | None, in_place: bool, jobs: int, old=None, entry_points: bool = True):
    """The sharded search index (builder/search), not started: only shards whose pages changed
    will be indexed. The titles and products are looked up here, in the calling thread."""
    from ..core.urls import page_url
    from ..search.site_index import IndexedPage, SiteIndex
    from .shard import search_plan

    space = site.config.space
    languages = {lang.code: lang for lang in site.languages}
    pages = site.tree.pages
    products: dict[tuple[str, str, str], tuple[str, str]] = {}
    indexed: list[IndexedPage] = []
    for o in outputs:
        page, version, lang = pages.get(o.page), space.by_id[o.version], languages.get(o.lang)
        if page is None or lang is None:
            continue
        product = site.nav.product(page)
        key = (o.lang, o.version, product.rel if product is not None else "")
        found = products.get(key)
        if found is None:
            found = products[key] = ((product.rel.split("/")[0], metas.get(lang, product, o.version).nav_title)
                                     if product is not None else ("", ""))
        indexed.append(IndexedPage(o.path, page_url(o.lang, version, page.url), o.lang, version.slug, found[0],
                                   metas.get(lang, page, o.version).title, found[1], version.segment, o._indexed))
    return SiteIndex(indexed, staging, out, changed, in_place, jobs, plan=search_plan(site), old=old,
                     entry_points=entry_points)


class _Indexing:
    """The search index (`SiteIndex.run`) made while the build writes its other site-wide files.

    In a forked process: its Python side (reading each page back, preparing its document for
    Pagefind, taking Pagefind's files) would otherwise share this process's interpreter lock with
    the thread writing 10,000s of redirect stubs, and each of those writes waits for the lock
    after its system call (shard 4/8 of the bench: its 41,000 stubs took 11.7 s beside the index
    in a thread, 7.9 s beside the forked one, 4.1 s without search; the index took longer by about
    as much, the 2 cores being busy either way). The documents and Pagefind's answers are held by
    that process too: the shard's main process peaked at 231 MB instead of 265 MB. Only the
    written files, the state and the problems come back. With
    `--jobs 1`, or without fork, in a thread (`SiteIndex.start`). `stop()` is for a build that
    failed meanwhile: nothing writes into staging once it returns."""

    def __init__(self, index, jobs: int):
        self._index = index
        self._forked = Alongside(lambda: (index.run(), index.state, index.problems), forked=jobs != 1)
        if not self._forked.forked:
            self._forked = None
            index.start()

    def wait(self) -> tuple[dict[str, list[str]], object | None, list]:
        """(The files written, as `SiteIndex.run` returns them; the index state; its problems)."""
        if self._forked is None:
            written = self._index.wait()
            return written, self._index.state, self._index.problems
        return self._forked.result()

    def stop(self) -> None:
        if self._forked is not None:
            self._forked.cancel()
        else:
            self._index.stop()


def _search_done(index: _Indexing, problems: Problems, digests: dict[str, str]) -> tuple[dict[str, list[str]], object]:
    """Wait for the index; its files for the manifest and its state for the next build."""
    written, state, found = index.wait()
    problems.extend(found)
    if state is not None:
        digests["search"] = hashlib.sha256(state.encode()).hexdigest()
    return written, state


def write_search_state(staging: Path, state: object | None) -> None:
    """`.build/search.json` (`ExtraFiles.search_state`, if any), written with the manifest and
    cache (the commit replaces `.build/` whole, so it is written whenever they are)."""
    from ..search.state import write_state

    if state is not None:
        write_state(staging, state)

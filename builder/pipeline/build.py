"""The pipeline, top to bottom: load -> versions -> Liquid -> Markdown -> layout -> write."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..core import codes
from ..core import progress as prog
from ..core.diagnostics import Diagnostic, Problems
from ..core.urls import output_file
from ..core.errors import ConfigError
from ..core.paths import UnsafePath
from ..output import archives as out_archives
from ..output import writer as out_writer
from ..links.hints import hint_broken_links
from ..output import hosts as out_hosts
from .metas import Metas
from .outcome import page_outcomes
from .shard import (SHARD_STATE, ShardSpec, mirror_state, selection, shard_settings, shard_state, sharded_site_files,
                    shown_pages, site_file_owners)
from .session import BuildSession, anchor_problems
from .results import Output, PageResult
from .site import Site
from .cache import FORMAT, LEGACY_CACHE, BuildCache, builder_digest, frontmatter_records
from .digests import FileDigests
from .extras import check_redirect_template, write_extras, write_search_state, write_shard_extras
from .incremental import Structure, outputs_exist
from .llms import INTROS as LLMS_INTROS, INTROS_DIGEST as LLMS_INTROS_DIGEST, shard_intros
from .records import PageRecord
from .manifest import base_site_warning, extra_digests, source_of, write_manifest
from .workers import build_pages

STEP_HOOKS: list = []
"""Callables run with the name of each step a build reaches ("loaded", "pages-built",
"extras-written"), in order: tests use them to act at an exact moment (edit a source while
the build runs, say). Empty in normal runs."""

PRIMED_FOLDERS = ("content", "data", "templates", "translations")
"""Source folders hashed before the build reads them (with each language's folder)."""


@dataclass
class BuildOptions:
    root: Path = Path(".")
    out: Path | None = None
    versions: list[str] | None = None
    languages: list[str] | None = None
    jobs: int = 0
    """Worker processes; 0 means one per core."""
    keep_going: bool = False
    write: bool = True
    """False for `check`: every check of a build, nothing written."""
    progress: bool = False
    """Show phases on the terminal: the command line installs the display (core/progress.py)."""
    search: bool = True
    markdown: bool = True
    """Each page's Markdown copy (`index.md`) and `llms.txt`/`llms-full.txt` per version and language."""
    changed_since: str | None = None
    incremental: bool = True
    """Reuse the outputs of pages whose inputs did not change since the last build into --out."""
    base_url: str = ""
    """Absolute site URL for sitemap.xml (only sitemap.xml depends on it: not part of the cache key)."""
    previous_label: str | None = None
    """Where the site already in --out came from (the --base-site DIR it was filled from): named
    in `.build/changes.json` and in the warning when its build state cannot be reused."""
    previous_manifest: dict | None = None
    """The manifest of the site already in --out when the caller has read and checked it (a
    preview's base, whose files it just linked into --out): not read a second time."""
    host: str | None = None
    """A host profile (`--host`; builder/output/hosts.py): None: `host:` in `data/site.yml`, else generic."""
    staged: Callable[["Staged"], "bytes | Iterable[bytes] | None"] | None = None
    """Called once the new site is staged, before it is put in place; returns the bytes of
    `.build/changes.json`, whole or in parts made as they are written (the CI layer, builder/ci/,
    computes them)."""
    shard: ShardSpec | None = None
    """Build only shard K of N (builder/pipeline/shard.py); `assemble` merges the shards."""


@dataclass
class Staged:
    """What a build is about to put in place, for the change list."""

    out: Path
    outputs: list[Output]
    extra: dict[str, str]
    """Non-page output path -> digest of its bytes."""
    previous: dict
    """The manifest of the site in --out before this build (checked), {} when none."""
    compared_with: str | None
    site: Site
    metas: Metas


@dataclass
class BuildReport:
    problems: Problems
    pages: int = 0
    outputs: int = 0
    failed: int = 0
    seconds: float = 0.0
    written: bool = False
    out: Path | None = None
    stats: dict[str, int] = field(default_factory=dict)
    reused: int = 0
    """Pages whose outputs were kept from the previous build (nothing they read changed)."""
    translation: dict[str, dict[str, dict[str, list[str]]]] = field(default_factory=dict)
    """Language -> English page rel -> repairs and fallbacks seen while rendering it."""
    external: list = field(default_factory=list)
    """(URL, location, notes, language, version) of every http(s) link of the pages' bodies; only
    collected by a build that writes nothing (`check`, whose `--external` reads them)."""
    outcomes: dict = field(default_factory=dict)
    """`content/<rel>` -> PageOutcome (outcome.py): outputs written and skipped, errors."""
    not_loaded: tuple[str, ...] = ()
    """Pages a `children` list reaches that could not be loaded (`content/<rel>`)."""
    host: str = ""
    """The host profile's account of the site (file count against the limits, rules), or ""."""
    shards: int = 0
    """`assemble`: how many shards were put together."""


def run_build(options: BuildOptions) -> BuildReport:
    started = time.monotonic()
    out = Path(options.out) if options.out else Path(options.root) / "site"
    if options.write:  # before anything reads --out: finish or remove what a killed build left
        out_writer.prepare_output(out)
    state_problems: list[Diagnostic] = []
    previous = old_manifest = None
    digests = FileDigests(Path(options.root))
    if options.write:
        digests.prime(list(PRIMED_FOLDERS))
        if out.is_dir():
            old_manifest = (options.previous_manifest if options.previous_manifest is not None
                            else out_writer.read_manifest(out, state_problems))
            if options.incremental and os.path.lexists(out / out_writer.MANIFEST):  # else not ours (DB605)
                previous = BuildCache.read(out, state_problems)
            if not old_manifest:
                previous = None  # the cache vouches for outputs that the manifest lists
    prog.phase("loading sources")
    session = BuildSession(options.root, options.versions, options.languages, digests=digests,
                           frontmatter=previous.frontmatter_for(digests) if previous else None)
    site = session.site
    archives = out_archives.find_archives(out, state_problems)
    state_problems.extend(site.set_archives(archives))
    problems = session.problems
    problems.extend(state_problems)
    if options.write:
        digests.prime([lang.dir for lang in site.config.languages if lang.dir])
    pages = list(site.tree.pages.values())
    host = out_hosts.resolve(site.config.host, options.host)
    settings = build_settings(site, options, host, archives)
    pages_key = repr(settings)  # what a page's fingerprint starts from: a shard's pages are the whole build's
    options_key = repr(settings + ((str(options.shard),) if options.shard else ()))
    if options.write and not options.changed_since and not options.shard:  # the pages alone over the file limit: before building
        out_hosts.check_early(host, sum(len(site.built_versions(p)) for p in pages) * len(site.languages),
                              options.markdown)
    cache = None
    staging = None
    if options.write:
        if not (archives and not os.path.lexists(out / out_writer.MANIFEST) and out_archives.only_archives(out, archives)):
            out_writer.check_output_dir(out)
        if previous is not None and previous.key == options_key:
            cache = previous
        elif options.previous_label is not None and options.incremental:
            problems.add(base_site_warning(options.previous_label, previous, options_key, out))
        staging = out_writer.new_staging(out)
    share = own_files = None
    base_url = options.base_url or site.config.base_url
    if options.shard:  # its pages, and the whole-site files it writes (see shard.py: site_file_owners)
        files = sharded_site_files(host.name == "generic", base_url)
        share = selection(site, options.shard, files)
        own_files = [name for name, k in site_file_owners(files, options.shard.n).items() if k == options.shard.k]
    # a shard: the titles its pages show (others, if any, when asked)
    metas, structure = session.load_metas(pages_key, cached=cache.metas if cache else None, record=options.write,
                                          pages=None if share is None else shown_pages(site, share))
    if share is not None:
        pages = [p for p in pages if p.rel in share]
    selected = _select_pages(site, options.changed_since, pages)
    reused = _reusable_results(site, structure, cache, out, pages, selected) if cache else {}
    report = BuildReport(problems, pages=len(pages), out=out, reused=len(reused),
                         not_loaded=tuple(sorted(f"content/{rel}" for rel in site.tree.failed)))
    _step("loaded")
    try:
        rels = [p.rel for p in pages if p.rel not in reused and (selected is None or p.rel in selected)]
        results = _run_pages(session, rels, staging, options, share)
        _step("pages-built")
        _raise_output_failure(results)
        results = sorted(results + list(reused.values()), key=lambda r: r.rel)
        prog.phase("checking links")
        outputs = _collect(results, report, problems)
        hint_broken_links(problems, options.root, site.links)  # where a page of a broken link went
        if not options.write and (failed := check_redirect_template(site)) is not None:
            problems.add(failed)
        if options.write and staging is not None:
            built = {o.path for r in results if r.rel not in reused for o in r.outputs}
            # Most pages unchanged: move the new files into the site and keep the rest where they
            # are (unchanged redirects and search bundles too). Otherwise swap in a whole new site.
            in_place = cache is not None and len(reused) * 2 >= len(pages)
            if reused and not in_place:  # the new site needs the unchanged pages too
                linker = out_writer.StagingWriter(staging)
                for result in reused.values():
                    for o in result.outputs:
                        linker.link_from(out, o.path)
                        if o.markdown:
                            linker.link_from(out, o.markdown)
            intros = None
            if share is not None:  # a shard: its search bundles only (assemble writes the rest)
                made = write_shard_extras(
                    site, metas, staging, outputs, problems, search=options.search, changed=built, out=out,
                    in_place=in_place, jobs=options.jobs,
                    previous=cache.extras if in_place else None, host=host, site_files=own_files,
                    base_url=base_url)
                if options.markdown:  # the intros of its llms.txt entries: assemble's to use
                    intros = shard_intros(site, metas, outputs)
                    made.digests[LLMS_INTROS_DIGEST] = hashlib.sha1(intros).hexdigest()
            else:
                made = write_extras(
                    site, metas, staging, outputs, problems, search=options.search, translation=report.translation,
                    previous=cache.extras if in_place else None, changed=built, out=out, base_url=base_url,
                    jobs=options.jobs, partial_redirects=selected is not None and not in_place,
                    markdown=options.markdown, host=host)
            extra, extras_digests = made.files, made.digests
            extra.update((o.markdown, o.sources) for o in outputs if o.markdown)  # recorded like the pages
            _step("extras-written")
            if share is None:  # a shard's part is checked against the host's limits when assembled
                report.host = out_hosts.check_staged(host, problems, [o.path for o in outputs], extra, [staging, out])
            if problems.errors and not options.keep_going:
                out_writer.discard(staging)
            else:
                old_manifest = old_manifest or {}
                digests_of_extras = extra_digests(extra, staging, out, old_manifest, known=made.written)
                source = source_of(options.root, PRIMED_FOLDERS)
                shard_bytes = (shard_state(options.shard, shard_settings(options), digests.snapshot)
                               if options.shard else None)  # a new fingerprint is a change, even with no page
                unchanged = (in_place and not built and cache.extras == extras_digests
                             and (shard_bytes is None or _same_bytes(out / SHARD_STATE, shard_bytes))
                             and set(metas.records) == set(cache.metas)
                             and all(cache.metas[k] is v for k, v in metas.records.items())
                             and out_writer.source_of_manifest(old_manifest) == source  # a new commit: recorded
                             and not os.path.lexists(out / LEGACY_CACHE))  # the commit removes it
                changes = None
                if options.staged is not None:
                    compared = options.previous_label or (str(out) if old_manifest else None)
                    changes = options.staged(Staged(out, outputs, digests_of_extras, old_manifest, compared, site, metas))
                prog.phase("writing the manifest and cache")
                if not unchanged:  # a no-change rebuild keeps the manifest and cache it has
                    write_manifest(site, staging, outputs, extra, digests_of_extras, source)
                    write_search_state(staging, made.search_state)
                    if shard_bytes is not None:
                        out_writer.StagingWriter(staging).write(SHARD_STATE, shard_bytes)
                    if intros is not None:
                        out_writer.StagingWriter(staging).write(LLMS_INTROS, intros)
                    if changes is not None:
                        out_writer.StagingWriter(staging).write(out_writer.CHANGES, changes)
                    # A --changed-since build leaves the pages it did not check as they were: a
                    # cache would vouch for them, so the next build decides afresh.
                    if selected is None:
                        with out_writer.output_errors(out, "write the build cache next to"):
                            _save_cache(site, structure, digests, metas, cache, results, reused, options_key,
                                        extras_digests, staging)
                    if options.shard:  # found by an assembly of the shards merged into one folder
                        mirror_state(staging, options.shard)
                prog.phase("putting the new site in place")
                archived = set(out_archives.archive_files(out, archives))  # never removed nor replaced
                if in_place:
                    ours = set(out_writer.manifest_paths(old_manifest))
                    now = {o.path for o in outputs} | set(extra)
                    out_writer.commit_incremental(staging, out, sorted(ours - now - archived))
                else:
                    keep = sorted(set(out_writer.foreign_files(out, old_manifest)) | archived)
                    out_writer.swap_in(staging, out, keep)
                if unchanged and changes is not None:
                    with out_writer.output_errors(out, "write the change list into", "the site is up to date"):
                        out_writer.replace_state_file(out, out_writer.CHANGES, changes)
                report.written = True
            staging = None
    except UnsafePath as err:  # the writer's second wall: a path the policy should have refused earlier
        problems.add(Diagnostic(codes.INTERNAL, f"internal error: {err}; nothing was written", None))
        report.written = False
    finally:
        if staging is not None:
            out_writer.discard(staging)
    report.seconds = time.monotonic() - started
    return report


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def build_settings(site: Site, options: BuildOptions, host, archives) -> tuple:
    """What every page's output depends on besides its sources: the languages, versions and
    settings of the build. A page's fingerprint starts from it (so a shard records the
    fingerprint a whole build would, and `assemble` keeps the shard's record as it was written);
    a shard's cache key adds the shard (`--shard 1/8`'s cache is never shard 2/8's)."""
    return ((
        [lang.code for lang in site.languages], [v.id for v in site.versions], options.search,
        FORMAT, options.markdown, builder_digest(), out_archives.signature(archives))
        + ((repr(host),) if host.name != "generic" else ()))


def _step(name: str) -> None:
    for hook in list(STEP_HOOKS):
        hook(name)


def _save_cache(site: Site, structure: Structure, digests: FileDigests, metas: Metas, cache: BuildCache | None,
                results: list[PageResult], reused: dict[str, PageResult], options_key: str,
                extras_digests: dict[str, str], staging: Path, lines: dict | None = None) -> None:
    """The cache for the next build. Files hashed after this build may have read them are hashed
    again first: one that changed meanwhile gets a digest no file has, so what read it is built
    again next time (the primed folders' digests were taken before anything read them).
    `lines`: records as read (`BuildCache.lines`) to write again where the new ones equal them;
    by default the last cache's."""
    changed = digests.recheck()
    records = {key: record for key, record in metas.records.items()
               if not any(path in changed for path, _ in record.deps)}
    new_cache = BuildCache(options_key, extras=extras_digests, metas=records, site_key=structure.site_key,
                           frontmatter=frontmatter_records(site.tree.frontmatter, digests), code=builder_digest())
    if lines is not None or cache is not None:
        new_cache.lines = lines if lines is not None else cache.lines
    for result in results:
        old = cache.pages[result.rel] if result.rel in reused else None
        new_cache.pages[result.rel] = old or PageRecord(
            structure.fingerprint(site.tree.pages[result.rel], result), result)
    new_cache.files = dict(digests.current)  # after the fingerprints, which ask for more files
    new_cache.save(staging)


def _raise_output_failure(results: list[PageResult]) -> None:
    """A page that could not be written: the output folder is unusable (exit status 2)."""
    for result in results:
        for problem in result.problems:
            if problem.code == codes.CONFIG_OUTPUT:
                raise ConfigError(problem)


def _collect(results: list[PageResult], report: BuildReport, problems: Problems) -> list[Output]:
    outputs: list[Output] = []
    anchors: dict[tuple[str, str, str], tuple[str, ...]] = {}
    stats: dict[str, int] = {}
    for result in results:
        problems.extend(result.problems)
        outputs.extend(result.outputs)
        report.external.extend(getattr(result, "external", ()))  # results cached by older builders have none
        report.failed += result.failed
        for key, ids in result.anchors.items():
            anchors[(result.rel, *key)] = ids
        for key, value in result.stats.items():
            stats[key] = stats.get(key, 0) + value
        for code, events in result.translation.items():
            report.translation.setdefault(code, {})[result.rel] = events
    problems.extend(anchor_problems((c for r in results for c in r.fragments), anchors.get))
    report.outputs = len(outputs)
    report.stats = stats
    report.outcomes = page_outcomes(results)
    return outputs


def _reusable_results(site: Site, structure: Structure, cache: BuildCache, out: Path, pages,
                      selected: set[str] | None) -> dict[str, PageResult]:
    """Pages whose inputs are unchanged since the cached build: their outputs stay as they are.
    With --changed-since, the pages it does not select stay as they are too."""
    reused: dict[str, PageResult] = {}
    changed = _changed_outside_structure(site, structure, cache)
    for page in pages:
        record = cache.pages.get(page.rel)
        if record is None:
            continue
        result = record.result
        if result.failed or any(d.is_error for d in result.problems):
            continue
        if selected is not None and page.rel not in selected:
            pass
        elif changed is not None:
            # Only files that no title, navigation or link depends on changed: a page is
            # unchanged unless it read one of them.
            if page.src in changed or any(not changed.isdisjoint(o.sources) for o in result.outputs):
                continue
        elif structure.fingerprint(page, result) != record.fingerprint:
            continue
        if not _made_by(site, page, result) or not outputs_exist(out, result):
            continue
        reused[page.rel] = result
    return reused


def _made_by(site: Site, page, result: PageResult) -> bool:
    """Whether a cached result is one `page` makes: its outputs are the page's own files, in
    languages and versions it is built in. A record edited to name other files or versions is
    not reused (the page is built again)."""
    if result.rel != page.rel:
        return False
    languages = {lang.code for lang in site.languages}
    versions = {v.id: v for v in site.built_versions(page)}
    for o in result.outputs:
        version = versions.get(o.version)
        if (version is None or o.page != page.rel or o.lang not in languages
                or o.path != output_file(o.lang, version, page.url)):
            return False
    return True


def _changed_outside_structure(site: Site, structure: Structure, cache: BuildCache) -> set[str] | None:
    """The files changed since the cached build when none of them can change the site's
    structure (pages and their frontmatter, translations, titles and intros, features, versions,
    templates); None when one can, and every page's fingerprint must be checked."""
    if cache.site_key != structure.site_key or set(cache.pages) != set(site.tree.pages):
        return None
    if not all((lang.code, rel) in cache.metas for lang in site.languages for rel in site.tree.pages):
        return None  # a title failed last time: what it reads is unknown
    digests = structure.digests
    changed = {rel for rel, sha in cache.files.items() if digests.digest(rel) != sha}
    if any(rel.startswith("content/") or "/content/" in rel or rel.startswith("data/features/") for rel in changed):
        return None
    for record in cache.metas.values():
        if any(path in changed for path, _ in record.deps):
            return None
    return changed


def _select_pages(site: Site, ref: str | None, pages) -> set[str] | None:
    if not ref:
        return None
    from .changed import affected_pages

    return affected_pages(site, ref, pages)


def _run_pages(session: BuildSession, rels: list[str], staging: Path | None, options: BuildOptions,
               share: dict[str, frozenset[str]] | None = None) -> list[PageResult]:
    builder = session.builder
    builder.languages_of = share
    builder.markdown = options.markdown and options.write  # `check` writes nothing
    builder.external = not options.write  # read by `check --external` only
    prog.phase("rendering pages", len(rels))
    return build_pages(builder, rels, staging, options.jobs or os.cpu_count() or 1, options.search)

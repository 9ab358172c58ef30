"""`assemble`: the shards' pages put together, and every whole-site file written as one build would.

The shards' outputs, Markdown copies and search bundles are linked (hard links, copies where the
file system cannot) into a staging folder; each page's results (problems, anchors, fragment
checks, translation events) come from the shards' build caches and are merged; then the writers
a single build calls write the whole-site files (assets, root redirect, 404 page, versions.json,
redirects, sitemap, translation status, llms.txt, search entry points; the sitemap and redirect
files one shard wrote from the same inputs are linked), the manifest, the search state, the
change list and the build cache, and the staging folder becomes the site.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..links.outputs import HOST_FILES, SiteRedirects
from ..output import archives as out_archives
from ..output import hosts as out_hosts
from ..output import writer as out_writer
from ..search.state import SearchState, read_state
from .build import (PRIMED_FOLDERS, BuildOptions, BuildReport, Staged, _collect, _save_cache, _step, build_settings)
from .alongside import Alongside
from .cache import BuildCache
from .digests import FileDigests
from .extras import assembled_llms, write_extras, write_search_state
from .incremental import Structure
from .llms import read_intros
from .manifest import extra_digests, source_of, write_manifest
from .metas import Metas
from .records import PageRecord
from .results import Compactor, PageResult
from .shard import (SITE_REDIRECTS, SITE_SITEMAP, SITE_STUBS, fingerprint, merge_results, shard_settings,
                    site_outputs)
from .site import Site


def run_assemble(options: BuildOptions, shards: list[Path], check_sources: Callable[[str], None],
                 in_place: bool = False) -> BuildReport:
    """Assemble `shards` (checked, in K order) into options.out. `check_sources` is called with
    the fingerprint of --root and the settings (it raises when it is not the shards'). `in_place`:
    the shards' files were merged into options.out already, and `shards` are their state folders
    (pipeline/shard.py: MERGED_STATES); only the whole-site files are written, and the change list
    compares with options.previous_manifest (the last site, if given)."""
    started = time.monotonic()
    out = Path(options.out)
    out_writer.prepare_output(out)
    # the shards' manifests (100,000s of entries) read by a forked process while this one reads
    # their caches: only what `_link_shards` needs of them comes back
    manifests = Alongside(lambda: [_manifest_files(folder, not in_place) for folder in shards],
                          forked=options.jobs != 1)
    try:
        return _assemble(options, shards, check_sources, in_place, started, manifests)
    finally:
        manifests.cancel()


def _assemble(options: BuildOptions, shards: list[Path], check_sources: Callable[[str], None], in_place: bool,
              started: float, manifests: Alongside) -> BuildReport:
    """`run_assemble`'s work, the shards' manifests being read alongside (`manifests`)."""
    out = Path(options.out)
    state_problems: list = []
    digests = FileDigests(Path(options.root))
    digests.prime(list(PRIMED_FOLDERS))
    if in_place:
        old_manifest = options.previous_manifest or {}
    else:
        old_manifest = out_writer.read_manifest(out, state_problems) if out.is_dir() else {}
    caches: list[BuildCache] = []
    lines: dict[tuple, tuple[object, str]] = {}  # records as the shards wrote them: written again when equal
    compact = Compactor()
    seen: dict = {}  # the shards' frontmatter and title records: most are in every shard's cache alike
    for folder in shards:
        cache = BuildCache.read(folder, state_problems, seen, outputs_here=not in_place)
        if cache is None:
            from ..core import codes
            from ..core.diagnostics import Diagnostic
            from ..core.errors import ConfigError

            raise ConfigError(Diagnostic(codes.SHARD_NOT_A_SHARD, f"{folder} is not a complete build shard: its "
                                         "build cache (.build/cache.json) is missing or unusable; build it again",
                                         None))
        lines.update(cache.lines)  # a page built in parts by two shards: made again, below
        cache.lines = {}
        for record in cache.pages.values():  # what a single build keeps of each page, shared alike
            compact(record.result)
        caches.append(cache)
    seen.clear()
    site = Site(options.root, options.versions, options.languages, frontmatter=caches[0].frontmatter_for(digests))
    digests.prime([lang.dir for lang in site.config.languages if lang.dir])
    check_sources(fingerprint(shard_settings(options), digests.snapshot))
    archives = out_archives.find_archives(out, state_problems)
    state_problems.extend(site.set_archives(archives))
    problems = site.problems
    problems.extend(state_problems)
    host = out_hosts.resolve(site.config.host, options.host)
    options_key = repr(build_settings(site, options, host, archives))
    if not in_place and not (archives and not os.path.lexists(out / out_writer.MANIFEST)
                             and out_archives.only_archives(out, archives)):
        out_writer.check_output_dir(out)
    metas = Metas(site, cached=_merged_metas(caches), digests=digests)
    for lang in site.languages:
        for page in site.tree.pages.values():
            metas.get(lang, page, "")
    problems.extend(metas.problems)
    parts: dict[str, list[PageResult]] = {}
    whole: dict[str, PageRecord] = {}  # pages one shard built in every language: its record is the site's
    for cache in caches:
        for rel, record in cache.pages.items():
            if rel in site.tree.pages:
                parts.setdefault(rel, []).append(record.result)
                whole[rel] = record
    languages = [lang.code for lang in site.languages]
    results = [merge_results(parts[rel], languages) for rel in sorted(parts)]
    for rel, found in parts.items():
        if len(found) > 1:  # its shards' records are of parts of it
            lines.pop(("page", rel), None)
            del whole[rel]
    report = BuildReport(problems, pages=len(site.tree.pages), out=out, shards=len(shards))
    staging = out_writer.new_staging(out)
    llms = manifest = checked = changes = status = None
    try:
        outputs = _collect(results, report, problems)
        if len(site.config.languages) > 1:  # reads every translation and its history: alongside
            from ..i18n.status_page import statuses

            status = Alongside(lambda: statuses(site, report.translation or {}), forked=options.jobs != 1)

        def start_llms():  # once every Markdown copy is where it is read: in place already, or linked
            return assembled_llms(site, metas, staging, outputs, options.base_url, out if in_place else staging,
                                  read_intros(shards), options.jobs, host) if options.markdown else None

        llms = start_llms() if in_place else None
        present = _InPlace(out) if in_place else None
        search_old, shard_files = _link_shards(staging, shards, caches, manifests.result(), options.search,
                                               present)
        if present is not None:  # 100,000s of files: looked at by a forked process while this one goes on
            checked = Alongside(present.first_missing, forked=options.jobs != 1)
        llms = llms or start_llms()
        _step("loaded")
        made = write_extras(
            site, metas, staging, outputs, problems, search=options.search, translation=report.translation,
            previous=None, changed=None, out=out, base_url=options.base_url, jobs=options.jobs,
            markdown=options.markdown, search_old=search_old, host=host,
            prebuilt=shard_files.stubs, assembled_in=out if in_place else staging, llms=llms,
            prebuilt_files=shard_files.host_files, prebuilt_sitemap=shard_files.sitemap, status=status,
            whole_redirects=_whole_redirects(site, caches, outputs))
        extra, extras_digests = made.files, made.digests
        report.host = out_hosts.check_staged(host, problems, [o.path for o in outputs], extra, [staging, out])
        extra.update((o.markdown, o.sources) for o in outputs if o.markdown)
        _step("extras-written")
        if problems.errors and not options.keep_going:
            return _done(report, started)
        shard_files.forget_unused(extras_digests)
        shard_files.digests.update(made.written)  # and the files written here
        digests_of_extras = extra_digests(extra, staging, out, old_manifest, known=shard_files.digests)
        shard_files = None  # 100,000s of paths: not held while the manifest and cache are written
        source = source_of(options.root, PRIMED_FOLDERS)
        # written alongside the change list and the cache (it needs nothing they make)
        manifest = Alongside(lambda: write_manifest(site, staging, outputs, extra, digests_of_extras, source),
                             forked=options.jobs != 1)
        if options.staged is not None:  # a change a line for every file: written alongside too
            compared = (options.previous_label if in_place else str(out)) if old_manifest else None
            staged = Staged(out, outputs, digests_of_extras, old_manifest, compared, site, metas)
            changes = Alongside(lambda: out_writer.StagingWriter(staging).write(out_writer.CHANGES,
                                                                                 options.staged(staged)),
                                forked=options.jobs != 1)
        write_search_state(staging, made.search_state)
        structure = Structure(site, metas, digests, options_key)
        with out_writer.output_errors(out, "write the build cache next to"):
            # a whole page's record is kept (its fingerprint is the one a single build computes: see
            # build_settings), a page built in parts gets its record made again; the files the
            # kept fingerprints read are in the cache's file list, as a single build's
            for rel, record in whole.items():
                for src in {site.tree.pages[rel].src}.union(*(o.sources for o in record.result.outputs)):
                    digests.digest(src)
            _save_cache(site, structure, digests, metas, BuildCache(options_key, pages=whole), results, whole,
                        options_key, extras_digests, staging, lines=lines)
        manifest.result()
        if changes is not None:
            changes.result()
        if checked is not None:
            missing = checked.result()
            if missing is not None:
                raise _missing(out, missing)
        if in_place:  # the pages are in place: the whole-site files and .build/ move in
            out_writer.commit_incremental(staging, out, [])
        else:
            archived = set(out_archives.archive_files(out, archives))
            keep = sorted(set(out_writer.foreign_files(out, old_manifest)) | archived)
            out_writer.swap_in(staging, out, keep)
        report.written = True
        staging = None
    finally:
        for work in (llms, manifest, checked, changes, status):  # done by now, unless the assembly failed first
            if work is not None:
                work.cancel()
        if staging is not None:
            out_writer.discard(staging)
    return _done(report, started)


def _done(report: BuildReport, started: float) -> BuildReport:
    report.seconds = time.monotonic() - started
    return report


def _whole_redirects(site: Site, caches: list[BuildCache], outputs) -> SiteRedirects | None:
    """What the shard that wrote the generic host's redirect files recorded of the whole site's
    redirect map, when its pages are the ones assembled (the map the shards computed is then
    this site's: `write_redirects` takes their stubs without computing it again); else None."""
    for cache in caches:
        digest, count = cache.extras.get(SITE_REDIRECTS), cache.extras.get(SITE_STUBS, "")
        if digest and count.isdigit():
            return SiteRedirects(digest, int(count)) if {o.path for o in outputs} == site_outputs(site) else None
    return None


def _merged_metas(caches: list[BuildCache]) -> dict:
    """The titles and intros the shards computed (each those its pages show): the same page's
    record is the same in every shard that has it."""
    merged: dict = {}
    for cache in caches:
        merged.update(cache.metas)
    return merged


@dataclass
class ShardFiles:
    """What the shards' manifests say of their files besides pages: the redirect stubs they wrote
    (those leading to their pages: stub -> its shard's folder, linked when the whole site's map
    has it), the whole-site files one of them wrote (see shard.py `site_file_owners`: linked
    when made from what the site's are), and the digest of every such file (stubs, Markdown
    copies, search bundles, whole-site files: linked, not hashed again)."""
    stubs: dict[str, Path | None] = field(default_factory=dict)
    """Stub -> the shard folder to link it from (None: in place already, `assemble --in-place`)."""
    digests: dict[str, str] = field(default_factory=dict)
    host_files: dict[str, tuple[Path | None, str]] = field(default_factory=dict)
    """Redirect file -> (its shard's folder, the digest of the redirects it was made from)."""
    sitemap: tuple[Path | None, str] | None = None
    """(The folder of the shard that wrote the sitemap, what its `write_sitemap` returned)."""

    def add(self, folder: Path | None, files: list[tuple[str, str]], pages: set[str],
            extras: dict[str, str]) -> list[str]:
        """A shard's files besides pages (`_manifest_files`) and its cache's extras digests;
        returns its stubs and whole-site files."""
        found = []
        for rel, digest in files:
            if rel in pages:
                continue
            self.digests[rel] = digest
            if rel.endswith("index.html"):
                self.stubs[rel] = folder
                found.append(rel)
            elif rel in HOST_FILES and SITE_REDIRECTS in extras:
                self.host_files[rel] = (folder, extras[SITE_REDIRECTS])
                found.append(rel)
            elif rel == "sitemap.xml" and SITE_SITEMAP in extras:
                self.sitemap = (folder, extras[SITE_SITEMAP])
                found.append(rel)
            elif rel.startswith("sitemap-") and SITE_SITEMAP in extras:
                found.append(rel)
        return found

    def forget_unused(self, made: dict[str, str]) -> None:
        """The whole-site files `assemble` wrote itself, the site's being made from other inputs
        than the shard's (`made`: the site's extras digests): hashed, not taken from the shard."""
        for name, (_folder, digest) in self.host_files.items():
            if digest != made.get("redirects"):
                self.digests.pop(name, None)
        if self.sitemap is not None and self.sitemap[1] != made.get("sitemap"):
            for name in [n for n in self.digests if n == "sitemap.xml" or n.startswith("sitemap-")]:
                del self.digests[name]


def _manifest_files(folder: Path, outputs_here: bool) -> list[tuple[str, str]]:
    """(path, digest) of each file a shard's manifest lists besides its pages (stubs, search
    bundles, whole-site files); none when the manifest is missing or cannot be trusted (its
    files are then not linked: `assemble` writes them)."""
    manifest = out_writer.read_manifest(folder, outputs_here=outputs_here)
    outputs = manifest.get("outputs", {})
    found = []
    for rel in manifest.get("extra_outputs", ()):
        entry = outputs.get(rel)
        digest = entry.get("digest") if isinstance(entry, dict) else None
        if isinstance(digest, str) and digest:
            found.append((rel, digest))
    return found


def _link_shards(staging: Path, shards: list[Path], caches: list[BuildCache], manifests: list[list[tuple[str, str]]],
                 search: bool, present: "_InPlace | None" = None) -> tuple[SearchState | None, ShardFiles]:
    """Link every shard's pages, Markdown copies and search bundles into `staging` (with
    `present`, the shards' files were merged into --out: they are noted there, to be checked);
    the shards' search states merged (None without search), and what their manifests say of
    their other files (`manifests`: `_manifest_files` of each shard; the redirect stubs are
    linked later: those the whole site's redirect map has)."""
    writer = out_writer.StagingWriter(staging)
    place = writer.link_from if present is None else present
    merged = None if present is None else present.root
    state = SearchState() if search else None
    files = ShardFiles()
    for folder, cache, listed in zip(shards, caches, manifests):
        pages: set[str] = set()
        for record in cache.pages.values():
            for o in record.result.outputs:
                pages.add(o.path)
                if not place(folder, o.path):
                    raise _missing(merged or folder, o.path)
                if o.markdown and present is None:  # linked where there is one
                    place(folder, o.markdown)
        stubs = files.add(folder if merged is None else None, listed, pages, cache.extras)
        for rel in stubs if merged is not None else ():  # in place: there (linked later otherwise)
            if not place(folder, rel):
                raise _missing(merged, rel)
        if state is not None:
            found = read_state(folder, [])
            if found is None:
                continue
            state.pages.update(found.pages)
            for shard, info in found.shards.items():
                state.shards[shard] = info
                for rel in info.get("files", ()):
                    if not place(folder, rel):
                        raise _missing(merged or folder, rel)
    return state, files


def _missing(where: Path, rel: str) -> out_writer.OutputFailure:
    return out_writer.OutputFailure(f"cannot assemble: {where}/{rel} is missing from its shard; build the shard "
                                    "again (or, in place, download it again)")


class _InPlace:
    """`link_from` for shards merged into `root` (`assemble --in-place`): nothing is linked; each
    file is noted, and `first_missing` checks that every one is there, a regular file. Every
    path noted passed the path policy when the shard's cache, manifest or search state that
    names it was read (`_check_paths`, `read_manifest`, `read_state`)."""

    def __init__(self, root: Path):
        self.root = root
        self.paths: list[str] = []

    def __call__(self, _folder: Path, rel: str) -> bool:
        self.paths.append(rel)
        return True

    def first_missing(self) -> str | None:
        """The first file noted that is not a regular file under the root, or None."""
        root = str(self.root)
        for rel in self.paths:
            try:
                if stat.S_ISREG(os.lstat(os.path.join(root, rel)).st_mode):
                    continue
            except OSError:
                pass
            return rel
        return None

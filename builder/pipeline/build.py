"""The pipeline, top to bottom: load -> versions -> Liquid -> Markdown -> layout -> write."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Problems, Severity
from ..output import writer as out_writer
from .metas import Metas
from .pages import Output, PageBuilder, PageResult
from .site import Site
from .extras import write_extras


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
    search: bool = True
    changed_since: str | None = None


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
    translation: dict[str, dict[str, dict[str, list[str]]]] = field(default_factory=dict)
    """Language -> English page rel -> repairs and fallbacks seen while rendering it."""

    @property
    def exit_status(self) -> int:
        return 1 if self.problems.errors else 0


class _Progress:
    def __init__(self, total: int, enabled: bool):
        self.total = total
        self.enabled = enabled and total > 0
        self.done = 0
        self.last = 0.0
        self.start = time.monotonic()

    def step(self) -> None:
        self.done += 1
        now = time.monotonic()
        if self.enabled and (now - self.last > 0.1 or self.done == self.total) and now - self.start > 0.3:
            self.last = now
            sys.stderr.write(f"\r  building pages {self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.done and time.monotonic() - self.start > 0.3:
            sys.stderr.write("\n")


# Worker processes inherit the loaded site by fork; each builds whole pages.
_WORKER: dict = {}


def _init_worker(staging: str | None) -> None:
    builder = _WORKER["builder"]
    writer = out_writer.StagingWriter(Path(staging)) if staging else None
    _WORKER["write"] = writer.write if writer else (lambda _path, _html: None)
    _WORKER["builder"] = builder


def _build_one(rel: str) -> PageResult:
    builder: PageBuilder = _WORKER["builder"]
    page = builder.site.tree.pages[rel]
    try:
        return builder.build(page, _WORKER["write"])
    except Exception as err:  # an internal failure: report the page, never a traceback
        result = PageResult(rel)
        result.problems.append(Diagnostic(
            codes.INTERNAL, f"internal error while building content/{rel}: {type(err).__name__}: {err}", None))
        result.failed = 1
        result.stats["internal"] = 1
        return result


def run_build(options: BuildOptions) -> BuildReport:
    started = time.monotonic()
    site = Site(options.root, options.versions, options.languages)
    problems = site.problems
    metas = Metas(site)
    pages = list(site.tree.pages.values())
    for lang in site.languages:
        for page in pages:
            metas.get(lang, page, "")
    problems.extend(metas.problems)

    out = Path(options.out) if options.out else site.root / "site"
    staging = None
    if options.write:
        out_writer.check_output_dir(out)
        staging = out_writer.new_staging(out)
    report = BuildReport(problems, pages=len(pages), out=out)
    try:
        results = _run_pages(site, metas, [p.rel for p in pages], staging, options)
        outputs: list[Output] = []
        anchors: dict[tuple[str, str, str], set[str]] = {}
        stats: dict[str, int] = {}
        for result in results:
            problems.extend(result.problems)
            outputs.extend(result.outputs)
            report.failed += result.failed
            for key, ids in result.anchors.items():
                anchors[(result.rel, *key)] = ids
            for key, value in result.stats.items():
                stats[key] = stats.get(key, 0) + value
            for code, events in result.translation.items():
                report.translation.setdefault(code, {})[result.rel] = events
        for result in results:
            for check in result.fragments:
                ids = anchors.get((check.target, check.lang, check.version))
                if ids is not None and check.fragment not in ids:
                    problems.add(Diagnostic(
                        codes.LINK_ANCHOR,
                        f"link {check.href!r}: content/{check.target} has no heading or element with id "
                        f"{check.fragment!r} in {check.version}",
                        check.location, Severity.WARNING, versions=(check.version,)))
        report.outputs = len(outputs)
        report.stats = stats
        if options.write and staging is not None:
            extra = write_extras(site, metas, staging, outputs, problems, search=options.search,
                                 translation=report.translation)
            _write_manifest(site, staging, outputs, extra)
            if problems.errors and not options.keep_going:
                out_writer.discard(staging)
            else:
                keep = out_writer.foreign_files(out, out_writer.read_manifest(out))
                out_writer.swap_in(staging, out, keep)
                report.written = True
            staging = None
    finally:
        if staging is not None:
            out_writer.discard(staging)
    report.seconds = time.monotonic() - started
    return report


def _run_pages(site: Site, metas: Metas, rels: list[str], staging: Path | None, options: BuildOptions) -> list[PageResult]:
    jobs = options.jobs or os.cpu_count() or 1
    builder = PageBuilder(site, metas)
    _WORKER["builder"] = builder
    progress = _Progress(len(rels), options.progress)
    results: list[PageResult] = []
    staging_text = str(staging) if staging else None
    try:
        if jobs <= 1 or len(rels) < 8 or "fork" not in multiprocessing.get_all_start_methods():
            _init_worker(staging_text)
            for rel in rels:
                results.append(_build_one(rel))
                progress.step()
        else:
            ctx = multiprocessing.get_context("fork")
            chunk = max(1, min(16, len(rels) // (jobs * 8)))
            with ctx.Pool(jobs, initializer=_init_worker, initargs=(staging_text,)) as pool:
                for result in pool.imap_unordered(_build_one, rels, chunksize=chunk):
                    results.append(result)
                    progress.step()
    finally:
        progress.close()
    results.sort(key=lambda r: r.rel)
    return results


def _write_manifest(site: Site, staging: Path, outputs: list[Output], extra: dict[str, list[str]]) -> None:
    manifest = {
        "format": 1,
        "outputs": {
            o.path: {"sources": o.sources, "language": o.lang, "version": o.version, "page": "content/" + o.page,
                     "targets": ["content/" + t for t in o.targets]}
            for o in sorted(outputs, key=lambda o: o.path)
        },
        "extra_outputs": sorted(extra),
    }
    for path, sources in sorted(extra.items()):
        manifest["outputs"].setdefault(path, {"sources": sources})
    manifest["extra_outputs"] = sorted(extra)
    target = staging / out_writer.MANIFEST
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")

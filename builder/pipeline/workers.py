"""The pages built by worker processes: forked from the loaded build (they inherit the site),
each builds whole pages, writes their files into the staging folder and sends back their
results (what the manifest, the cache and the reports need of each page).

The workers are a `concurrent.futures.ProcessPoolExecutor`: a worker that dies (the kernel's
out-of-memory killer, a `kill -9`, a crash) breaks the pool, and the build stops at once with
DB606, where `multiprocessing.Pool` waited forever for the pages that worker had taken. With
`--jobs 1`, a few dozen pages, or no `fork`, the pages are built in the build's own process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..core import codes
from ..core import progress as prog
from ..core.diagnostics import Diagnostic
from ..core.errors import ConfigError
from ..output import faults as out_faults
from ..output import writer as out_writer
from ..output.commit import signals_deferred
from ..search.site_index import indexed_digest
from .pages import PageBuilder
from .results import Compactor, PageResult

_WORKER: dict = {}
"""What a worker builds with: the page builder, the build's pid, whether search is on (set by
`build_pages` before the workers fork), the write function and what it recorded."""

POOL_FROM = 32
"""Fewer pages than this are built in the build's own process: starting workers costs more
than a few dozen pages (a rebuild after an edit)."""


class WorkerLost(ConfigError):
    """A worker process ended without its pages' results: nothing is written (exit status 2)."""

    def __init__(self, jobs: int):
        super().__init__(Diagnostic(codes.WORKER_LOST, (
            "a worker process building pages ended abruptly (killed by the system, most often for lack "
            f"of memory, or by a signal); nothing was written, the previous site is unchanged; build "
            f"again, with fewer workers (--jobs {max(1, jobs - 1)}) if memory is short"), None))


def build_pages(builder: PageBuilder, rels: list[str], staging: Path | None, jobs: int,
                search: bool) -> list[PageResult]:
    """The results of building `rels` (sorted by page), their files written into `staging`."""
    _WORKER["builder"] = builder
    _WORKER["parent"] = os.getpid()
    _WORKER["search"] = search
    compact = Compactor()  # what the main process keeps of each page, until the build ends
    staging_text = str(staging) if staging else None
    if jobs > 1 and len(rels) >= POOL_FROM and "fork" in multiprocessing.get_all_start_methods():
        results = _in_workers(rels, staging_text, jobs, compact)
    else:
        init_worker(staging_text)
        results = [_page_done(compact(build_one(rel))) for rel in rels]
    results.sort(key=lambda r: r.rel)
    return results


def _in_workers(rels: list[str], staging: str | None, jobs: int, compact: Compactor) -> list[PageResult]:
    """`rels` built by `jobs` forked workers, a few pages to a task, results taken as they come."""
    chunk = max(1, min(16, len(rels) // (jobs * 8)))
    results: list[PageResult] = []
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=init_worker,
                               initargs=(staging, True))
    try:
        pending = {pool.submit(_build_some, rels[i:i + chunk]) for i in range(0, len(rels), chunk)}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                results.extend(_page_done(compact(result)) for result in future.result())
    except BrokenProcessPool:
        raise WorkerLost(jobs) from None
    finally:
        # Interrupted, or a worker lost: the tasks not started are dropped, and the build waits
        # for those under way (a second or two), so that no worker writes into a staging folder
        # being removed. A second signal (`timeout` sends two) waits too: cut short, the workers
        # would never be told to end, and the build would never exit.
        with signals_deferred("interrupted; the previous site was left as it was"):
            pool.shutdown(wait=True, cancel_futures=True)
    return results


def init_worker(staging: str | None, pool: bool = False) -> None:
    """Set up the process that builds pages (a worker, or the build's own with `pool` False)."""
    if pool:  # interruption is the parent's to handle: it discards the staging folder
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        out_writer.die_with_parent(_WORKER["parent"])
    writer = out_writer.StagingWriter(Path(staging)) if staging else None
    digests: dict[str, str] = {}
    written: dict[str, bytes] = {}
    _WORKER["digests"], _WORKER["written"] = digests, written
    keep = bool(_WORKER.get("search"))

    def write(path: str, data: str | bytes) -> None:
        data = data.encode("utf-8") if isinstance(data, str) else data
        writer.write(path, data)
        digests[path] = out_writer.digest_of(data)
        if keep:  # until `build_one` has taken the search digest of it
            written[path] = data

    _WORKER["write"] = write if writer else (lambda _path, _html: None)


def _build_some(rels: list[str]) -> list[PageResult]:
    """A worker's task: a few pages."""
    return [build_one(rel) for rel in rels]


def build_one(rel: str) -> PageResult:
    """One page built and written; its problems (an internal failure included) in its result."""
    builder: PageBuilder = _WORKER["builder"]
    page = builder.site.tree.pages[rel]
    try:
        result = builder.build(page, _WORKER["write"])
        digests, written = _WORKER["digests"], _WORKER["written"]
        space = builder.site.config.space
        for o in result.outputs:  # the worker encodes the manifest entries
            o.digest = digests.pop(o.path, "")
            digests.pop(o.markdown, None)
            data = written.pop(o.path, None)
            if data is not None:
                o._indexed = indexed_digest(data, o.lang, space.by_id[o.version].segment)
        written.clear()
        return result
    except out_writer.OutputFailure as err:  # the output folder, not the page: exit status 2
        result = PageResult(rel)
        result.problems.extend(err.diagnostics)
        result.failed = 1
        return result
    except Exception as err:  # an internal failure: report the page, never a traceback
        result = PageResult(rel)
        result.problems.append(Diagnostic(
            codes.INTERNAL, f"internal error while building content/{rel}: {type(err).__name__}: {err}", None))
        result.failed = 1
        result.stats["internal"] = 1
        return result


def _page_done(result: PageResult) -> PageResult:
    """`result`, once its page is counted as done."""
    out_faults.step("page")  # a page's result is back in the main process (tests stop builds here)
    prog.advance()
    return result

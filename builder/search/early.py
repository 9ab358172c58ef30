"""Search shards indexed while the other pages still render.

The search step used to start after every page was rendered, while the site-wide files
(redirects, sitemap, llms.txt, the manifest) kept one core busy and the other idle. A shard's
records depend only on its own pages' outputs (its pages are planned before rendering:
`plan_shards`), so as soon as the last page of a shard is back from the workers the shard is
handed to a background Pagefind service. `SiteIndex.run` then only indexes the shards that
could not start early (a page that failed, a page this build did not render) and takes the
others' bundles as they are: a shard indexed early has the same records, key and bytes as one
indexed late (the key covers everything a bundle is made of).
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

from .service import Service, ShardJob, executable
from .shards import RECORDS_IN_FLIGHT
from .site_index import IndexedPage, SiteIndex, _shard_key
from .state import SearchState


class EarlyIndex:
    """Indexes the shards whose pages are all rendered, in background threads (one Pagefind
    service each), while the build goes on. `finish()` waits for them."""

    def __init__(self, staging: Path, out: Path | None, jobs: int, plan: dict[str, dict[str, str]],
                 shards_of: dict[str, list[str]], old: SearchState | None):
        """`shards_of`: page rel -> the shards (`<lang>/<name>`) of its outputs, for the pages
        this build renders. A shard starts early only if every page the plan puts in it is one."""
        self.staging, self.out, self.plan, self.old = staging, out, plan, old
        self.workers = max(1, jobs or os.cpu_count() or 1)
        planned: dict[str, int] = {}
        for lang, where in plan.items():
            for name in where.values():
                planned[f"{lang}/{name}"] = planned.get(f"{lang}/{name}", 0) + 1
        rendered: dict[str, int] = {}
        for shards in shards_of.values():
            for shard in shards:
                rendered[shard] = rendered.get(shard, 0) + 1
        self.shards_of = shards_of
        self.waiting = {s: n for s, n in rendered.items() if planned.get(s) == n}
        self.pages: dict[str, list[IndexedPage]] = {}
        self.written: dict[str, tuple[str, ShardJob]] = {}
        """shard -> key of the bundle written into staging."""
        self.errors: list[BaseException] = []
        self.todo: queue.Queue = queue.Queue()
        self.threads: list[threading.Thread] = []
        self.flight = threading.Condition()
        self.in_flight = 0
        self.stopped = False

    def page_done(self, rel: str, pages: list[IndexedPage]) -> None:
        """A page's outputs are back from the workers (`pages`: those it indexes)."""
        shards = [s for s in self.shards_of.get(rel, ()) if s in self.waiting]
        if not shards:
            return
        by_lang: dict[str, list[IndexedPage]] = {}
        for p in pages:
            by_lang.setdefault(p.lang, []).append(p)
        for shard in shards:
            self.pages.setdefault(shard, []).extend(by_lang.get(shard.split("/")[0], ()))
            self.waiting[shard] -= 1
            if not self.waiting[shard]:
                del self.waiting[shard]
                try:
                    self._submit(shard, self.pages.pop(shard))
                except (KeyError, ValueError):  # not planned as expected: left to the search step
                    pass

    def _submit(self, shard: str, pages: list[IndexedPage]) -> None:
        if self.errors or not pages or any(not p.fp for p in pages):
            return  # left to the build's search step
        lang, name = shard.split("/")
        index = SiteIndex(pages, self.staging, self.out, None, True, plan=self.plan)
        by_url = index._records({p.path: p.fp for p in pages}).get(lang, {})
        plan = index._plan(lang, by_url)
        if [n for n, _ in plan] != [name]:
            return
        records = [by_url[u] for u in plan[0][1]]
        key = _shard_key(records)
        before = self.old.shards.get(shard) if self.old is not None else None
        if before is not None and before.get("key") == key and index._files_there(before):
            return  # unchanged: the search step keeps it
        self.todo.put((shard, key, ShardJob(self.staging / "_pagefind" / shard, lang, len(records),
                                            index._documents(records))))
        if len(self.threads) < self.workers:
            thread = threading.Thread(target=self._work, name=f"pagefind-early-{len(self.threads)}", daemon=True)
            self.threads.append(thread)
            thread.start()

    def _work(self) -> None:
        service = None
        try:
            while True:
                item = self.todo.get()
                if item is None:
                    return
                if self.errors or self.stopped:
                    continue
                shard, key, job = item
                need = min(job.size, RECORDS_IN_FLIGHT)
                with self.flight:  # memory: at most RECORDS_IN_FLIGHT records indexed at once
                    self.flight.wait_for(lambda: self.in_flight == 0 or self.in_flight + need <= RECORDS_IN_FLIGHT)
                    self.in_flight += need
                try:
                    if service is None:
                        service = Service(executable())
                    service.index(job)  # every file written (no `same`: it may not be an in-place build)
                    self.written[shard] = (key, job)
                finally:
                    with self.flight:
                        self.in_flight -= need
                        self.flight.notify_all()
        except BaseException as err:  # noqa: BLE001 - raised by finish() in the build's thread
            self.errors.append(err)
            while self.todo.get() is not None:  # let finish() end this thread
                pass
        finally:
            if service is not None:
                service.close()

    def _join(self) -> None:
        for _ in self.threads:
            self.todo.put(None)
        for thread in self.threads:
            thread.join()
        self.threads = []

    def finish(self) -> dict[str, tuple[str, ShardJob]]:
        """Wait for the shards started early; shard -> (key, job) of each bundle written. Raises the
        first failure (the build's search step reports it as it reports its own)."""
        self._join()
        if self.errors:
            raise self.errors[0]
        return self.written

    def abort(self) -> None:
        """The build stops: let the running shards end, start no other."""
        self.stopped = True
        self._join()


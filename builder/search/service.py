"""A synchronous client of `pagefind --service`, and a pool of them indexing shards in parallel.

The protocol (Pagefind's own Python package speaks it too, but reads one answer per 0.1 s poll):
each request is `base64(JSON) + ","` on the service's stdin, each answer `base64(JSON) + ","` on
its stdout, matched by `message_id`. The answers to one index come back in the order sent.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..core.paths import safe_output_path
from ..output import faults
from .canonical import canonical_bundle

ENTRY = "pagefind-entry.json"

WINDOW = 8
"""Requests sent ahead of their answers. An answer to AddFile is a few hundred bytes, so eight
unread answers never fill the service's output pipe (which would stall it while we write)."""

UNUSED_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
                "pagefind-modular-ui.js", "pagefind-modular-ui.css")
"""Pagefind's ready-made search interfaces: the site has its own, so every shard drops them
(about 370 KB a shard). `pagefind.js`, its worker, the WebAssembly and the index stay."""


class ServiceError(Exception):
    """The Pagefind service is missing, died or refused a request."""


def executable() -> Path:
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise ServiceError("the pagefind binary was not found (pip install pagefind[bin])")
    return found


@dataclass(frozen=True)
class ShardJob:
    """One Pagefind bundle to write: `pages()` yields (url, HTML document) when it is indexed,
    so the documents of a shard are read only while that shard is being indexed."""

    dest: Path
    lang: str
    size: int
    pages: Callable[[], Iterator[tuple[str, str]]]
    same: Callable[[str, bytes], bool] | None = None
    """(path in the bundle, bytes) -> True when the site already has that file with those bytes:
    it is not written (an incremental build rewrites only a re-indexed shard's changed files)."""
    files: list[str] = field(default_factory=list)
    """Set when written: every file of the bundle (relative to `dest`), written or not."""


class Service:
    """One `pagefind --service` process."""

    def __init__(self, exe: Path):
        try:
            self.proc = subprocess.Popen([str(exe), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, cwd="/")
        except OSError as err:
            raise ServiceError(f"cannot start pagefind ({exe}): {err.strerror or err}") from None
        self.next_id = 0
        self.buffer = b""

    def send(self, payload: dict) -> int:
        self.next_id += 1
        data = json.dumps({"message_id": self.next_id, "payload": payload}, ensure_ascii=False)
        try:
            self.proc.stdin.write(base64.b64encode(data.encode("utf-8")) + b",")
        except (BrokenPipeError, OSError) as err:
            raise ServiceError(f"the pagefind service stopped: {err}") from None
        return self.next_id

    def receive(self) -> dict:
        try:
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as err:
            raise ServiceError(f"the pagefind service stopped: {err}") from None
        fd = self.proc.stdout.fileno()
        while b"," not in self.buffer:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise ServiceError(f"the pagefind service stopped (exit status {self.proc.wait()})")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b",")
        answer = json.loads(base64.b64decode(message))
        payload = answer.get("payload") or {}
        if payload.get("type") == "Error":
            raise ServiceError(f"pagefind: {payload.get('message')}")
        return payload

    def call(self, payload: dict) -> dict:
        self.send(payload)
        return self.receive()

    def add_pages(self, job: ShardJob, stop: threading.Event | None = None) -> tuple[int, int]:
        """Start a bundle and send it every page of `job`: (index id, pages sent). The files are
        made by `take_files`, where Pagefind's memory peaks (it holds about three quarters of
        that peak once the pages are in)."""
        faults.step("search", job.dest)
        answer = self.call({"type": "NewIndex", "config": {"force_language": job.lang}})
        index_id = answer["index_id"]
        pending = count = 0
        for url, document in job.pages():
            if stop is not None and stop.is_set():
                raise ServiceError("stopped: the build failed")
            self.send({"type": "AddFile", "index_id": index_id, "url": url, "file_contents": document,
                       "file_path": None})
            pending += 1
            count += 1
            if pending >= WINDOW:
                self.receive()
                pending -= 1
        for _ in range(pending):
            self.receive()
        return index_id, count

    def take_files(self, index_id: int) -> list[tuple[str, bytes]]:
        """The bundle's files, made canonical; the index is deleted from the service. (The files
        come back in the answer and are written by `write_job`, so every byte is on disk, through
        the output path policy, when it returns: Pagefind's own WriteFiles could answer before its
        writes were done.)"""
        files = self.call({"type": "GetFiles", "index_id": index_id}).get("files") or []
        self.call({"type": "DeleteIndex", "index_id": index_id})
        bundle = canonical_bundle(sorted((f["path"], base64.b64decode(f["content"])) for f in files))
        return [(rel, canonical_entry(data) if rel == ENTRY else data) for rel, data in bundle]

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def canonical_entry(data: bytes) -> bytes:
    """Pagefind's `pagefind-entry.json` as canonical JSON (keys sorted, compact): its language
    map has no fixed order. The other files are named after their content."""
    try:
        entry = json.loads(data)
    except ValueError:
        return data
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def write_job(job: ShardJob, files: list[tuple[str, bytes]]) -> None:
    job.files[:] = write_bundle(job.dest, files, job.same)


def write_bundle(dest: Path, files: list[tuple[str, bytes]],
                 same: Callable[[str, bytes], bool] | None = None) -> list[str]:
    """Write one Pagefind bundle into the new folder `dest`, leaving out its ready-made UIs and
    the files `same` says the site already has. A path Pagefind names is an output path like any
    other: relative, inside `dest`. Returns every file of the bundle, written or not."""
    dest.mkdir(parents=True, exist_ok=True)
    made = {dest}
    names: list[str] = []
    for rel, data in files:
        rel = safe_output_path(rel.lstrip("/"))
        if rel in UNUSED_FILES:
            continue
        names.append(rel)
        if same is not None and same(rel, data):
            continue
        target = dest / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    return sorted(names)


def run_jobs(jobs: Iterable[ShardJob], workers: int, stop: threading.Event | None = None,
             finishing: int | None = None) -> None:
    """Index every job, `workers` services at a time (largest shards first, for balance).

    Memory stays bounded: a thread holds one shard's documents, and at most `finishing` services
    (all of them when None) make their bundle's files at once, the step where Pagefind's memory
    peaks. When that is fewer than `workers`, the others send their next shard's pages meanwhile,
    and each shard gets a service of its own that ends before the next may make its files: a
    service keeps its peak memory until it exits.

    The first failure stops the rest and is raised; so does `stop`, when it is set."""
    todo: queue.Queue[ShardJob] = queue.Queue()
    ordered = sorted(jobs, key=lambda j: (-j.size, str(j.dest)))
    for job in ordered:
        todo.put(job)
    errors: list[BaseException] = []
    exe = executable()
    count = max(1, min(workers, len(ordered)))
    gate = threading.Semaphore(finishing) if finishing is not None and finishing < count else None

    def work() -> None:
        service = None
        try:
            while not errors:
                if stop is not None and stop.is_set():
                    raise ServiceError("stopped: the build failed")
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                if service is None:
                    service = Service(exe)
                index_id, _ = service.add_pages(job, stop)
                if gate is None:
                    files = service.take_files(index_id)
                else:
                    with gate:
                        files = service.take_files(index_id)
                        service.close()
                        service = None
                write_job(job, files)
        except BaseException as err:  # noqa: BLE001 - raised in the caller's thread below
            errors.append(err)
        finally:
            if service is not None:
                service.close()

    if count == 1:
        work()
    else:
        threads = [threading.Thread(target=work, name=f"pagefind-{i}") for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if errors:
        raise errors[0]

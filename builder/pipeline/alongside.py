"""Work done alongside the main thread: a forked process runs one function of the loaded build
(it inherits the site, metas and outputs; only the function's result is sent back) while the
main process writes the other site-wide files. `assemble` writes llms.txt and llms-full.txt this
way: they are the largest single step left to it, and they depend on nothing else it writes.

Where `fork` is not available, or with `--jobs 1`, or when the process fails (its error is
anything the work raises, or a crash), the work is run again in the main process, so what it
raises is reported as without a fork, and its output is the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from typing import Callable, Generic, TypeVar

from ..output import writer as out_writer

T = TypeVar("T")

_WORK: dict[int, Callable] = {}
"""id -> work to run in the forked process (inherited by fork, never pickled)."""


class Alongside(Generic[T]):
    """`work()` run in a forked process from `start()`; `result()` waits for it."""

    def __init__(self, work: Callable[[], T], forked: bool):
        self.work = work
        self._proc = None
        self._conn = None
        if forked and "fork" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("fork")
            key = id(self)
            _WORK[key] = work
            receive, send = ctx.Pipe(duplex=False)
            self._proc = ctx.Process(target=_run, args=(key, send, os.getpid()), daemon=True)
            try:
                self._proc.start()
            finally:
                del _WORK[key]
                send.close()
            self._conn = receive

    @property
    def forked(self) -> bool:
        """The work runs in a forked process now (else `result()` will run it here)."""
        return self._proc is not None

    def result(self) -> T:
        """What `work()` returned in the forked process, or, when there was none (or it failed),
        what it returns run here."""
        outcome = None
        if self._proc is not None:
            try:
                outcome = self._conn.recv()
            except (EOFError, OSError):  # it died without a word
                outcome = None
            self._stop()
        if outcome is not None and outcome[0] == "ok":
            return outcome[1]
        return self.work()

    def cancel(self) -> None:
        """End the process now (the build failed or was interrupted meanwhile)."""
        if self._proc is not None and self._proc.is_alive():
            self._proc.kill()
        self._stop()

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.join()
            self._conn.close()
            self._proc = self._conn = None


def _run(key: int, send, parent: int) -> None:
    """In the forked process: run the work and send ("ok", its result) or ("failed",)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # interruption is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    out_writer.die_with_parent(parent)
    try:
        outcome = ("ok", _WORK[key]())
    except BaseException:  # noqa: BLE001 - run again by the parent, which reports it
        outcome = ("failed",)
    send.send(outcome)
    send.close()

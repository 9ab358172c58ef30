"""Phase names and counts on a terminal while `build` or `check` runs (the `rich` library).

Shown only when stderr is a terminal, outside CI (the `CI` variable) and with `--format text`;
the line is removed when the build ends, before the report is printed."""

from __future__ import annotations

import os
import sys
import time

from ..core.progress import Progress


def wanted(fmt: str, stream=None) -> bool:
    stream = stream or sys.stderr
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty and fmt == "text" and not os.environ.get("CI")


class TerminalProgress(Progress):
    """One line: the phase's name, a bar and `done/total` when it is counted, the time taken."""

    def __init__(self, stream=None):
        from rich.console import Console
        from rich.progress import BarColumn, Progress as Bar, ProgressColumn, SpinnerColumn, TextColumn
        from rich.progress import TimeElapsedColumn
        from rich.text import Text

        class Count(ProgressColumn):
            """`done/total`, or nothing for a phase that is not counted."""

            def render(self, task) -> Text:
                if task.total is None:
                    return Text("")
                return Text(f"{int(task.completed)}/{int(task.total)}", style="progress.download")

        console = Console(file=stream or sys.stderr)
        # Worker processes are forked while it runs: they must not inherit a redirected stderr.
        self.bar = Bar(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), Count(),
                       TimeElapsedColumn(), console=console, transient=True, redirect_stdout=False,
                       redirect_stderr=False)
        self.task = None
        self.pending = 0
        self.last = 0.0

    def phase(self, name: str, total: int = 0) -> None:
        self._flush()
        if self.task is None:
            self.bar.start()
        else:
            self.bar.remove_task(self.task)
        self.task = self.bar.add_task(name, total=total or None)
        self.bar.refresh()  # every phase is named at least once, however short

    def advance(self, steps: int = 1) -> None:
        self.pending += steps
        now = time.monotonic()
        if now - self.last > 0.05:  # a phase of thousands of quick steps: updated 20 times a second
            self.last = now
            self._flush()

    def _flush(self) -> None:
        if self.task is not None and self.pending:
            self.bar.advance(self.task, self.pending)
        self.pending = 0

    def close(self) -> None:
        self.bar.stop()

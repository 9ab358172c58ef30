"""What the pipeline says about its progress: the name of each phase and how far it is.

The pipeline calls `phase(name, total)` when a phase starts and `advance()` as it goes; by
default nothing is shown. The command line installs a display (builder/cli/progress.py) for
the length of a build with `showing(display)`, so that the pipeline never draws anything itself.
"""

from __future__ import annotations

from contextlib import contextmanager


class Progress:
    """A display of the phases; this one shows nothing."""

    def phase(self, name: str, total: int = 0) -> None:
        """A new phase starts; `total` counts its steps (0: not counted)."""

    def advance(self, steps: int = 1) -> None:
        """Steps of the current phase are done."""

    def close(self) -> None:
        """The build is over: remove the display."""


_SHOWN: list[Progress] = [Progress()]


def phase(name: str, total: int = 0) -> None:
    _SHOWN[-1].phase(name, total)


def advance(steps: int = 1) -> None:
    _SHOWN[-1].advance(steps)


@contextmanager
def showing(display: Progress | None):
    """Show the phases of what runs inside on `display` (None: nothing shown)."""
    if display is None:
        yield
        return
    _SHOWN.append(display)
    try:
        yield display
    finally:
        _SHOWN.remove(display)
        display.close()

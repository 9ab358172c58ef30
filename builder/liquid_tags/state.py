"""Per-render state: the version being rendered, what the render observed and read."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from liquid.token import Token

from ..core.location import Location
from .current import CURRENT  # noqa: F401 - the tags import it from here
from .limits import charge


@dataclass
class Frame:
    """A file being rendered: the page itself, or a reusable included from it."""

    path: str
    include_token: Token | None = None
    """The `{% data %}` tag (in the frame below) that included this file."""
    relocate: Callable[[Location | None], Location | None] | None = None
    """For a variable's value: maps a place in the value's text to its place in the YAML file."""
    variable: str = ""
    """For a variable's value: its data path (`variables.product.name`), to find cycles."""


@dataclass
class RenderState:
    """What one Liquid render of a page (or title) for one version saw."""

    version: Any
    trace: dict = field(default_factory=dict)
    """Observations that decided the output: (kind, key) -> value. Replaying them on another
    version tells whether that version would render the same text."""
    reads: set[str] = field(default_factory=set)
    """Files read (reusables, variables, features), relative to the root."""
    stack: list[Frame] = field(default_factory=list)
    errors: list = field(default_factory=list)
    """LiquidErrors raised while rendering, with the include stack at the time."""
    includes: dict = field(default_factory=dict)
    """Included file -> (the file that included it, the including tag's token), for notes."""
    parse_problems: list = field(default_factory=list)
    """Parse results of reusables met during the render (with the include stack)."""
    met: set = field(default_factory=set)
    """Reusables (path) and variable values ((path, text)) met, rendered or only parsed."""
    failed: list = field(default_factory=list)
    """Included files that did not parse (`Parsed`, include stack): rendered as far as they
    parsed; what they include beyond that is checked by `reach`."""
    expanded: int = 0
    """Characters written so far (see `limits`)."""
    expansions: int = 0
    """`{% data %}` tags expanded so far (see `limits`)."""
    filtered: int = 0
    """Characters (or items) made by filters so far (see `limits`)."""
    stopped: bool = False
    """A limit was reached: the render is unwinding and expands nothing more."""
    blocks: dict | None = None
    """When asked for (`render_versions(record_blocks=True)`): (file, offset of the ifversion
    tag) -> (the node, index of the branch taken; the number of conditions for else or none)."""

    @property
    def path(self) -> str:
        return self.stack[-1].path if self.stack else ""


def current() -> RenderState:
    state = CURRENT.get()
    if state is None:  # rendering outside the pipeline (a test, a REPL)
        raise RuntimeError("no version is being rendered")
    return state


class MappedBuffer(io.StringIO):
    """An output buffer that remembers which source produced each stretch of text."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self.marks: list[tuple[int, Token, str, int]] = []

    def write(self, text: str) -> int:
        """Write text produced here (not copied from another buffer): it counts towards the
        render's size limit."""
        state = CURRENT.get()
        if state is not None and text:
            charge(state, len(text))
        return super().write(text)

    def write_mapped(self, text: str, marks: list[tuple[int, Token, str, int]]) -> int:
        """Write text rendered elsewhere, carrying its marks (offsets relative to `text`)."""
        base = self.tell()
        self.marks.extend((base + off, tok, path, toff) for off, tok, path, toff in marks)
        return super().write(text)

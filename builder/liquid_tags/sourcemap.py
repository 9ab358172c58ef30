"""Keep track of where rendered text came from while it is trimmed, indented and collapsed."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from liquid.token import Token

from ..core.location import Location, locate

Mark = tuple[int, Token, str, int]
"""(output offset, token, file, offset inside the token's text at that output offset)."""


class _Pieces:
    """Builds new text from pieces of old text and inserts, mapping old offsets to new."""

    def __init__(self, old: str):
        self.old = old
        self.out: list[str] = []
        self.size = 0
        self.points: list[tuple[int, int]] = []  # (old_start, new_start) of copied pieces
        self._lengths: dict[tuple[int, int], int] = {}

    def copy(self, start: int, end: int) -> None:
        if end > start:
            self.points.append((start, self.size))
            self._lengths[(start, self.size)] = end - start
            self.out.append(self.old[start:end])
            self.size += end - start

    def insert(self, text: str) -> None:
        self.out.append(text)
        self.size += len(text)

    def result(self, marks: list[Mark]) -> tuple[str, list[Mark]]:
        """The new text and its marks: marks inside removed text go, and each copied piece
        that starts inside a mark's stretch gets a mark of its own (offsets stay exact)."""
        text = "".join(self.out)
        if not marks:
            return text, []
        offsets = [m[0] for m in marks]
        mapped: list[Mark] = []
        for start, new in self.points:
            length = self._lengths.get((start, new), 0)
            i = bisect_right(offsets, start) - 1
            if i >= 0 and marks[i][0] < start:
                o, tok, path, toff = marks[i]
                mapped.append((new, tok, path, toff + (start - o)))
            j = i + 1 if i >= 0 and marks[i][0] < start else max(i, 0)
            while j < len(marks) and marks[j][0] < start + length:
                o, tok, path, toff = marks[j]
                if o >= start:
                    mapped.append((new + (o - start), tok, path, toff))
                j += 1
        return text, mapped


def strip_mapped(text: str, marks: list[Mark]) -> tuple[str, list[Mark]]:
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if start == 0 and end == len(text):
        return text, marks
    p = _Pieces(text)
    p.copy(start, max(start, end))
    return p.result(marks)


def prefix_lines(text: str, marks: list[Mark], prefix: str, *, first: bool, skip=None,
                 blank: str | None = None) -> tuple[str, list[Mark]]:
    """Put `prefix` before every non-empty line (the first one only if `first`).

    Blank lines get `blank` instead, when given.
    """
    if not prefix:
        return text, marks
    p = _Pieces(text)
    pos = 0
    line_no = 0
    while pos <= len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl == -1 else nl + 1
        line = text[pos:end]
        if not line:
            break
        if (first or line_no > 0) and not (skip and skip(line)):
            if line.strip():
                p.insert(prefix)
            elif blank is not None:
                p.insert(blank)
        p.copy(pos, end)
        if nl == -1:
            break
        pos = end
        line_no += 1
    return p.result(marks)


_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_LINK_LIST_GAP = re.compile(r"(</a>[ \t]*\n)[ \t]*\n(?=[ \t]*[-*] <a)")


def collapse_blank_lines(text: str, marks: list[Mark]) -> tuple[str, list[Mark]]:
    """Runs of blank lines become one, so removed Liquid blocks do not split lists.

    Also drops the blank line between a line ending in `</a>` and a `- <a` list line.
    """
    p = _Pieces(text)
    pos = 0
    changed = False
    for m in _RUNS.finditer(text):
        p.copy(pos, m.start())
        p.insert("\n\n")
        pos = m.end()
        changed = True
    if not changed:
        result, new_marks = text, marks
    else:
        p.copy(pos, len(text))
        result, new_marks = p.result(marks)
    if "</a>" in result and _LINK_LIST_GAP.search(result):
        p = _Pieces(result)
        pos = 0
        for m in _LINK_LIST_GAP.finditer(result):
            p.copy(pos, m.end(1))
            pos = m.end()
        p.copy(pos, len(result))
        result, new_marks = p.result(new_marks)
    return result, new_marks


@dataclass
class SourceMap:
    """Maps offsets in rendered text back to the file and position that produced them."""

    text: str
    marks: list[Mark]
    includes: dict = field(default_factory=dict)
    """Included file -> (including file, tag token), to say which page used a reusable."""

    def __post_init__(self) -> None:
        self._offsets = [m[0] for m in self.marks]

    def included_from(self, path: str) -> tuple[str, ...]:
        notes = []
        seen = set()
        while path in self.includes and path not in seen:
            seen.add(path)
            parent, token = self.includes[path]
            notes.append(included_from(parent, token))
            path = parent
        return tuple(notes)

    def locate(self, offset: int, length: int = 1) -> Location | None:
        i = bisect_right(self._offsets, offset) - 1
        if i < 0:
            return None
        out_start, token, path, token_offset = self.marks[i]
        source = token.source
        start = content_start(token)
        if token.kind == "content":
            src_offset = start + token_offset + (offset - out_start)
            end = start + len(token.value)
            if src_offset > end:
                src_offset = start
        else:
            src_offset = token.start_index
        return locate(path, source, max(0, min(src_offset, len(source))), length)


def tag_start(source: str, offset: int, within: int | None = None) -> int:
    """Offset of the `{%` that opens the tag around `offset`; `offset` itself when there is none
    before it (or, with `within`, none less than that many characters before it)."""
    if offset < 0:
        return offset
    brace = source.rfind("{%", 0, offset + 1)
    if brace == -1 or (within is not None and offset - brace >= within):
        return offset
    return brace


def included_from(path: str, token: Token, relocate=None) -> str:
    """The note naming the tag `token` in `path` that included a file."""
    loc = locate(path, token.source, tag_start(token.source, token.start_index))
    return f"included from {relocate(loc) if relocate else loc}"


def content_start(token: Token) -> int:
    """Offset of a content token's text in its source (whitespace control trims the value)."""
    if token.kind != "content" or not token.value:
        return max(token.start_index, 0)
    found = token.source.find(token.value[:40], token.start_index)
    return found if found != -1 else token.start_index

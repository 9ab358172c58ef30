"""Source positions: one place that turns an offset into a line and column."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from .paths import one_line


@dataclass(frozen=True, slots=True)
class Location:
    """A position in a source file, as editors count it (line and column from 1)."""

    path: str
    line: int
    col: int
    source_line: str = ""
    length: int = 1

    def __str__(self) -> str:
        return f"{one_line(self.path)}:{self.line}:{self.col}"  # a file name never starts a log line


class LineIndex:
    """Offsets of line starts in a text, for fast offset -> (line, col) lookups."""

    __slots__ = ("text", "starts")

    def __init__(self, text: str):
        self.text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of `offset` (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def line_text(self, line: int) -> str:
        """The text of 1-based `line`, without its newline."""
        if line < 1 or line > len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end != -1 else len(self.text)].rstrip("\r")

    def offset(self, line: int, col: int = 1) -> int:
        """Offset of 1-based (line, col)."""
        line = max(1, min(line, len(self.starts)))
        return self.starts[line - 1] + col - 1


@lru_cache(maxsize=4)
def _index(text: str) -> LineIndex:
    """The LineIndex of `text`, kept for the next call: a file with 20,000 problems was indexed
    20,000 times (a minute of work). A str caches its hash, so a hit costs no scan."""
    return LineIndex(text)


def locate(path: str, text: str, offset: int, length: int = 1) -> Location:
    """The `Location` of `offset` in `text` (the file `path`)."""
    index = _index(text)
    line, col = index.line_col(offset)
    return Location(path, line, col, index.line_text(line), max(1, length))


def at_line(path: str, text: str, line: int, col: int = 1, length: int = 1) -> Location:
    """The `Location` of a 1-based line and column in `text`."""
    index = _index(text)
    return Location(path, line, col, index.line_text(line), max(1, length))

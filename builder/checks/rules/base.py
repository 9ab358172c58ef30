"""What a rule is, and what it sees of a source file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterator

from ...core.codes import Code
from ...core.diagnostics import Severity


@dataclass(frozen=True)
class Finding:
    """One rule broken: 1-based line and column in the source file, and how long the text is."""

    line: int
    col: int
    message: str
    length: int = 1
    notes: tuple[str, ...] = ()


@dataclass
class Source:
    """A Markdown source as the rules see it.

    `lines` are the file's lines with Liquid masked: `{% data %}` and `{{ }}` turned into `X`s (so
    they read as words), other tags into spaces, column for column. `tokens` come from parsing
    `text`, those lines without the ones that held only Liquid tags; `line_of` maps a 0-based
    line of `text` to the file's 1-based line."""

    path: str
    raw_lines: list[str]
    lines: list[str]
    text: str
    line_of: list[int]
    tokens: list
    first_body_line: int
    is_reusable: bool
    variables: dict[str, str] = field(default_factory=dict)
    today: date = field(default_factory=date.today)

    def file_line(self, parsed_line: int) -> int:
        """The file's 1-based line of the 0-based line `parsed_line` of `text`."""
        if parsed_line < len(self.line_of):
            return self.line_of[parsed_line]
        return self.line_of[-1] if self.line_of else 1

    def lowered(self, line: int) -> str:
        """File line `line` of the masked source in lower case (kept for the next call)."""
        cache = self.__dict__.setdefault("_lowered", {})
        if line not in cache:
            cache[line] = self.lines[line - 1].lower()
        return cache[line]

    def inline_children(self) -> Iterator[tuple[object, list]]:
        """(inline token, its children) for every inline token with a line map."""
        for tok in self.tokens:
            if tok.type == "inline" and tok.map and tok.children is not None:
                yield tok, tok.children


@dataclass(frozen=True)
class Rule:
    code: Code
    default: Severity | None
    """Default severity; None is off."""
    summary: str
    check: Callable[[Source], Iterator[Finding]]

    @property
    def name(self) -> str:
        return self.code.name


def find_in_lines(source: Source, start_line: int, end_line: int, needle: str, *, ignore_case: bool = False,
                  after: tuple[int, int] | None = None) -> tuple[int, int]:
    """(file line, column) of the first `needle` in file lines `start_line`..`end_line` (1-based,
    inclusive) of the masked source; the start of the range when it is not there."""
    wanted = needle.lower() if ignore_case else needle
    for line in range(start_line, end_line + 1):
        if line - 1 >= len(source.lines):
            break
        text = source.lowered(line) if ignore_case else source.lines[line - 1]
        start = 0
        if after and after[0] == line:
            start = after[1]
        col = text.find(wanted, start)
        if col != -1:
            return line, col + 1
    return start_line, 1


def block_lines(source: Source, tok) -> tuple[int, int]:
    """The file lines (1-based, inclusive) of a token with a map."""
    return source.file_line(tok.map[0]), source.file_line(max(tok.map[0], tok.map[1] - 1))

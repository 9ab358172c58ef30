"""table-shape: every row of a table has as many cells as its header.

markdown-it pads short rows and drops extra cells silently; the source says what was meant."""

from __future__ import annotations

from ...core import codes
from ...core.diagnostics import Severity
from .base import Finding, Rule


def cells(row: str) -> int:
    """Cells of a table row: `|`s that are not escaped, without a leading and a trailing one."""
    text = row.strip()
    pipes = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "|":
            pipes.append(i)
        i += 1
    count = len(pipes) + 1
    if pipes and pipes[0] == 0:
        count -= 1
    if pipes and pipes[-1] == len(text) - 1 and len(text) > 1:
        count -= 1
    return count


def check(source):
    header = None
    for tok in source.tokens:
        if tok.type == "table_open":
            header = None
        elif tok.type == "tr_open" and tok.map:
            line = source.file_line(tok.map[0])
            text = source.lines[line - 1]
            count = cells(text)
            if header is None:
                header = count
                continue
            if count != header:
                col = len(text) - len(text.lstrip()) + 1
                more = "more" if count > header else "fewer"
                yield Finding(line, col, f"this table row has {count} cell{'s' if count != 1 else ''}, "
                                         f"{more} than the header's {header}", len(text.strip()) or 1)


RULE = Rule(codes.LINT_TABLE_SHAPE, Severity.ERROR, "table rows match their header", check)

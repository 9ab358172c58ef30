"""Where a part of a value is in its source line (pure): carets on the offending characters.

A diagnostic about a value (a frontmatter entry, an href) first points at the whole value; when
the problem is a few characters inside it, `narrow` moves the caret onto them, reading YAML
quoting and escapes so that `"/x\\n..."` puts the caret on the `\\n` as written."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import unquote

from .location import Location

_ESCAPE_LENGTH = {"x": 4, "u": 6, "U": 10}


def _quoted_spans(line: str, start: int, value: str) -> list[tuple[int, int]] | None:
    """(start, end) in `line` of each character of `value`, a YAML quoted scalar starting at
    `line[start]`; None when it does not fit on this line as written."""
    quote = line[start]
    spans: list[tuple[int, int]] = []
    i = start + 1
    while i < len(line) and len(spans) < len(value):
        ch = line[i]
        want = value[len(spans)]
        if quote == "'" and ch == "'":
            if line[i + 1 : i + 2] != "'" or want != "'":
                return None
            spans.append((i, i + 2))
            i += 2
        elif quote == '"' and ch == "\\":
            size = _ESCAPE_LENGTH.get(line[i + 1 : i + 2], 2)
            if i + size > len(line) or (size == 2 and line[i + 1] in "\\\"/ " and want != line[i + 1]):
                return None
            spans.append((i, i + size))
            i += size
        elif ch == quote or ch != want:
            return None
        else:
            spans.append((i, i + 1))
            i += 1
    return spans if len(spans) == len(value) else None


def narrow(loc: Location | None, value: str, offset: int, length: int) -> Location | None:
    """`loc` (a value, or a line holding it) with its caret on `value[offset:offset + length]`;
    `loc` unchanged when the value cannot be found as written on that line."""
    if loc is None or not loc.source_line or not value:
        return loc
    line = loc.source_line
    start = loc.col - 1
    spans = _quoted_spans(line, start, value) if 0 <= start < len(line) and line[start] in "'\"" else None
    if spans is not None:
        first = spans[min(offset, len(spans) - 1)]
        last = spans[min(offset + max(1, length), len(spans)) - 1]
        return replace(loc, col=first[0] + 1, length=last[1] - first[0])
    if line[start : start + len(value)] != value:
        found = line.find(value, max(0, start))
        if found == -1 and "%" in value:  # a Markdown link's href is percent-encoded; the source is not
            written = unquote(value)
            found = line.find(written, max(0, start))
            if found != -1:
                offset, length = len(unquote(value[:offset])), len(unquote(value[offset : offset + length]))
                value = written
        if found == -1:
            return loc
        start = found
    return replace(loc, col=start + offset + 1, length=max(1, min(length, len(value) - offset)))

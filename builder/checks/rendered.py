"""Checks of a page's rendered body: what a reader would see broken.

Pure functions over the body's HTML (after Markdown) and the Markdown text it was made from
(after Liquid). Each finding carries an offset into that text, which the page's source map turns
into a file and line (through reusables). Run once per rendered text, not per version; a
translation is also compared with the English render of the same version (`compare`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from ..core import codes
from ..core.codes import Code
from ..core.diagnostics import Diagnostic, Severity
from ..core.location import Location
from ..markdown_rules.budget import CELLS_PER_CHARACTER

SEVERITY: dict[str, Severity] = {
    codes.RENDERED_MARKDOWN.code: Severity.ERROR,
    codes.RENDERED_LIQUID.code: Severity.ERROR,
    codes.RENDERED_ESCAPED_HTML.code: Severity.WARNING,
    codes.RENDERED_TABLE_CELLS.code: Severity.ERROR,
    codes.RENDERED_HEADING_SKIP.code: Severity.WARNING,
    codes.TRANSLATION_HEADINGS_LOST.code: Severity.WARNING,
    codes.TRANSLATION_LIST_LOST.code: Severity.WARNING,
}
"""Severity of each rule in English (in a translation every finding makes the body fall back)."""


@dataclass(frozen=True)
class Finding:
    code: Code
    message: str
    offset: int
    """Offset in the Markdown text (after Liquid) the finding is located at."""
    length: int = 1


@dataclass(frozen=True)
class Structure:
    headings: tuple[tuple[int, str], ...]
    """(level, plain text) of each heading of the body, in order."""
    lists: tuple[int, ...]
    """The number of items of each list, in the order the lists open."""
    paragraphs: int = 0
    broken_headings: int = 0
    """Lines of the Markdown that start with `#` but are not headings (`###Title`)."""
    broken_items: int = 0
    """Lines that start with a list marker but no space (`-item`)."""


# Text a reader should never see outside code: (marker regex, code, what it is).
_VISIBLE = [
    (re.compile(r"\*\*"), codes.RENDERED_MARKDOWN, "bold marker `**`"),
    (re.compile(r"\|\s*:?-{3,}"), codes.RENDERED_MARKDOWN, "table separator `|---|`"),
    (re.compile(r"\]\(/"), codes.RENDERED_MARKDOWN, "link syntax `](/`"),
    (re.compile(r"\{%"), codes.RENDERED_LIQUID, "Liquid tag `{%`"),
    (re.compile(r"\{\{"), codes.RENDERED_LIQUID, "Liquid output `{{`"),
]
_HTML_TAGS = ("a|abbr|b|br|code|details|div|em|h[1-6]|i|img|kbd|li|ol|p|pre|span|strong|sub|summary|sup|"
              "table|tbody|td|th|thead|tr|ul")
_ESCAPED = re.compile(r"&lt;(/?(?:%s))(?:\s[^&<>]*)?/?&gt;" % _HTML_TAGS, re.I)
_CODE_OPEN = re.compile(r"<(pre|code|script|style)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_HEADING_OPEN = re.compile(r"<h([1-6])\b[^>]*>", re.I)
MAX_PER_RULE = 10
"""Findings of one rule in one rendered text (the rest of a page full of them adds nothing)."""
_LIST_TAG = re.compile(r"<(/?)(ul|ol|li)\b", re.I)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DELIMITER = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_BROKEN_HEADING = re.compile(r"^ {0,3}#{1,6}(?=[^#\s])", re.M)
_BROKEN_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?=[^\s\d.)*+-])", re.M)


def check(html: str, text: str) -> list[Finding]:
    """Findings in a body: visible syntax, escaped HTML, table rows, heading levels."""
    found: list[Finding] = []
    tables = _table_rows(text)
    table_lines = {text.count("\n", 0, f.offset) for f in tables}
    prose = _prose(html)
    visible = _visible(prose, text)
    for f in visible:
        if f.message.startswith("table separator") and text.count("\n", 0, f.offset) in table_lines:
            continue  # the table's own finding says why
        found.append(f)
    found.extend(_escaped(prose, text))
    found.extend(tables)
    found.extend(_heading_skips(html, text))
    kept: list[Finding] = []
    per_code: dict[str, int] = {}
    for f in found:
        per_code[f.code.code] = per_code.get(f.code.code, 0) + 1
        if per_code[f.code.code] <= MAX_PER_RULE:
            kept.append(f)
    return sorted(kept, key=lambda f: (f.offset, f.code.code))


def _prose(html: str) -> str:
    """`html` with code, pre, script and style elements blanked (one pass; an element never
    closed runs to the end)."""
    if "<" not in html:
        return html
    parts, pos = [], 0
    opening = _CODE_OPEN.search(html, pos)
    while opening is not None:
        parts.append(html[pos:opening.start()])
        close = _find_close(html, opening.group(1), opening.end())
        if close == -1:
            return "".join(parts)
        pos = close
        parts.append(" ")
        opening = _CODE_OPEN.search(html, pos)
    parts.append(html[pos:])
    return "".join(parts)


def _find_close(html: str, name: str, start: int) -> int:
    """Offset just past `</name>` (any case) from `start`, or -1."""
    m = re.compile(r"</%s\s*>" % name, re.I).search(html, start)
    return m.end() if m else -1


def _headings(prose: str) -> list[tuple[int, str]]:
    """(level, inner HTML) of each h1-h6, in order; one scan per closing tag (linear)."""
    found = []
    closes: dict[int, int] = {}
    for m in _HEADING_OPEN.finditer(prose):
        level = int(m.group(1))
        close = closes.get(level)
        if close is None or close < m.end():
            c = re.compile(r"</h%d\s*>" % level, re.I).search(prose, m.end())
            close = closes[level] = c.start() if c else len(prose) + 1
        if close <= len(prose):
            found.append((level, prose[m.end():close]))
    return found


def structure(html: str, text: str = "") -> Structure:
    """What a translation is compared on; `text` is the Markdown `html` was made from."""
    prose = _prose(html)
    headings = tuple((level, _plain(inner)) for level, inner in _headings(prose))
    counts: list[int] = []
    stack: list[int] = []
    for m in _LIST_TAG.finditer(prose):
        closing, name = m.group(1), m.group(2).lower()
        if name == "li":
            if not closing and stack:
                counts[stack[-1]] += 1
        elif closing:
            if stack:
                stack.pop()
        else:
            stack.append(len(counts))
            counts.append(0)
    return Structure(headings, tuple(counts), prose.count("<p>") + prose.count("<p "),
                     _broken_lines(_BROKEN_HEADING, text), _broken_lines(_BROKEN_ITEM, text))


def compare(translated: Structure, english: Structure, text: str) -> list[Finding]:
    """A translation's headings and lists against English's for the same version: a marker lost
    in translation leaves fewer headings, or a list with fewer items."""
    found = []
    t_levels = [lvl for lvl, _ in translated.headings]
    e_levels = [lvl for lvl, _ in english.headings]
    # An outdated translation differs from English too: a heading or item counts as lost when
    # a broken marker shows it, or when the blocks add up (a heading became a paragraph).
    t_blocks, e_blocks = translated.paragraphs + len(t_levels), english.paragraphs + len(e_levels)
    if len(t_levels) < len(e_levels) and (translated.broken_headings > english.broken_headings
                                          or t_blocks == e_blocks):
        i = next((k for k, (a, b) in enumerate(zip(t_levels, e_levels)) if a != b), len(t_levels))
        level, title = english.headings[i]
        offset = _broken_marker(_BROKEN_HEADING, text) or _nth_heading_offset(text, i - 1)
        found.append(Finding(
            codes.TRANSLATION_HEADINGS_LOST,
            f"the translation has {_n(len(t_levels), 'heading')} ({_levels(t_levels)}) where English has "
            f"{len(e_levels)} ({_levels(e_levels)}): they differ from heading {i + 1} (English: h{level} "
            f"'{_short(title)}'); a heading marker (`#`) was probably lost in translation", offset))
    t_items, e_items = sum(translated.lists), sum(english.lists)
    if t_items != e_items and (translated.broken_items > english.broken_items
                               or translated.paragraphs + t_items == english.paragraphs + e_items):
        j = next((k for k, (a, b) in enumerate(zip(translated.lists, english.lists)) if a != b),
                 min(len(translated.lists), len(english.lists)))
        t = translated.lists[j] if j < len(translated.lists) else 0
        e = english.lists[j] if j < len(english.lists) else 0
        offset = _broken_marker(_BROKEN_ITEM, text) or _nth_list_offset(text, j)
        found.append(Finding(
            codes.TRANSLATION_LIST_LOST,
            f"list {j + 1} of the translation has {_n(t, 'item')} where English has {e}; a list marker (`-`, `*`, "
            "`1.`) was probably lost in translation", offset))
    return found


def diagnostics(findings: list[Finding], locate, fallback_path: str, severity=None) -> list[Diagnostic]:
    """Diagnostics for `findings`; `locate(offset, length)` is the page's SourceMap.locate."""
    out = []
    for f in findings:
        where = locate(f.offset, f.length) or Location(fallback_path, 1, 1)
        out.append(Diagnostic(f.code, f.message, where, severity or SEVERITY[f.code.code]))
    return out


_ANY_VISIBLE = re.compile(r"\*\*|\|\s*:?---|\]\(/|\{%|\{\{")


def _visible(prose: str, text: str) -> list[Finding]:
    found: list[Finding] = []
    if not _ANY_VISIBLE.search(_TAG.sub("", prose)):
        return found  # the common case: one scan
    cursor = 0
    per_marker = [0] * len(_VISIBLE)
    for segment in _TAG.split(prose):
        if not segment.strip():
            continue
        plain = unescape(segment)
        for k, (pattern, code, what) in enumerate(_VISIBLE):
            if per_marker[k] >= MAX_PER_RULE:
                continue
            m = pattern.search(plain)  # one finding per marker and text
            if m is not None:
                per_marker[k] += 1
                after = plain[m.end(): m.end() + 12].strip()
                offset = _find(text, m.group(0), after, cursor)
                cursor = max(cursor, offset)
                snippet = _short(plain[max(0, m.start() - 15): m.end() + 25].strip())
                found.append(Finding(code, f"{what} shows as text: '{snippet}'; check the Markdown or Liquid "
                                           "around it", offset, len(m.group(0))))
    return found


def _escaped(prose: str, text: str) -> list[Finding]:
    found: list[Finding] = []
    cursor = 0
    for segment in _TAG.split(prose) if "&lt;" in prose else ():
        for m in _ESCAPED.finditer(segment):
            if len(found) >= MAX_PER_RULE:
                return found
            tag = unescape(m.group(0))
            offset = text.find(m.group(0), cursor)
            if offset == -1:
                offset = text.find("<" + m.group(1), cursor)
            cursor = max(cursor, offset + 1)
            found.append(Finding(codes.RENDERED_ESCAPED_HTML,
                                 f"escaped HTML shows as text: '{_short(tag)}'; write the tag unescaped, or put it "
                                 "in backticks if it is meant to be read", max(0, offset), len(m.group(0))))
    return found


def _cells(line: str) -> int:
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return len(_CELL_SPLIT.split(inner))


def _table_rows(text: str) -> list[Finding]:
    """Rows of a pipe table whose cells differ from its header's (checked in the Markdown text:
    the table that results pads or cuts each row to the header, hiding the mismatch)."""
    if "|" not in text:
        return []
    found = []
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    fence = None
    i = 0
    while i < len(lines) - 1:
        line = lines[i]
        m = _FENCE.match(line)
        if m:
            mark = m.group(1)
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence) and not line.strip()[len(mark):].strip():
                fence = None
            i += 1
            continue
        below = lines[i + 1].strip()
        if fence is not None or "|" not in line or "-" not in below or not _DELIMITER.match(below) or "|" not in below:
            i += 1
            continue
        header = _cells(line)
        if _cells(below) != header:
            found.append(Finding(codes.RENDERED_TABLE_CELLS,
                                 f"the table's separator row has {_n(_cells(below), 'cell')} but its header {header}: the "
                                 "table shows as text; give both the same number of cells", starts[i + 1],
                                 len(lines[i + 1])))
            i += 2
            continue
        first, i = i, i + 2
        bad: list[tuple[int, int]] = []
        while i < len(lines) and lines[i].strip() and "|" in lines[i]:
            n = _cells(lines[i])
            if n != header:
                bad.append((i, n))
            i += 1
        size = starts[i] - starts[first]
        if not bad or header * (i - first) > CELLS_PER_CHARACTER * size + 1000:
            continue  # a table too sparse to be made is DB704's
        row, n = bad[0]
        more = f" ({len(bad) - 1} more rows of this table too)" if len(bad) > 1 else ""
        found.append(Finding(codes.RENDERED_TABLE_CELLS,
                             f"this table row has {_n(n, 'cell')} but the header has {header}: "
                             + ("the cells past the header's are not shown" if n > header else
                                "the row is padded with empty cells") + more, starts[row], len(lines[row])))
    return found


def _heading_skips(html: str, text: str) -> list[Finding]:
    found = []
    previous = 1  # the page's title is the h1
    for level, inner in _headings(_prose(html)):
        if level > previous + 1:
            title = _plain(inner)
            found.append(Finding(codes.RENDERED_HEADING_SKIP,
                                 f"heading '{_short(title)}' is h{level} after h{previous}: heading levels go down one "
                                 f"at a time (make it h{previous + 1}, or add the missing level)",
                                 _heading_offset(text, level, title)))
        previous = level
    return found


def _find(text: str, marker: str, after: str, start: int) -> int:
    """Offset of `marker` in `text`, preferring one at or after `start` followed by `after`."""
    probe = after[:6]
    for begin in (start, 0):
        i = text.find(marker, begin)
        tries = 0
        while i != -1 and tries < 200:  # bounded: a page of markers stays linear
            if text[i + len(marker): i + len(marker) + 40].lstrip().startswith(probe):
                return i
            i = text.find(marker, i + 1)
            tries += 1
    i = text.find(marker, start)
    if i == -1:
        i = text.find(marker)
    return max(0, i)


def _heading_offset(text: str, level: int, title: str) -> int:
    words = title.split()
    first = words[0] if words else ""
    for m in re.finditer(r"^ {0,3}#{%d}[ \t]+(.*)$" % level, text, re.M):
        if first in m.group(1):
            return m.start()
    i = text.find(f"<h{level}")
    return max(0, i)


def _nth_heading_offset(text: str, n: int) -> int:
    if n < 0:
        return 0
    for k, m in enumerate(re.finditer(r"^ {0,3}#{1,6}[ \t]", text, re.M)):
        if k == n:
            return m.start()
    return 0


def _nth_list_offset(text: str, n: int) -> int:
    starts = [m.start() for m in re.finditer(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]", text, re.M)
              if m.start() == 0 or text[: m.start()].endswith("\n\n")]
    return starts[min(n, len(starts) - 1)] if starts else 0


def _broken_marker(pattern: re.Pattern, text: str) -> int | None:
    fence = None
    pos = 0
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if m:
            fence = None if fence else m.group(1)
        elif fence is None and pattern.match(line):
            return pos
        pos += len(line) + 1
    return None


def _broken_lines(pattern: re.Pattern, text: str) -> int:
    if not text:
        return 0
    fence, count = None, 0
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if m:
            fence = None if fence else m.group(1)
        elif fence is None and pattern.match(line):
            count += 1
    return count


def _plain(html: str) -> str:
    return " ".join(unescape(_TAG.sub("", html)).split())


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _levels(levels: list[int]) -> str:
    return " ".join(f"h{lvl}" for lvl in levels) or "none"

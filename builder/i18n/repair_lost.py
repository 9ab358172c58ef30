"""Translated tags that lost part of their delimiters, read as tags for `repair.py`.

A tag that lost the `%` of its opener (`{else %}`, `{ data variables.x %}`), and an empty
`{% %}` with the tag's words pushed out of it, either with their own `%}`
(`{% %} de dados reusables.x %}`) or alone (`{% %} bruto`). Only a known keyword makes either a
tag; `repair.py` then repairs them only where English confirms them.
"""

from __future__ import annotations

import re

from .repair_tables import _normalise, _valid

NOOPEN_RE = re.compile(  # `{else %}`, `{ data x %}`: a tag that lost the `%` of its opener
    r"(?<![{%％])\{(?P<open>)(?P<dl>)(?P<body>[ \t]*[^\W\d_][^{}%％\n]{0,200}?)(?P<dr>[-–]?)(?P<cpct>[%％])(?P<csp>)\}"
    r"(?P<extra>\}(?!\}))?"
)
_EMPTY_ARGS_RE = re.compile(r"[ \t]*(?P<body>[^\W\d_][^{}%％\n<]{0,200}?)[ \t]*(?P<dr>[-–]?)[%％]\}")
"""After an empty `{% %}`: the tag's words and arguments pushed out of it, closed by their own `%}`."""
_EMPTY_WORDS_RE = re.compile(r"[ \t]*[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*){0,3}")
"""After an empty `{% %}`: up to four words, the tag's keyword pushed out of it (`{% %} bruto`)."""


class _Span:
    """A tag found by hand, read like a match of `_TAG_RE`."""

    def __init__(self, start: int, end: int, groups: dict):
        self._start, self._end, self._groups = start, end, groups

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def groupdict(self) -> dict:
        return self._groups


def after_empty(text: str, m, tables: dict):
    """An empty `{% %}` (match `m`) with the tag's words after it, as one tag; None if no keyword follows."""
    if m.groupdict()["body"].strip():
        return None
    groups = {"open": "{%", "dl": m.groupdict()["dl"], "dr": "", "cpct": "%", "csp": "", "extra": None}
    found = _EMPTY_ARGS_RE.match(text, m.end())
    if found:
        kw, args, _ = _normalise(found.group("body"), tables)
        if _valid(kw, args, tables) and kw not in tables["no_args"]:
            return _Span(m.start(), found.end(), {**groups, "body": found.group("body"), "dr": found.group("dr")})
    words = _EMPTY_WORDS_RE.match(text, m.end())
    if not words:
        return None
    ends = [w.end() for w in re.finditer(r"\S+", words.group(0))]
    for end in ends:
        body = words.group(0)[:end]
        kw, args, _ = _normalise(body, tables)
        if kw in tables["no_args"] and _valid(kw, args, tables):
            return _Span(m.start(), m.end() + end, {**groups, "body": body})
    return None

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
            extra = _extra_brace(text, found.end())
            return _Span(m.start(), found.end() + len(extra or ""),
                         {**groups, "body": found.group("body"), "dr": found.group("dr"), "extra": extra})
    words = _EMPTY_WORDS_RE.match(text, m.end())
    if not words:
        return None
    ends = [w.end() for w in re.finditer(r"\S+", words.group(0))]
    for end in ends:
        body = words.group(0)[:end]
        kw, args, _ = _normalise(body, tables)
        if kw in tables["no_args"] and _valid(kw, args, tables):
            stop = m.end() + end
            extra = _extra_brace(text, stop)
            return _Span(m.start(), stop + len(extra or ""), {**groups, "body": body, "extra": extra})
    return None


def _extra_brace(text: str, at: int) -> str | None:
    """A single `}` at `at`, which a damaged tag may have taken (`{% %} bruto}`), as `_TAG_RE`'s
    `extra` group reads it after `%}`; `repair.py` decides whether it belongs to the tag."""
    return "}" if text.startswith("}", at) and not text.startswith("}}", at) else None

"""heading-increment: heading levels go down one at a time (## then ###, never ## then ####).

A page's title is its level-1 heading, so its body starts at `##`; a reusable may start at any level."""

from __future__ import annotations

from ...core import codes
from ...core.diagnostics import Severity
from .base import Finding, Rule


def check(source):
    previous = None if source.is_reusable else 1
    for tok in source.tokens:
        if tok.type != "heading_open" or not tok.map:
            continue
        level = int(tok.tag[1:])
        if previous is not None and level > previous + 1:
            line = source.file_line(tok.map[0])
            text = source.lines[line - 1]
            col = len(text) - len(text.lstrip()) + 1
            wanted = "#" * (previous + 1)
            yield Finding(line, col, f"heading level {level} follows level {previous}; use {wanted} "
                                     f"(levels go down one at a time)", level if tok.markup.startswith("#") else 1)
        previous = level


RULE = Rule(codes.LINT_HEADING_INCREMENT, Severity.WARNING, "heading levels do not skip", check)

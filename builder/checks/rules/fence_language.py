"""fence-language: every fenced code block names its language (```shell, ```yaml, ```text ...)."""

from __future__ import annotations

from ...core import codes
from ...core.diagnostics import Severity
from .base import Finding, Rule


def check(source):
    for tok in source.tokens:
        if tok.type == "fence" and tok.map and not tok.info.strip():
            line = source.file_line(tok.map[0])
            text = source.lines[line - 1]
            col = len(text) - len(text.lstrip()) + 1
            yield Finding(line, col, f"the code block names no language; write {tok.markup}shell, "
                                     f"{tok.markup}yaml ... or {tok.markup}text for plain text", len(tok.markup))


RULE = Rule(codes.LINT_FENCE_LANGUAGE, Severity.WARNING, "code fences name a language", check)

"""link-text: a link's text says where it goes, not "here" or "click here"."""

from __future__ import annotations

import re

from ...core import codes
from ...core.diagnostics import Severity
from .base import Finding, Rule, block_lines, find_in_lines

VAGUE = frozenset({"here", "click here", "this link", "read more", "more", "link", "this", "this page",
                   "learn more", "click this link", "go here", "see here"})
_PUNCT = re.compile(r"[^\w\s]+")


def check(source):
    for tok, children in source.inline_children():
        first, last = block_lines(source, tok)
        after = None
        for i, child in enumerate(children):
            if child.type != "link_open":
                continue
            parts = []
            for j in range(i + 1, len(children)):
                if children[j].type == "link_close":
                    break
                parts.append(children[j].content)
            text = "".join(parts)
            if child.markup == "autolink" or child.info == "auto":
                continue
            line, col = find_in_lines(source, after[0] if after else first, last, "[" + text, ignore_case=True,
                                      after=after)
            after = (line, col + 1)
            key = " ".join(_PUNCT.sub(" ", text.lower()).split())
            if key in VAGUE:
                yield Finding(line, col, f"the link text {text.strip()!r} does not say where the link goes; "
                                         "name the page or the action instead", len(text) + 2)


RULE = Rule(codes.LINT_LINK_TEXT, Severity.WARNING, "link text describes the target", check)

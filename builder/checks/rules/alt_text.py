"""image-alt: every image has alt text, in Markdown (`![alt](src)`) and in HTML (`<img alt>`)."""

from __future__ import annotations

import re

from ...core import codes
from ...core.diagnostics import Severity
from .base import Finding, Rule, block_lines, find_in_lines

_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ALT = re.compile(r"\balt\s*=\s*(\"[^\"]*\S[^\"]*\"|'[^']*\S[^']*'|[^\s\"'>]+)", re.I)


def check(source):
    for tok, children in source.inline_children():
        first, last = block_lines(source, tok)
        after = None
        for child in children:
            if child.type != "image":
                continue
            alt = "".join(c.content for c in child.children or []).strip() or child.content.strip()
            line, col = find_in_lines(source, after[0] if after else first, last, "![", after=after)
            after = (line, col + 1)
            if not alt:
                src = child.attrs.get("src", "")
                yield Finding(line, col, f"the image {src!r} has no alt text; describe it between the brackets: "
                                         "![what the image shows](...)", 2)
    for tok in source.tokens:
        if tok.type == "html_block" and tok.map:
            yield from _html_images(source, *block_lines(source, tok))
        elif tok.type == "inline" and tok.map and any(c.type == "html_inline" for c in tok.children or []):
            yield from _html_images(source, *block_lines(source, tok))


def _html_images(source, first: int, last: int):
    for line in range(first, last + 1):
        for m in _IMG.finditer(source.lines[line - 1]):
            if not _ALT.search(m.group(0)):
                yield Finding(line, m.start() + 1, "the <img> has no alt text; add alt=\"what the image shows\"",
                              4)


RULE = Rule(codes.LINT_IMAGE_ALT, Severity.ERROR, "images have alt text", check)

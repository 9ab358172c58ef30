"""After Markdown: what the `ghd-tool` blocks of a page's HTML mean for the reader.

The tool, platform and rowheaders tags wrap their content in raw `<div class="ghd-tool NAME">`
lines, so the Markdown between them is rendered (in sections, see `chunks`) without knowing
it is inside one. This pass reads the page's finished HTML once:

- the first `<td>` of each row of a table inside a `rowheaders` block becomes
  `<th scope="row">` (as GitHub Docs' rewrite-for-rowheaders does);
- each heading inside tool or platform blocks is noted with their names, so the mini TOC
  lists it only when one of them is chosen;
- the tools and platforms the page shows variants for are listed, for its pickers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.tools import PLATFORMS, TOOLS, detect

_TAG = re.compile(r'<(/?)(div|tr|td|h[1-6])\b([^>]*)>', re.I)
_CLASS = re.compile(r'\bclass="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')
_SCOPE = re.compile(r'\bscope\s*=', re.I)


@dataclass(frozen=True)
class Variants:
    """The tool and platform variants of a rendered page (in the pickers' order)."""

    tools: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    headings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Heading id -> the tools and platforms whose blocks enclose it (only those enclosed)."""


def tool_blocks(html: str) -> tuple[str, Variants | None]:
    """`html` with its rowheaders tables rewritten, and its variants (None: it has none)."""
    tools, platforms = detect(html)
    if "ghd-tool" not in html:
        return html, Variants(tools, platforms) if tools or platforms else None
    out: list[str] = []
    stack: list[tuple[str, ...]] = []
    """One entry per open <div>: the names of a ghd-tool block, else ()."""
    variants: dict[str, tuple[str, ...]] = {}
    row_done = False  # the current row's first <td> was already made a header
    closing_th = False  # the open cell is one we made a <th>
    last = 0
    for m in _TAG.finditer(html):
        closing, name, attrs = m.group(1), m.group(2).lower(), m.group(3)
        replacement = None
        if name == "div":
            if closing:
                if stack:
                    stack.pop()
            elif not attrs.rstrip().endswith("/"):
                classes = _CLASS.search(attrs)
                words = classes.group(1).split() if classes else []
                stack.append(tuple(words[1:]) if words[:1] == ["ghd-tool"] else ())
        elif not stack:
            continue
        elif name == "tr" and not closing:
            row_done = False
        elif name == "td" and any("rowheaders" in entry for entry in stack):
            if not closing and not row_done and not _SCOPE.search(attrs):
                replacement = f'<th scope="row"{attrs}>'
                row_done = closing_th = True
            elif closing and closing_th:
                replacement, closing_th = "</th>", False
        elif name[0] == "h" and not closing:
            enclosing = tuple(dict.fromkeys(n for entry in stack for n in entry if n in TOOLS or n in PLATFORMS))
            found = _ID.search(attrs)
            if enclosing and found:
                variants[found.group(1)] = enclosing
        if replacement is not None:
            out.append(html[last:m.start()])
            out.append(replacement)
            last = m.end()
    if last:
        out.append(html[last:])
        html = "".join(out)
    return html, Variants(tools, platforms, variants) if tools or platforms else None


__all__ = ["Variants", "tool_blocks"]

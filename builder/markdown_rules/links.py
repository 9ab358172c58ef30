"""Core rule: internal links become placeholders that each version fills in later.

The Markdown of a page is rendered once for all the versions that share it; only link
targets (and AUTOTITLE texts) differ between versions, so they are left as placeholders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

HREF_OPEN, HREF_CLOSE = "\ue000", "\ue001"
TITLE_OPEN, TITLE_CLOSE = "\ue002", "\ue003"
PLACEHOLDER = re.compile("\ue000(\\d+)\ue001|\ue002(\\d+)\ue003")
_HTML_HREF = re.compile(r"""(\bhref\s*=\s*)(["'])(/(?!/)[^"']*)\2""", re.I)
_AUTOTITLE = re.compile(r"^\s*AUTOTITLE\s*$")
UNTOUCHED = ("/assets/", "/public/")


@dataclass
class LinkRef:
    """A link found in the Markdown, resolved per version when the page is finished."""

    href: str
    line: int
    """0-based line in the Markdown text (the start of its block)."""
    autotitle: bool = False
    html: bool = False
    bad_autotitle: bool = False


def is_internal(href: str) -> bool:
    return href.startswith("/") and not href.startswith("//") and not href.startswith(UNTOUCHED)


def _text_of(children: list[Token], start: int, end: int) -> str:
    return "".join(t.content for t in children[start:end] if t.type in ("text", "code_inline"))


def collect_links(state: StateCore) -> None:
    links: list[LinkRef] = state.env.setdefault("links", [])
    for block in state.tokens:
        line = block.map[0] if block.map else 0
        if block.type in ("html_block",):
            block.content = _html_hrefs(block.content, links, line)
            continue
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        i = 0
        while i < len(children):
            tok = children[i]
            if tok.type == "html_inline" and "href" in tok.content.lower():
                tok.content = _html_hrefs(tok.content, links, line)
            if tok.type != "link_open":
                i += 1
                continue
            close = i + 1
            depth = 1
            while close < len(children):
                if children[close].type == "link_open":
                    depth += 1
                elif children[close].type == "link_close":
                    depth -= 1
                    if depth == 0:
                        break
                close += 1
            href = str(tok.attrGet("href") or "")
            autotitle = bool(_AUTOTITLE.match(_text_of(children, i + 1, close))) and close == i + 2
            if is_internal(href):
                n = len(links)
                links.append(LinkRef(href, line, autotitle=autotitle))
                tok.attrSet("href", f"{HREF_OPEN}{n}{HREF_CLOSE}")
                if autotitle:
                    children[i + 1].content = f"{TITLE_OPEN}{n}{TITLE_CLOSE}"
            elif autotitle:
                links.append(LinkRef(href, line, autotitle=True, bad_autotitle=True))
            i = close + 1


def _html_hrefs(html: str, links: list[LinkRef], line: int) -> str:
    def sub(m: re.Match) -> str:
        href = m.group(3)
        if not is_internal(href):
            return m.group(0)
        n = len(links)
        links.append(LinkRef(href, line, html=True))
        return f"{m.group(1)}{m.group(2)}{HREF_OPEN}{n}{HREF_CLOSE}{m.group(2)}"

    return _HTML_HREF.sub(sub, html)

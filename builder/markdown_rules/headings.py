"""Core rule and renderers: heading ids (GitHub slugs, or the English ones), anchor links."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markdown_it.rules_core import StateCore

from .slugs import Slugger


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str
    """Plain text (placeholders for AUTOTITLE included)."""


def heading_ids(state: StateCore) -> None:
    """Give every heading an id; h2-h4 of a translation take the English ids in order."""
    env = state.env
    forced: list[str] | None = env.get("heading_ids")
    forced_all: list[str] | None = env.get("all_heading_ids")
    slugger = Slugger()
    headings: list[Heading] = env.setdefault("headings", [])
    tokens = state.tokens
    k = 0
    for i, tok in enumerate(tokens):
        if tok.type != "heading_open":
            continue
        level = int(tok.tag[1])
        inline = tokens[i + 1]
        text = "".join(c.content for c in (inline.children or []) if c.type in ("text", "code_inline"))
        if forced_all is not None and len(headings) < len(forced_all):
            slug = forced_all[len(headings)]
        elif forced is not None and 2 <= level <= 4:
            if k < len(forced):
                slug = forced[k]
                slugger.seen.setdefault(slug, 0)
            else:
                slug = slugger.slug(text)
            k += 1
        else:
            slug = slugger.slug(text)
        tok.attrSet("id", slug)
        tok.attrSet("tabindex", "-1")
        has_link = any(c.type == "link_open" for c in (inline.children or []))
        tok.meta["anchor"] = slug
        tok.meta["nested_link"] = has_link
        headings.append(Heading(level, slug, text))


def render_heading_open(self, tokens, idx, options, env) -> str:
    tok = tokens[idx]
    html = self.renderToken(tokens, idx, options, env)
    if tok.meta.get("anchor") and not tok.meta.get("nested_link"):
        html += f'<a class="heading-link" href="#{escape(tok.meta["anchor"])}">'
    return html


def render_heading_close(self, tokens, idx, options, env) -> str:
    opener = tokens[idx - 2] if idx >= 2 else None
    html = ""
    if opener is not None and opener.type == "heading_open" and opener.meta.get("anchor"):
        symbol = '<span class="heading-link-symbol" aria-hidden="true"></span>'
        if opener.meta.get("nested_link"):
            html += f'<a class="heading-link" href="#{escape(opener.meta["anchor"])}" aria-label="Link to this section">{symbol}</a>'
        else:
            html += f"{symbol}</a>"
    return html + self.renderToken(tokens, idx, options, env)

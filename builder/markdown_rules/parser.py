"""The Markdown stage: one configured markdown-it-py parser and `render_markdown`."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from html import unescape

from markdown_it import MarkdownIt

from . import blocks, headings, links
from .alert_text import alert_with_text
from .autolink import autolink_plugin
from .budget import core_inline_within_budget, use_budget
from .labels import use_fast_labels
from .headings import Heading
from .links import LinkRef

# Pathological input (10,000 nested quotes) must fail fast, not exhaust the stack.
MAX_NESTING = 50
INLINE_NESTING = 20
"""Nesting inside a paragraph (emphasis in links in emphasis ...), as in the CommonMark preset.
The scan for a link's `]` nests this deep at each `[`: its cost is proportional to it."""


def make_markdown(*, html: bool = True) -> MarkdownIt:
    """Our parser; `html=False` (for frontmatter text) escapes raw HTML instead of keeping it."""
    md = MarkdownIt("commonmark", {"html": html, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.options["alerts"] = True
    md.options["tasklists"] = True
    md.options["tasklists_editable"] = False
    md.use(autolink_plugin)
    use_fast_labels(md)
    use_budget(md)
    md.core.ruler.at("inline", _inline_shallow)
    md.core.ruler.after("block", "nesting_guard", _nesting_guard)
    md.core.ruler.after("nesting_guard", "alert_with_text", alert_with_text)
    md.core.ruler.after("alert_with_text", "alert_titles", blocks.alert_titles)
    md.core.ruler.push("heading_ids", headings.heading_ids)
    md.core.ruler.push("collect_links", links.collect_links)
    md.core.ruler.push("table_scopes", blocks.table_scopes)
    md.add_render_rule("fence", blocks.render_fence)
    md.add_render_rule("heading_open", headings.render_heading_open)
    md.add_render_rule("heading_close", headings.render_heading_close)
    md.add_render_rule("table_open", blocks.render_table_open)
    md.add_render_rule("table_close", blocks.render_table_close)
    md.add_render_rule("alert_open", blocks.render_alert_open)
    md.add_render_rule("alert_title_open", blocks.render_alert_title_open)
    md.add_render_rule("list_item_open", blocks.render_list_item_open)
    return md


def _inline_shallow(state) -> None:
    """markdown-it's inline stage, with the nesting limit of INLINE_NESTING (and the page's
    element budget)."""
    options = state.md.options
    blocks_limit = options["maxNesting"]
    options["maxNesting"] = INLINE_NESTING
    try:
        core_inline_within_budget(state)
    finally:
        options["maxNesting"] = blocks_limit


def _nesting_guard(state) -> None:
    """markdown-it stops silently at maxNesting; remember that it did (and where), so it can be reported."""
    for tok in state.tokens:
        if tok.level >= MAX_NESTING - 1:
            line = next((t.map[0] for t in reversed(state.tokens[: state.tokens.index(tok) + 1]) if t.map), 0)
            state.env["too_deep"] = line + 1
            return


_LOCAL = threading.local()


def _markdown(html: bool = True) -> MarkdownIt:
    key = "md" if html else "md_text"
    md = getattr(_LOCAL, key, None)
    if md is None:
        md = make_markdown(html=html)
        setattr(_LOCAL, key, md)
    return md


@dataclass
class RenderedMarkdown:
    """Version-independent HTML: internal links and AUTOTITLEs are placeholders."""

    html: str
    links: list[LinkRef] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    too_deep: int = 0
    """1-based line where blocks were nested past MAX_NESTING (what lies deeper was not rendered),
    or 0."""
    too_large: int = 0
    """1-based line where the page's elements reached budget.MAX_TOKENS (the rest was left out), or 0."""
    padded_table: tuple[int, int, int] | None = None
    """(1-based line, cells, characters) of a table left as text: its rows leave out nearly all cells."""
    _alert_text: tuple[tuple[int, str], ...] = field(default=(), repr=False, compare=False)
    """(1-based line, kind) of alert markers with text on their line (alert_text.py); not kept in the cache."""
    variants: object = field(default=None, init=False, repr=False, compare=False)
    """The page's tool and platform variants (`tool_blocks.Variants`), set after Markdown, or
    None; not kept in the build cache (the records hold frontmatter renders, which have none)."""


def render_markdown(
    text: str,
    *,
    alert_titles: dict[str, str] | None = None,
    heading_ids: list[str] | None = None,
    ui: dict[str, str] | None = None,
    forced_all_ids: list[str] | None = None,
) -> RenderedMarkdown:
    """HTML of `text`. `heading_ids`: ids for the h2-h4 headings in order (a translation takes
    the English ones); `forced_all_ids`: ids for every heading in order."""
    env: dict = {"alert_titles": alert_titles or {}, "ui": ui or {}}
    if heading_ids is not None:
        env["heading_ids"] = heading_ids
    if forced_all_ids is not None:
        env["all_heading_ids"] = forced_all_ids
    html = _markdown().render(text, env)
    return RenderedMarkdown(html, env.get("links", []), env.get("headings", []), int(env.get("too_deep") or 0),
                            int(env.get("too_large") or 0), env.get("padded_table"), tuple(env.get("alert_text", ())))


def render_frontmatter(text: str) -> RenderedMarkdown:
    """Markdown of a frontmatter value (intro, product): raw HTML is escaped, not kept."""
    env: dict = {"alert_titles": {}, "ui": {}}
    html = _markdown(html=False).render(text, env)
    return RenderedMarkdown(html, env.get("links", []), [])


_TAG = re.compile(r"<[^>]+>")


def plain_text(text: str) -> str:
    """A title as plain text: Markdown emphasis and code marks removed, HTML kept as text."""
    if not any(c in text for c in "*_`[&\\"):
        return " ".join(text.split())
    return html_text(_markdown(html=False).renderInline(text))


def html_text(html: str) -> str:
    """The text of an HTML fragment, tags removed, entities decoded, spaces collapsed."""
    return " ".join(unescape(_TAG.sub("", html)).split())


def heading_ids_of(text: str) -> list[str]:
    """Ids of the h2-h4 headings of Markdown `text` (parse only, no HTML)."""
    env: dict = {"alert_titles": {}, "ui": {}}
    _markdown().parse(text, env)
    return [h.id for h in env.get("headings", []) if 2 <= h.level <= 4]

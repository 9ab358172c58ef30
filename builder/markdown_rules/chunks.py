"""Render Markdown section by section, reusing sections that did not change between versions.

The versions of a page differ only where `ifversion` chose differently, usually in a few
sections. A page is cut before each top-level ATX heading (outside code fences, HTML raw
blocks and comments); each section renders on its own, and a section whose text was already
rendered for another version of the page is taken from the cache. Cutting there is safe:
a heading at column 0 ends every open block. Pages with link reference definitions are
rendered whole, since a definition serves every section.
"""

from __future__ import annotations

from dataclasses import replace

import re

from .headings import Heading
from .links import HREF_CLOSE, HREF_OPEN, TITLE_CLOSE, TITLE_OPEN
from .parser import RenderedMarkdown, render_markdown
from .slugs import Slugger

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^#{1,6}(?:[ \t]|$)")
_REFDEF = re.compile(r"^ {0,3}\[[^\]]+\]:", re.M)
_RAW_OPEN = re.compile(r"^ {0,3}(<!--|<(?:script|pre|style|textarea)\b)", re.I)
_RAW_CLOSE = {"<!--": "-->", "<script": "</script>", "<pre": "</pre>", "<style": "</style>", "<textarea": "</textarea>"}
_PLACEHOLDER = re.compile(f"({HREF_OPEN}|{TITLE_OPEN})(\\d+)({HREF_CLOSE}|{TITLE_CLOSE})")


def split_sections(text: str) -> list[str]:
    """Cut `text` before each top-level heading that starts a new block."""
    if _REFDEF.search(text):
        return [text]
    lines = text.split("\n")
    cuts = [0]
    fence: str | None = None
    raw_end: str | None = None
    prev_blank = True
    for i, line in enumerate(lines):
        if fence is not None:
            m = _FENCE.match(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip()[len(m.group(1)):].strip():
                fence = None
            prev_blank = False
            continue
        if raw_end is not None:
            if raw_end in line.lower():
                raw_end = None
            prev_blank = not line.strip()
            continue
        m = _FENCE.match(line)
        if m:
            fence = m.group(1)
        else:
            raw = _RAW_OPEN.match(line)
            if raw:
                opener = raw.group(1).lower()
                end = _RAW_CLOSE.get(opener, "-->")
                if end not in line.lower()[raw.end():]:
                    raw_end = end
            elif _HEADING.match(line) and prev_blank and i > 0:
                cuts.append(i)
        prev_blank = not line.strip()
    cuts.append(len(lines))
    return ["\n".join(lines[a:b]) + ("\n" if b < len(lines) else "") for a, b in zip(cuts, cuts[1:]) if b > a]


def render_sections(text: str, cache: dict, **options) -> tuple[RenderedMarkdown, int]:
    """`render_markdown(text)`, assembled from per-section renders kept in `cache`.

    Returns the result and how many sections had to be rendered (the rest came from `cache`).
    """
    if options.get("heading_ids") is not None:
        return render_markdown(text, **options), 1
    sections = split_sections(text)
    if len(sections) == 1:
        key = ("whole", text)
        found = cache.get(key)
        if found is None:
            found = cache[key] = render_markdown(text, **options)
            return found, 1
        return found, 0
    html: list[str] = []
    links = []
    headings: list[Heading] = []
    too_deep = too_large = 0
    padded_table = None
    alert_text: list[tuple[int, str]] = []
    slugger = Slugger()
    rendered = 0
    line = 0
    for section in sections:
        part = cache.get(section)
        if part is None:
            part = cache[section] = render_markdown(section, **options)
            rendered += 1
        # The ids the whole page would give these headings (duplicates across sections are numbered).
        ids = [slugger.slug(h.text) for h in part.headings]
        if ids != [h.id for h in part.headings]:
            key = (section, tuple(ids))
            forced = cache.get(key)
            if forced is None:
                forced = cache[key] = render_markdown(section, **options, forced_all_ids=ids)
                rendered += 1
            part = forced
        offset = len(links)
        chunk = part.html
        if part.links and offset:
            chunk = _PLACEHOLDER.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + offset}{m.group(3)}", chunk)
        html.append(chunk)
        # Link lines count from the page's first line, not the section's.
        links.extend(replace(link, line=link.line + line) for link in part.links)
        headings.extend(part.headings)
        if part.too_deep and not too_deep:
            too_deep = line + part.too_deep
        if part.too_large and not too_large:
            too_large = line + part.too_large
        if part.padded_table and not padded_table:
            padded_table = (line + part.padded_table[0], *part.padded_table[1:])
        alert_text.extend((line + n, kind) for n, kind in part._alert_text)
        line += section.count("\n")
    return RenderedMarkdown("".join(html), links, headings, too_deep, too_large, padded_table, tuple(alert_text)), rendered

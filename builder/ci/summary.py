"""`--summary FILE`: the pull-request comment listing the changed pages with their preview and
production links, grouped by product and capped so that it always fits in a GitHub comment."""

from __future__ import annotations

from urllib.parse import quote

from .changes import ChangeSet, PageInfo

MARKER = "<!-- docs-builder-preview -->"
"""First line: a workflow finds and updates its own comment by it."""
MAX_ROWS = 50
MAX_LINKS = 12
"""Version x language links shown in one row; the rest are counted."""
MAX_CHARS = 60_000
"""GitHub refuses comments longer than 65,536 characters."""
MAX_TITLE = 120


def escape(text: str) -> str:
    """Text that stays text in a Markdown table cell: no `|` ends the cell, no `[`, `]`, `<`, `` ` ``,
    `*`, `_` starts a link, HTML, code or emphasis, no line break ends the row."""
    text = " ".join(text.split())
    if len(text) > MAX_TITLE:
        text = text[: MAX_TITLE - 1] + "\u2026"
    out = []
    for ch in text:
        if ch in "&<>\"'|[]`*_~\\":
            out.append(f"&#{ord(ch)};")
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def link_url(base: str, url: str) -> str:
    """`base` + the page's URL, with nothing that could end the Markdown link early."""
    return quote(base.rstrip("/"), safe=":/@-._~%?=&+,;") + quote(url, safe="/@-._~%")


def render(changes: ChangeSet, *, base_url: str = "", production_url: str = "", failed: bool = False,
           max_rows: int = MAX_ROWS, max_chars: int = MAX_CHARS) -> str:
    lines = [MARKER, "### Preview of the documentation", ""]
    if failed:
        lines += ["The preview build failed: see the build log for the errors.", ""]
    pages = sorted(changes.pages.values(), key=lambda p: (p.product.casefold(), p.title.casefold(), p.source))
    removed = changes.removed_pages
    others = {}
    for c in changes.changes:
        if c.kind != "page":
            others[c.kind] = others.get(c.kind, 0) + 1
    if not pages and not removed:
        lines += ["No page changed.", ""]
    else:
        lines += [f"{len(pages)} page{'s' if len(pages) != 1 else ''} changed"
                  + (f", {len(removed)} removed" if removed else "") + ".", ""]
    used = sum(len(line) + 1 for line in lines)
    budget = max_chars - 400  # room for the closing lines
    shown = 0
    product = None
    for info in pages:
        block = []
        if info.product != product:
            block += ["", f"#### {escape(info.product) or 'Home'}", "", _header(production_url), _rule(production_url)]
        row = _row(info, base_url, production_url)
        if shown >= max_rows or used + sum(len(b) + 1 for b in block) + len(row) + 1 > budget:
            break
        lines += block + [row]
        used += sum(len(b) + 1 for b in block) + len(row) + 1
        product = info.product
        shown += 1
    if shown < len(pages):
        left = len(pages) - shown
        lines += ["", f"and {left} more page{'s' if left != 1 else ''} (see `.build/changes.json` of the preview)."]
    if removed:
        lines += ["", "#### Removed pages", ""]
        listed = 0
        for c in removed:
            entry = f"- {code(c.source)} ({code(c.language)}, was {code(c.url)})"
            if listed >= max_rows or used + len(entry) + 1 > budget:
                break
            lines.append(entry)
            used += len(entry) + 1
            listed += 1
        if listed < len(removed):
            left = len(removed) - listed
            lines.append(f"- and {left} more")
    if others:
        parts = [f"{n} {kind} file{'s' if n != 1 else ''}" for kind, n in sorted(others.items())]
        lines += ["", "Also changed: " + ", ".join(parts) + "."]
    return "\n".join(lines).rstrip("\n") + "\n"


def _header(production: str) -> str:
    return "| Page | Preview | Production |" if production else "| Page | Preview |"


def _rule(production: str) -> str:
    return "| --- | --- | --- |" if production else "| --- | --- |"


def _row(info: PageInfo, base_url: str, production_url: str) -> str:
    page = f"{escape(info.title)}<br>{code(info.source)}"
    previews, productions = [], []
    for version, lang, url, change in info.links[:MAX_LINKS]:
        label = escape(f"{version} ({lang})")
        previews.append(f"[{label}]({link_url(base_url, url)})" if base_url else f"{label}: {code(url)}")
        if production_url:
            productions.append(f"{label}: new" if change == "added"
                               else f"[{label}]({link_url(production_url, url)})")
    more = len(info.links) - MAX_LINKS
    if more > 0:
        previews.append(f"and {more} more")
        if production_url:
            productions.append(f"and {more} more")
    cells = [page, "<br>".join(previews)] + (["<br>".join(productions)] if production_url else [])
    return "| " + " | ".join(cells) + " |"

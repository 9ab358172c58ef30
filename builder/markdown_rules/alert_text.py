"""An alert marker with text on its line: `> [!NOTE] Read this first.`

markdown-it renders an alert only when its marker stands alone on the quote's first line, so
this would show as a plain quote starting with "[!NOTE]". GitHub Docs converts any quote
that starts with a marker (the reference on GitHub Docs' behaviour, alerts), so the intent is clear:
it is rendered as the alert, the text on the marker's line its first paragraph, and a warning
(DB811) says to move the text to the next line, the form that github.com's own Markdown
preview (and every GFM renderer) shows as an alert too.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

KINDS = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")
MARKER = re.compile(r"\[!(" + "|".join(KINDS) + r")\][ \t]+(?=\S)", re.IGNORECASE)


def alert_with_text(state) -> None:
    """A core rule before inline parsing: a quote whose first paragraph starts with a marker
    followed by text becomes the alert markdown-it makes for a marker on its own line."""
    tokens = state.tokens
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(tokens) - 2:
        tok = tokens[i]
        if (tok.type != "blockquote_open" or tokens[i + 1].type != "paragraph_open"
                or tokens[i + 2].type != "inline"):
            i += 1
            continue
        inline = tokens[i + 2]
        m = MARKER.match(inline.content)
        if m is None:
            i += 1
            continue
        kind = m.group(1).upper()
        close = _matching_close(tokens, i)
        inline.content = inline.content[m.end():]
        tok.type, tok.tag = "alert_open", "div"
        tok.attrs = {"class": f"markdown-alert markdown-alert-{kind.lower()}"}
        tok.info, tok.meta = kind, {"kind": kind}
        tokens[close].type, tokens[close].tag = "alert_close", "div"
        title_open = Token("alert_title_open", "p", 1)
        title_open.attrSet("class", "markdown-alert-title")
        title = Token("inline", "", 0)
        title.content, title.children = kind.capitalize(), []
        title_close = Token("alert_title_close", "p", -1)
        for t in (title_open, title, title_close):
            t.level, t.block = tok.level + 1, True
        tokens[i + 1:i + 1] = [title_open, title, title_close]
        if tok.map:
            found.append((tok.map[0] + 1, kind))
        i += 4
    if found:
        state.env.setdefault("alert_text", []).extend(found)


def _matching_close(tokens, start: int) -> int:
    depth = 0
    for j in range(start, len(tokens)):
        if tokens[j].type == "blockquote_open":
            depth += 1
        elif tokens[j].type == "blockquote_close":
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def warnings(rendered) -> list[tuple[int, str]]:
    """(1-based line, message) of each marker with text on its line."""
    return [(line, f"`[!{kind}]` with text on its line: shown as the alert (as GitHub Docs does), but github.com "
             f"and other Markdown previews show a plain quote that starts with `[!{kind}]`; put the text on "
             f"the next line: `> [!{kind}]`, then `> text`") for line, kind in getattr(rendered, "_alert_text", ())]

"""Block renderers: highlighted code with copy buttons, tables, alert titles."""

from __future__ import annotations

from html import escape

from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore

from ..core.icons import icon_svg
from .highlight import display_name, highlight_code, parse_info

ALERT_ICONS = {"note": "info", "tip": "light-bulb", "important": "report", "warning": "alert", "caution": "stop"}


def render_fence(self, tokens, idx, options, env) -> str:
    tok = tokens[idx]
    lang, flags = parse_info(tok.info)
    code = tok.content
    highlighted = highlight_code(code, lang)
    body = highlighted if highlighted is not None else escape(code)
    cls = f' class="language-{escape(lang)}"' if lang else ""
    pre = f"<pre><code{cls}>{body}</code></pre>"
    if "copy" not in flags and "prompt" not in flags:
        return pre + "\n"
    label = escape(display_name(lang))
    copy_label = escape(env.get("ui", {}).get("copy_code", "Copy code to clipboard"))
    return (
        '<div class="code-example">'
        f'<div class="code-header"><span class="code-lang">{label}</span>'
        f'<button type="button" class="copy-button" aria-label="{copy_label}" title="{copy_label}">'
        f"{icon_svg('copy')}{icon_svg('check', {'class': 'copied-icon'})}</button></div>"
        f"{pre}</div>\n"
    )


def table_scopes(state: StateCore) -> None:
    in_head = False
    for tok in state.tokens:
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "th_open" and in_head:
            tok.attrSet("scope", "col")


def render_table_open(self, tokens, idx, options, env) -> str:
    return '<div class="table-wrap">' + self.renderToken(tokens, idx, options, env)


def render_table_close(self, tokens, idx, options, env) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>"


def alert_titles(state: StateCore) -> None:
    """Alert titles in the page's language (runs before inline parsing)."""
    titles = state.env.get("alert_titles") or {}
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type == "alert_title_open":
            kind = tokens[i - 1].info.lower() if i and tokens[i - 1].type == "alert_open" else "note"
            inline = tokens[i + 1]
            inline.content = titles.get(kind, inline.content)
            tok.meta["kind"] = kind


def render_alert_open(self, tokens, idx, options, env) -> str:
    tokens[idx].attrSet("data-container", "alert")
    return self.renderToken(tokens, idx, options, env)


def render_alert_title_open(self, tokens, idx, options, env) -> str:
    kind = tokens[idx].meta.get("kind", "note")
    return self.renderToken(tokens, idx, options, env) + icon_svg(ALERT_ICONS.get(kind, "info"))


def render_list_item_open(self, tokens, idx, options, env) -> str:
    """A task-list item's read-only checkbox, with an accessible name ("done" or "to do")."""
    tok = tokens[idx]
    html = RendererHTML.list_item_open(self, tokens, idx, options, env)
    if tok.meta and "checked" in tok.meta:  # the library's checkbox ends the item's opening: "...> "
        ui = env.get("ui", {})
        label = ui.get("task_done", "Done") if tok.meta["checked"] else ui.get("task_todo", "To do")
        html = html.removesuffix("> ") + f' aria-label="{escape(label)}"> '
    return html

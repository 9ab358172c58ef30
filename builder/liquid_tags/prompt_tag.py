"""`{% prompt %}text{% endprompt %}`: a Copilot Chat prompt, shown as code and followed by a
link that opens it in Copilot Chat (`https://github.com/copilot?prompt=<text>`)."""

from __future__ import annotations

import io
import re
from html import escape
from typing import TextIO
from urllib.parse import quote

from liquid import Node, Tag
from liquid.stream import TokenStream
from liquid.token import Token

from ..core.icons import icon_svg
from .wrapping import parse_wrapped

LABEL = "Run this prompt in Copilot Chat"
COPILOT = "https://github.com/copilot?prompt="


def encode_uri_component(text: str) -> str:
    """JavaScript's encodeURIComponent: UTF-8, everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) escaped."""
    return quote(text, safe="!~*'()")


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]~|])")
"""Characters that start inline Markdown (code, emphasis, links, strikethrough, table cells);
`&` and `<` are HTML-escaped instead."""


def prompt_html(text: str) -> str:
    """The prompt `text` as GitHub Docs shows it, but escaped (for HTML, and for the Markdown
    that reads it next) so that the code reads exactly as the prompt that the link sends."""
    icon = icon_svg("copilot")
    shown = escape(_MARKDOWN_PUNCTUATION.sub(r"\\\1", text), quote=False)
    return (f"<code>{shown}</code>"
            f'<a href="{escape(COPILOT + encode_uri_component(text), quote=False)}" target="_blank" '
            f'class="tooltipped tooltipped-nw ml-1" aria-label="{LABEL}" style="text-decoration:none;">{icon}</a>')


class PromptNode(Node):
    __slots__ = ("body",)

    def __init__(self, token: Token, body):
        super().__init__(token)
        self.body = body
        self.blank = False

    def render_to_output(self, context, buffer: TextIO) -> int:
        inner = io.StringIO()
        self.body.render(context, inner)
        return buffer.write(prompt_html(inner.getvalue()))


class PromptTag(Tag):
    name = "prompt"
    end = "endprompt"
    block = True

    def parse(self, stream: TokenStream) -> Node:
        return PromptNode(*parse_wrapped(self, stream, "{% prompt %} tag not closed; expected {% endprompt %}"))


__all__ = ["PromptTag", "prompt_html", "encode_uri_component"]

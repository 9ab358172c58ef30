"""Legacy `{% note %}`, `{% tip %}`, `{% warning %}`, `{% danger %}` blocks, rendered as alerts."""

from __future__ import annotations

from typing import TextIO

from liquid import Node, Tag
from liquid.stream import TokenStream
from liquid.token import Token

from ..core.tools import ALERT_KINDS
from .wrapping import parse_wrapped

KINDS = ALERT_KINDS


class AlertNode(Node):
    __slots__ = ("kind", "body")

    def __init__(self, token: Token, body, kind: str):
        super().__init__(token)
        self.kind = kind
        self.body = body
        self.blank = False

    def render_to_output(self, context, buffer: TextIO) -> int:
        n = buffer.write(f'<div class="markdown-alert markdown-alert-{self.kind}" data-container="alert">\n\n')
        n += self.body.render(context, buffer)
        n += buffer.write("\n\n</div>\n")
        return n


def _make(name: str, kind: str) -> type[Tag]:
    end_name = "end" + name

    class _AlertTag(Tag):
        block = True

        def parse(self, stream: TokenStream) -> Node:
            return AlertNode(*parse_wrapped(self, stream), kind)

    _AlertTag.name = name
    _AlertTag.end = end_name
    _AlertTag.__name__ = f"{name.title()}Tag"
    return _AlertTag


ALERT_TAGS = [_make(name, kind) for name, kind in KINDS.items()]
__all__ = ["ALERT_TAGS"]

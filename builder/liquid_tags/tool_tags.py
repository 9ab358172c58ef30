"""`{% webui %}…{% endwebui %}`, `{% mac %}…{% endmac %}` and the other tool and platform
blocks: the content, wrapped as `<div class="ghd-tool webui">…</div>` and a newline.

As in GitHub Docs, the wrapper is raw HTML around the rendered content: Markdown inside it is
rendered when blank lines separate it from the `<div>` lines (as authors write these blocks),
and the newline after `</div>` lets the Markdown that follows start a block of its own. The
tags do not depend on the version: a page's renders are shared as before.
"""

from __future__ import annotations

from typing import TextIO

from liquid import Node, Tag
from liquid.stream import TokenStream
from liquid.token import Token

from ..core.tools import PLATFORMS, TOOLS
from .wrapping import parse_wrapped


class WrapperNode(Node):
    __slots__ = ("name", "body")

    def __init__(self, token: Token, name: str, body):
        super().__init__(token)
        self.name = name
        self.body = body
        self.blank = False

    def render_to_output(self, context, buffer: TextIO) -> int:
        n = buffer.write(f'<div class="ghd-tool {self.name}">')
        n += self.body.render(context, buffer)
        return n + buffer.write("</div>\n")


def wrapper_tag(name: str) -> type[Tag]:
    """The block tag `{% name %}…{% endname %}` (arguments after the name are ignored, as
    GitHub Docs ignores them)."""
    end_name = "end" + name

    class _WrapperTag(Tag):
        block = True

        def parse(self, stream: TokenStream) -> Node:
            token, body = parse_wrapped(self, stream)
            return WrapperNode(token, name, body)

    _WrapperTag.name = name
    _WrapperTag.end = end_name
    _WrapperTag.__name__ = f"{name.title().replace('_', '')}Tag"
    return _WrapperTag


TOOL_TAGS = [wrapper_tag(name) for name in (*TOOLS, *PLATFORMS)]
__all__ = ["TOOL_TAGS", "WrapperNode", "wrapper_tag"]

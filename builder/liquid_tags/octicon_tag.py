"""`{% octicon "name" aria-label="…" %}`: an inline SVG icon from the bundled set."""

from __future__ import annotations

import re
from typing import TextIO

from liquid import Node, Tag
from liquid.stream import TokenStream
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG, Token

from ..core import codes
from .errors import CodedSyntaxError
from ..core.icons import ICONS, RENAMED, icon_exists, icon_svg

_ARGS = re.compile(r'^\s*"(?P<name>[A-Za-z0-9-]+)"(?P<rest>(?:\s+[\w-]+\s*=\s*"[^"]*")*)\s*$')
_PAIR = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')
USAGE = 'expected {% octicon "name" %} with optional key="value" pairs, such as aria-label="Settings"'


class OcticonNode(Node):
    __slots__ = ("svg",)

    def __init__(self, token: Token, svg: str):
        super().__init__(token)
        self.svg = svg
        self.blank = False

    def render_to_output(self, context, buffer: TextIO) -> int:
        return buffer.write(self.svg)


class OcticonTag(Tag):
    name = "octicon"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        expr = stream.current
        if expr.kind != TOKEN_EXPRESSION:
            raise CodedSyntaxError(codes.OCTICON, f"missing icon name; {USAGE}", token)
        m = _ARGS.match(expr.value)
        if not m:
            raise CodedSyntaxError(codes.OCTICON, f"bad octicon arguments {expr.value.strip()!r}; {USAGE}", expr)
        name = m.group("name")
        if not icon_exists(name):
            import difflib

            close = difflib.get_close_matches(name, list(ICONS) + list(RENAMED), n=1)
            raise CodedSyntaxError(
                codes.OCTICON,
                f"octicon {name!r} does not exist"
                + (f"; did you mean {close[0]!r}?" if close else f"; known icons: {', '.join(sorted(ICONS)[:12])}, ..."),
                expr,
                length=len(name) + 2,
            )
        attrs = dict(_PAIR.findall(m.group("rest")))
        if "aria-label" not in attrs and "label" not in attrs:
            attrs["aria-label"] = re.sub(r"[^a-z0-9]+", " ", name.lower()).strip() + " icon"
        return OcticonNode(token, icon_svg(name, attrs))

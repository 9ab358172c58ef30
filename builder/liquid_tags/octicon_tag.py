"""`{% octicon "name" aria-label="…" %}`: a Primer octicon as inline SVG (GitHub Docs' `octicon`).

As in GitHub Docs: the old names `trashcan`, `duplicate` and `clippy` still work, `label="…"`
also sets `aria-label`, an icon without a label is named "<name> icon", and other `key="value"`
pairs become attributes of the `<svg>`. Beyond GitHub Docs, an unknown name suggests the closest
icons, and attributes that would run script or sizes that are not numbers are refused.
"""

from __future__ import annotations

import difflib
import re
from typing import TextIO

from liquid import Node, Tag
from liquid.stream import TokenStream
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG, Token

from ..core import codes
from ..core.icons import RENAMED, icon_exists, icon_names, icon_svg
from .errors import CodedSyntaxError, sub_token

_ARGS = re.compile(r'^\s*"(?P<name>[A-Za-z0-9-]+)"(?P<rest>(?:\s+[\w-]+\s*=\s*"[^"]*")*)\s*$')
_PAIR = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')
_SIZE = re.compile(r"[1-9][0-9]{0,3}")
USAGE = 'expected {% octicon "name" %} with optional key="value" pairs, such as aria-label="Settings"'


class OcticonNode(Node):
    __slots__ = ("svg",)

    def __init__(self, token: Token, svg: str):
        super().__init__(token)
        self.svg = svg
        self.blank = False

    def render_to_output(self, context, buffer: TextIO) -> int:
        return buffer.write(self.svg)


def default_label(name: str) -> str:
    """GitHub Docs' accessible name for an unlabelled icon: `git-branch` -> "git branch icon"."""
    return re.sub(r"[^a-z0-9]+", " ", name.lower()) + " icon"


def unknown_icon_message(name: str) -> str:
    names = icon_names() + list(RENAMED)
    close = difflib.get_close_matches(name.lower(), names, n=3)
    close += [n for n in names if name.lower() in n.split("-") and n not in close][: 3 - len(close)]
    if not close:
        return (f"Octicon {name} does not exist. Icon names are Primer's octicons "
                "(https://primer.style/octicons), such as alert, check, gear, info")
    listed = ", ".join(repr(c) for c in close[:-1]) + (" or " if len(close) > 1 else "") + repr(close[-1])
    return f"Octicon {name} does not exist. Did you mean {listed}?"


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
            raise CodedSyntaxError(codes.OCTICON, unknown_icon_message(name),
                                   sub_token(expr, m.start("name") - 1, expr.value), length=len(name) + 2)
        name = RENAMED.get(name, name)
        options: dict[str, str] = {}
        for pair in _PAIR.finditer(m.group("rest")):
            key, value = pair.groups()
            at = sub_token(expr, m.start("rest") + pair.start(), expr.value)
            if key.lower().startswith("on"):
                raise CodedSyntaxError(codes.OCTICON, f"octicon attribute {key!r} is not allowed: an event "
                                       "handler would run script in the reader's browser", at, length=len(pair.group(0)))
            if key in ("width", "height") and not _SIZE.fullmatch(value):
                raise CodedSyntaxError(codes.OCTICON, f"octicon {key} {value!r} is not a size in pixels; "
                                       f'expected a whole number such as {key}="24"', at, length=len(pair.group(0)))
            options[key] = value
            if key == "label":
                options["aria-label"] = value
        if not options.get("aria-label"):
            options["aria-label"] = default_label(name)
        return OcticonNode(token, icon_svg(name, options))

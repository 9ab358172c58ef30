"""What the block tags that wrap their content share (`{% note %}`, `{% webui %}`, `{% prompt %}`,
...): arguments after the tag name are ignored, as GitHub Docs ignores them, and a block the file
ends inside is an error at its opening tag."""

from __future__ import annotations

from liquid import Tag
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.token import TOKEN_EOF, TOKEN_TAG, Token

from ..core import codes
from .errors import CodedSyntaxError


def parse_wrapped(tag: Tag, stream: TokenStream, unclosed: str | None = None) -> tuple[Token, object]:
    """The opening token and the parsed body of `tag`'s block, up to its `end<name>`. `unclosed`:
    the message when the end tag is missing (default: "{% name %} is never closed; ...")."""
    token = stream.eat(TOKEN_TAG)
    if stream.current.kind not in (TOKEN_TAG, TOKEN_EOF, "content", "output"):
        next(stream)
    end = "end" + tag.name
    body = get_parser(tag.env).parse_block(stream, (end,))
    if not stream.current.is_tag(end):
        message = unclosed or f"{{% {tag.name} %}} is never closed; expected {{% {end} %}}"
        raise CodedSyntaxError(codes.LIQUID_UNCLOSED, message, token)
    return token, body

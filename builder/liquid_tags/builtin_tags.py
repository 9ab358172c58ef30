"""python-liquid's own tags as we register them: errors of types of their own for a tag that is
not registered and for a block the file ends inside."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from liquid import Tag
from liquid.exceptions import LiquidSyntaxError
from liquid.stream import TokenStream
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_ILLEGAL, TOKEN_TAG, Token

from ..core import codes
from .errors import CodedSyntaxError, IllegalTagError


class IllegalTag(Tag):
    """Stands in for python-liquid's own: the same error, of a type of its own."""

    name = TOKEN_ILLEGAL
    block = False

    def parse(self, stream: TokenStream):
        token = stream.expect(TOKEN_TAG)
        if stream.peek.kind == TOKEN_EXPRESSION:
            next(stream)
        raise IllegalTagError(f"unexpected tag {token.value!r}" if token.value else "missing tag name", token=token)


class UnclosedBlockError(CodedSyntaxError):
    """A block that runs to the end of the file; its token is the block's opening tag."""

    def __init__(self, opener: Token):
        name = opener.value
        super().__init__(codes.LIQUID_UNCLOSED, f"{{% {name} %}} is never closed; expected {{% end{name} %}}", opener)


def closing_tags(tags: Mapping[str, Tag]) -> Iterator[type[Tag]]:
    """python-liquid's own tags among `tags`, each as a subclass that places its errors: one
    inside the tag's expression that python-liquid gives no place in the file is at the tag,
    and a block still open when the file ends names itself (python-liquid only says which end
    tag it expected, at no place)."""
    for tag in list(tags.values()):
        cls = type(tag)
        if cls.__module__.startswith("liquid.") and cls.name != TOKEN_ILLEGAL:
            yield _placed(cls)


def _placed(cls: type[Tag]) -> type[Tag]:
    block = bool(getattr(cls, "block", False) and getattr(cls, "end", None))

    def parse(self, stream: TokenStream):
        opener = stream.current
        try:
            return cls.parse(self, stream)
        except LiquidSyntaxError as err:
            nowhere = err.token is None or err.token.start_index < 0
            # The file ended (the stream is at its end) where the block's end tag should be.
            if block and stream.current.kind == TOKEN_EOF and (nowhere or err.token is opener):
                raise UnclosedBlockError(opener) from None
            if nowhere and opener.start_index >= 0:
                err.token = opener
            raise

    return type(cls.__name__, (cls,), {"parse": parse, "__module__": __name__})

"""`{% ifversion EXPR %}…{% elsif EXPR %}…{% else %}…{% endifversion %}` (or `{% endif %}`)."""

from __future__ import annotations

from typing import TextIO

from liquid import Node, Tag
from liquid.ast import BlockNode, IllegalNode
from liquid.exceptions import LiquidError
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG, Token

from ..core import codes
from ..core.diagnostics import Severity
from ..versions.conditions import Condition, original_span
from ..versions.expression import ExpressionError
from .errors import CodedSyntaxError, sub_token
from .state import current

END_TAGS = frozenset(("endifversion", "endif"))
BRANCH_END = frozenset(("endifversion", "endif", "elsif", "else"))


class IfversionNode(Node):
    __slots__ = ("branches", "default")

    def __init__(self, token: Token, branches: list[tuple[Condition, BlockNode]], default: BlockNode | None):
        super().__init__(token)
        self.branches = branches
        self.default = default
        self.blank = False

    def render_to_output(self, context, buffer: TextIO) -> int:
        state = current()
        version = state.version
        trace = state.trace
        feature_files = context.env.data.feature_files
        for taken, (condition, block) in enumerate(self.branches):
            result = condition(version)
            trace[("cond", condition.text)] = result
            for name in condition.feature_names:
                state.reads.add(feature_files[name])
            if result:
                _record(state, self, taken)
                return block.render(context, buffer)
        _record(state, self, len(self.branches))
        if self.default is not None:
            return self.default.render(context, buffer)
        return 0

    def children(self, static_context, *, include_partials: bool = True):
        for _, block in self.branches:
            yield block
        if self.default is not None:
            yield self.default


def _record(state, node: IfversionNode, taken: int) -> None:
    """Which branch this block took, when the render records it (not inside a variable's value,
    whose offsets are not the file's)."""
    if state.blocks is not None and not (state.stack and state.stack[-1].relocate is not None):
        state.blocks[(state.path, node.token.start_index)] = (node, taken)


class IfversionTag(Tag):
    name = "ifversion"
    end = "endifversion"
    block = True

    def _condition(self, stream: TokenStream, tag: Token) -> Condition:
        if stream.current.kind != TOKEN_EXPRESSION:
            raise CodedSyntaxError(
                codes.IFVERSION_SYNTAX,
                f"{{% {tag.value} %}} needs a condition, such as {{% {tag.value} ghes > 3.4 %}}",
                tag,
            )
        expr = next(stream)
        try:
            condition = self.env.condition(expr.value)
        except ExpressionError as err:
            tok = sub_token(expr, err.offset, expr.value[err.offset : err.offset + err.length] or " ")
            raise CodedSyntaxError(err.code, err.message, tok, length=err.length) from None
        for warning in condition.warnings:  # offsets in the normalized text: map them to expr's
            offset, length = original_span(expr.value, warning.offset, warning.length)
            tok = sub_token(expr, offset, expr.value[offset : offset + length])
            self.env.warn(CodedSyntaxError(warning.code, warning.message, tok, length=length,
                                           severity=Severity.WARNING))
        return condition

    def get_node(self, stream: TokenStream) -> Node:
        """Parse; after an error, skip to this block's own end so later tags still parse."""
        try:
            return self.parse(stream)
        except LiquidError as err:
            token = stream.current
            if not err.token:
                err.token = token
            self.env.error(err)
            _skip_to_end(stream)
            return IllegalNode(token)

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        parse_block = get_parser(self.env).parse_block
        branches = [(self._condition(stream, token), parse_block(stream, BRANCH_END))]
        while stream.current.is_tag("elsif"):
            tag = next(stream)
            branches.append((self._condition(stream, tag), parse_block(stream, BRANCH_END)))
        default = None
        if stream.current.is_tag("else"):
            next(stream)
            default = parse_block(stream, BRANCH_END)
            if stream.current.is_tag("else") or stream.current.is_tag("elsif"):
                raise CodedSyntaxError(
                    codes.LIQUID_STRAY_TAG,
                    f"unexpected {{% {stream.current.value} %}} after {{% else %}} in this ifversion block",
                    stream.current,
                )
        if stream.current.kind == TOKEN_EOF or stream.current.value not in END_TAGS:
            raise CodedSyntaxError(
                codes.LIQUID_UNCLOSED,
                "{% ifversion %} is never closed; expected {% endifversion %} (or {% endif %})",
                token,
            )
        return IfversionNode(token, branches, default)


def _skip_to_end(stream: TokenStream) -> None:
    """Advance to the `endifversion`/`endif` that closes the block the stream is in."""
    own = 0  # nested ifversion blocks opened since the error
    plain = 0  # nested if/unless blocks opened since the error
    while stream.current.kind != TOKEN_EOF:
        tok = stream.current
        if tok.kind == TOKEN_TAG:
            if tok.value == "ifversion":
                own += 1
            elif tok.value in ("if", "unless"):
                plain += 1
            elif tok.value == "endunless":
                plain = max(0, plain - 1)
            elif tok.value == "endif" and plain:
                plain -= 1
            elif tok.value in END_TAGS:
                if own == 0:
                    return
                own -= 1
        next(stream)

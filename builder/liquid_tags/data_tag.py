"""`{% data variables.x.y %}`, `{% data reusables.a.b %}` and `{% indented_data_reference … %}`."""

from __future__ import annotations

import re
from typing import TextIO

from liquid import Node, Tag
from liquid.exceptions import LiquidError, StopRender
from liquid.stream import TokenStream
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG, Token

from ..core import codes
from ..core.paths import check_site_path_decoded, explain
from ..sources.data import DataPathError, split_data_path
from .errors import CodedError, CodedSyntaxError, sub_token
from .limits import charge, expand
from .sourcemap import prefix_lines, strip_mapped, tag_start
from .state import Frame, MappedBuffer, current

MAX_DEPTH = 24
_BLOCKQUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_SPACES = re.compile(r"^\s*spaces\s*=\s*(\S+)\s*$")
DATA_HINT = "a data path is dotted names only, such as variables.product.name"


def _line_prefix(token: Token) -> str:
    """The text before the tag's `{%` on its source line."""
    source = token.source
    brace = tag_start(source, token.start_index)
    line_start = source.rfind("\n", 0, brace) + 1
    return source[line_start:brace]


def data_missing(parts: list[str], token: Token, length: int | None = None) -> CodedError:
    """The error for a `{% data %}` path that names no reusable or variable."""
    if parts[0] == "reusables":
        what = f"reusable {'.'.join(parts)!r} not found: expected data/{'/'.join(parts)}.md"
    else:
        what = (f"variable {'.'.join(parts)!r} not found: "
                f"expected a key {parts[-1]!r} in data/{'/'.join(parts[:-1])}.yml")
    return CodedError(codes.DATA_MISSING, what, token, length=length)


class DataNode(Node):
    __slots__ = ("parts", "indent", "quote", "first_line", "path_token")

    def __init__(self, token: Token, parts: list[str], *, indent: str = "", quote: str = "",
                 first_line: bool = False, path_token: Token | None = None):
        super().__init__(token)
        self.path_token = path_token or token
        self.parts = parts
        self.indent = indent
        self.quote = quote
        self.first_line = first_line
        self.blank = False

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)

    def render_to_output(self, context, buffer: TextIO) -> int:
        env = context.env
        state = current()
        expand(state, self.token)
        state.reads.update(env.data.probes(env.language, self.parts))
        if self.parts[0] == "reusables":
            text, marks = self._render_reusable(env, state, context)
        else:
            text, marks = self._render_variable(env, state, context)
        if state.stopped:  # a limit was reached inside: unwind without writing
            raise StopRender
        text, marks = strip_mapped(text, marks)
        plain = len(text)
        if self.indent:
            text, marks = prefix_lines(text, marks, self.indent, first=self.first_line)
        if self.quote:
            text, marks = prefix_lines(text, marks, self.quote, first=False, blank=self.quote.rstrip(),
                                       skip=lambda line: line.lstrip().startswith(">"))
        if len(text) > plain:  # the indentation added to each line counts too
            charge(state, len(text) - plain, self.token)
        if isinstance(buffer, MappedBuffer):
            return buffer.write_mapped(text, marks)
        return buffer.write(text)

    def _missing(self) -> CodedError:
        return data_missing(self.parts, self.path_token, len(self.dotted))

    def _render_reusable(self, env, state, context):
        rel = env.data.reusable_file(env.language, self.parts)
        if rel is None:
            raise self._missing()
        chain = [f.path for f in state.stack]
        if rel in chain:
            cycle = " -> ".join(chain[chain.index(rel):] + [rel])
            raise CodedError(codes.DATA_CYCLE, f"reusable {self.dotted!r} includes itself: {cycle}", self.token)
        if len(state.stack) > MAX_DEPTH:
            raise CodedError(codes.LIQUID_NESTING, f"reusables are nested more than {MAX_DEPTH} deep", self.token)
        template = env.reusable_template(rel, state, self.token)
        state.reads.add(rel)
        sub = MappedBuffer(rel)
        if template is None:  # it failed to parse; the parse errors are already reported
            return "", []
        state.includes.setdefault(rel, (state.path, self.token))
        state.stack.append(Frame(rel, self.token))
        try:
            template.render_with_context(context, sub, partial=True)
        finally:
            state.stack.pop()
        return sub.getvalue(), sub.marks

    def _render_variable(self, env, state, context):
        if self.parts[0] != "variables":
            raise CodedError(
                codes.DATA_BAD_PATH,
                f"{self.dotted!r} is not a data path: it starts with 'variables.' or 'reusables.'",
                self.token,
            )
        found = env.data.variable(env.language, self.parts)
        if found is None:
            raise self._missing()
        state.reads.add(found.file)
        value = found.value
        if isinstance(value, (dict, list)):
            raise CodedError(
                codes.DATA_BAD_PATH,
                f"{self.dotted!r} is a {'mapping' if isinstance(value, dict) else 'list'} in {found.file}, "
                "not a value; name one of its keys",
                self.path_token,
                length=len(self.dotted),
            )
        text = "" if value is None else str(value)
        marks = [(0, self.token, state.path, 0)]
        if "{%" in text or "{{" in text:
            uses = [f.variable or f.path for f in state.stack]
            if self.dotted in uses:
                cycle = " -> ".join(uses[uses.index(self.dotted):] + [self.dotted])
                raise CodedError(codes.DATA_CYCLE, f"variable {self.dotted!r} uses itself: {cycle}", self.token)
            template, frame = env.value_template(self.parts, found, state, self.token)
            if template is None:  # it failed to parse; the parse errors are reported
                return "", []
            frame.variable = self.dotted
            sub = MappedBuffer(frame.path)
            state.stack.append(frame)
            try:
                template.render_with_context(context, sub, partial=True)
            finally:
                state.stack.pop()
            text = sub.getvalue()
        else:  # a plain value is written as it is: it counts here (a rendered one counted as it was written)
            charge(state, len(text), self.token)
        return text, marks


def _path_token(expr: Token) -> Token:
    """The data path's own token (the expression may carry spaces=N after it)."""
    value = expr.value
    lead = len(value) - len(value.lstrip())
    path = value.strip().split()[0] if value.strip() else value
    return Token(expr.kind, path, expr.start_index + lead, expr.source)


def _parse_path(expr: Token, text: str) -> list[str]:
    issue = check_site_path_decoded(text)
    if issue is not None and "segment" not in issue.reason and text[issue.offset] not in "\\/":
        # a character no data path holds ('/', '\\' and '..': split_data_path says they leave data/)
        at = sub_token(expr, max(0, expr.value.find(text)) + issue.offset, text[issue.offset:])
        raise CodedSyntaxError(codes.DATA_BAD_PATH, explain("data path", text, issue, DATA_HINT, suggest=False),
                               at, length=issue.length)
    try:
        parts = split_data_path(text)
    except DataPathError as err:
        raise CodedSyntaxError(codes.DATA_BAD_PATH, str(err), expr) from None
    if parts[0] not in ("variables", "reusables") or len(parts) < 2 or (parts[0] == "variables" and len(parts) < 3):
        raise CodedSyntaxError(
            codes.DATA_BAD_PATH,
            f"{text!r} is not a data path; expected variables.<file>.<key> or reusables.<path>",
            expr,
        )
    return parts


class DataTag(Tag):
    name = "data"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        expr = stream.current
        if expr.kind != TOKEN_EXPRESSION or not expr.value.strip():
            raise CodedSyntaxError(
                codes.DATA_BAD_PATH,
                "{% data %} needs a path, such as {% data variables.product.name %}",
                token,
            )
        text = expr.value.strip()
        if " " in text:
            raise CodedSyntaxError(
                codes.DATA_BAD_PATH,
                f"{{% data %}} takes one dotted path, found {text!r}",
                expr,
            )
        parts = _parse_path(expr, text)
        self.env.check_data_exists(parts, expr)
        prefix = _line_prefix(token)
        indent = prefix if prefix and not prefix.strip() else ""
        quote_match = _BLOCKQUOTE.match(prefix)
        quote = quote_match.group(0).lstrip(" \t") if quote_match else ""
        return DataNode(token, parts, indent=indent, quote=quote, path_token=_path_token(expr))


class IndentedDataReferenceTag(Tag):
    name = "indented_data_reference"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        expr = stream.current
        usage = "expected {% indented_data_reference reusables.path spaces=NUMBER %}"
        if expr.kind != TOKEN_EXPRESSION or not expr.value.strip():
            raise CodedSyntaxError(codes.DATA_BAD_ARGS, f"missing path; {usage}", token)
        path_text, _, rest = expr.value.strip().partition(" ")
        parts = _parse_path(expr, path_text)
        spaces = 2
        if rest.strip():
            m = _SPACES.match(rest)
            if not m:
                raise CodedSyntaxError(codes.DATA_BAD_ARGS, f"unexpected {rest.strip()!r}; {usage}", expr)
            if not m.group(1).isdigit():
                raise CodedSyntaxError(
                    codes.DATA_BAD_ARGS, f"spaces must be a number, found {m.group(1)!r}; {usage}", expr
                )
            spaces = int(m.group(1))
            if spaces > 40:
                raise CodedSyntaxError(codes.DATA_BAD_ARGS, f"spaces={spaces} is more than 40", expr)
        self.env.check_data_exists(parts, expr)
        return DataNode(token, parts, indent=" " * spaces, first_line=True, path_token=_path_token(expr))


__all__ = ["DataTag", "IndentedDataReferenceTag", "LiquidError"]

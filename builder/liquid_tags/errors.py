"""Turn python-liquid errors into diagnostics with a stable code and the right location."""

from __future__ import annotations

from liquid.exceptions import (
    BlockNestingError,
    ContextDepthError,
    LiquidError,
    LiquidSyntaxError,
    LoopIterationLimitError,
    OutputStreamLimitError,
    ResourceLimitError,
    UndefinedError,
    UnknownFilterError,
)
from liquid.token import TOKEN_TAG, Token

from ..core import codes
from ..core.codes import Code
from ..core.diagnostics import Diagnostic, Severity
from ..core.location import Location, locate
from ..core.tools import ALERT_KINDS, BLOCK_TAGS
from . import limits
from .coded import CodedError, CodedSyntaxError
from .sourcemap import content_start, tag_start


def sub_token(token: Token, offset: int, text: str) -> Token:
    """A token for part of `token`'s text, so carets point at the exact words."""
    return Token(token.kind, text, token.start_index + offset, token.source)


STRAY = {"endif", "else", "elsif", "endifversion", "endfor", "endunless", "endcase", "when",
         "endcapture", "endraw", "endcomment"}
"""Tags that only continue or close a block; so do the alert blocks' end tags (`_alert_end`)."""
LEGACY_OPERATORS = {"ver_gt", "ver_lt"}


class IllegalTagError(LiquidSyntaxError):
    """A tag that is not registered (unknown, or an end tag with no block open), raised by
    `builtin_tags.IllegalTag`: its token is the tag, its name the token's value."""


def to_diagnostic(err: LiquidError, path: str, *, notes: tuple[str, ...] = (),
                  source: str | None = None, render: bool = False) -> Diagnostic:
    """A diagnostic for `err` raised while parsing or (`render`) rendering the file `path`."""
    token = err.token
    message = str(err.message if hasattr(err, "message") else err)
    code = getattr(err, "code", None)
    length = getattr(err, "length", None)
    severity = getattr(err, "severity", Severity.ERROR)
    notes = tuple(getattr(err, "notes", ())) + notes
    text = token.source if token is not None and token.source else (source or "")
    offset = token.start_index if token is not None else -1

    if code is None:
        code, message, offset, length = _classify(err, message, token, text, offset)
        if render and code is codes.LIQUID_SYNTAX and not isinstance(err, UnknownFilterError):
            code, message, offset, length = _render_error(err, message, token, text, offset, length)
    if offset < 0 or not text:
        return Diagnostic(code, message, Location(path, 1, 1), severity, notes)
    if token is not None and token.kind == "content" and offset == token.start_index:
        offset = content_start(token)
    elif token is not None and token.kind == "tag" and offset in (token.start_index, _brace_before(text, token.start_index)):
        brace = _brace_before(text, token.start_index)
        if brace != token.start_index:
            close = text.find("%}", token.start_index)
            offset = brace
            if close != -1 and "\n" not in text[brace:close]:
                length = close + 2 - brace
    if length is None:
        length = len(token.value) if token is not None and token.kind != "content" else 1
    return Diagnostic(code, message, locate(path, text, offset, length), severity, notes)


def _classify(err: LiquidError, message: str, token: Token | None, text: str, offset: int):
    length = None
    if isinstance(err, UndefinedError):
        return codes.LIQUID_UNDEFINED, f"{message}; Liquid variables available here are currentVersion, currentLanguage, currentRelease, the plan and feature names", offset, length
    if isinstance(err, BlockNestingError):
        brace = tag_start(text, offset)
        if brace != offset:
            close = text.find("%}", brace)
            offset, length = brace, (close + 2 - brace) if close != -1 else 2
        return codes.LIQUID_NESTING, f"{message}: blocks or includes are nested more than 40 deep", offset, length
    if isinstance(err, ContextDepthError):
        return codes.LIQUID_NESTING, f"{message}: includes are nested too deeply", offset, length
    if isinstance(err, UnknownFilterError):
        return codes.LIQUID_SYNTAX, message, offset, length
    if isinstance(err, ResourceLimitError):
        code, message = _resource_limit(err)
        return code, message, offset, length
    is_tag = isinstance(err, LiquidSyntaxError) and token is not None and token.kind == TOKEN_TAG
    if is_tag and (isinstance(err, IllegalTagError) or token.value in STRAY or _alert_end(token.value)) and token.value:
        name = token.value
        if name == "raw":  # the lexer found no {% endraw %}
            return codes.LIQUID_UNCLOSED, "{% raw %} is never closed; expected {% endraw %}", _brace_before(text, offset), None
        if name in STRAY or _alert_end(name):
            return (codes.LIQUID_STRAY_TAG,
                    f"unexpected {{% {name} %}}: there is no open block for it to "
                    f"{'close' if name.startswith('end') else 'continue'}",
                    _brace_before(text, offset), None)
        return (codes.LIQUID_UNKNOWN_TAG,
                f"unknown tag {name!r}; expected a Liquid tag such as ifversion, data, octicon, if, for, raw",
                offset, len(name))
    if token is not None and token.value in LEGACY_OPERATORS:
        return (codes.LIQUID_LEGACY,
                f"'{token.value}' is pre-2021 GitHub Docs syntax; rewrite the condition with ifversion, "
                "such as {% ifversion ghes > 3.0 %}", offset, None)
    return codes.LIQUID_SYNTAX, message, offset, length


def _brace_before(text: str, offset: int) -> int:
    return tag_start(text, offset, within=8)


def _resource_limit(err: ResourceLimitError) -> tuple[Code, str]:
    """python-liquid's own limits (set from `limits`): loops, captures, assigned values."""
    if isinstance(err, LoopIterationLimitError):
        return (codes.LIQUID_LOOP_LIMIT,
                f"loops run more than {limits.MAX_LOOP:,} times (the limit; nested loops multiply): "
                "loop over less")
    if isinstance(err, OutputStreamLimitError):
        return (codes.LIQUID_TOO_LARGE,
                f"a {{% capture %}} is longer than {limits.MAX_CAPTURE:,} bytes (the limit): capture less")
    return (codes.LIQUID_TOO_LARGE,
            f"the values set with {{% assign %}} and {{% capture %}} take more than {limits.MAX_LOCALS:,} "
            "bytes (the limit): build less text in Liquid variables")


def _alert_end(name: str) -> bool:
    """The end tag of one of our blocks: alerts, tools, platforms, rowheaders, prompt."""
    return name.startswith("end") and (name[3:] in ALERT_KINDS or name[3:] in BLOCK_TAGS or name == "endprompt")


def _render_error(err: LiquidError, message: str, token, text: str, offset: int, length):
    """Errors raised while rendering (a filter failing, an include) are DB205, in plain words."""
    from liquid.exceptions import TemplateNotFoundError

    if isinstance(err, TemplateNotFoundError):
        name = err.args[0] if err.args else "?"
        if 0 <= offset < len(text) and text[offset] in "'\"":
            length = len(str(name)) + 2
        return (codes.LIQUID_RENDER,
                f"template {name!r} not found: {{% include %}} has no templates to load here; "
                "use {% data reusables.<path> %}", offset, length)
    return codes.LIQUID_RENDER, message, offset, length

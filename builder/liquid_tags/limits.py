"""Bounds on the work of one Liquid render of a page, so that hostile content cannot make a
build run for hours or fill the memory (eleven reusables that each include the next four
times expand a million times).

The limits are far above real content: GitHub Docs' biggest pages are a few hundred KB after
Liquid and expand a few hundred `{% data %}` tags; Liquid variables hold short strings. A
render that reaches a limit stops at once (nothing more is expanded) and reports one error
where it stopped (at the `{% data %}` tag, with the `included from` chain down to the page).
"""

from __future__ import annotations

import functools

from liquid.exceptions import ResourceLimitError, StopRender

from ..core import codes
from .coded import CodedError
from .current import CURRENT

MAX_EXPANDED = 10_000_000
"""Characters of a page after Liquid (for each version that renders differently)."""
MAX_EXPANSIONS = 20_000
"""`{% data %}` tags (reusables and variables, however deeply nested) expanded in one render."""
MAX_LOOP = 100_000
"""Iterations of `{% for %}` loops, nested loops multiplied (python-liquid's own limit)."""
MAX_VALUE = 2_000_000
"""Characters (or items) of a filter's result: `{{ s | replace: 'a', s }}` squares."""
MAX_FILTERED = 50_000_000
"""Characters (or items) made by all filters of one render: a loop appending to a long string
copies it at each turn."""
MAX_CAPTURE = MAX_VALUE
"""Bytes of one `{% capture %}` (python-liquid's output stream limit)."""
MAX_LOCALS = 4 * MAX_VALUE
"""Bytes of `{% assign %}`ed values (python-liquid's local namespace limit)."""


class LimitError(CodedError):
    """A limit of this module was reached; the render stops."""


def stops_render(err: Exception) -> bool:
    """Whether `err` is a limit: reported once, then the render stops."""
    return isinstance(err, (LimitError, ResourceLimitError))


def _page(state) -> str:
    return state.stack[0].path if state.stack else "the page"


def charge(state, size: int, token=None) -> None:
    """Count `size` characters of output (made by the tag `token`, in the file on top of the
    stack, if given); past MAX_EXPANDED the render stops."""
    if state.stopped:
        raise StopRender
    state.expanded += size
    if state.expanded > MAX_EXPANDED:
        _stop(state, codes.LIQUID_TOO_LARGE,
              f"{_page(state)} is longer than {MAX_EXPANDED:,} characters after Liquid (the limit); "
              "the reusables included here make it too large: include less, or split the page", token=token)


def expand(state, token) -> None:
    """Count one `{% data %}` tag (`token`, in the file on top of the stack)."""
    if state.stopped:
        raise StopRender
    state.expansions += 1
    if state.expansions > MAX_EXPANSIONS:
        _stop(state, codes.DATA_TOO_MANY,
              f"{_page(state)} expands more than {MAX_EXPANSIONS:,} {{% data %}} tags (the limit): a reusable "
              "or variable that includes another several times multiplies it; include each one once",
              token=token)


def _stop(state, code, message: str, token=None) -> None:
    """Record the error once, at `token` or else at the tag that included the innermost file,
    and stop the render (each `{% data %}` tag on the way out stops too)."""
    stack = list(state.stack)
    if token is None and len(stack) > 1:
        token = stack[-1].include_token
        stack = stack[:-1]
    state.stopped = True
    state.errors.append((LimitError(code, message, token), stack))
    raise StopRender


# Filters -----------------------------------------------------------------------------------

_GROWS = {"replace": 1, "replace_first": 0, "replace_last": 0}
"""Filters whose result can be the product of their arguments' sizes (all or one occurrence)."""


MAX_BITS = 1024
"""Bits of a number a filter makes (`{% assign n = n | times: n %}` doubles them)."""


def _too_big(value: object) -> bool:
    if isinstance(value, (str, list, tuple, dict)):
        return len(value) > MAX_VALUE
    return isinstance(value, int) and value.bit_length() > MAX_BITS


def _projected(name: str, args: tuple, kwargs: dict) -> int:
    """The size of the result of `replace*` or `join`, before it is made."""
    if name == "join" and args and isinstance(args[0], (list, tuple, range)):
        sep = args[1] if len(args) > 1 else kwargs.get("separator", " ")
        return len(args[0]) * len(str(sep)) if isinstance(sep, (str, int, float)) else 0
    if name in _GROWS and len(args) >= 2 and all(isinstance(a, (str, int, float)) for a in args[:3]):
        text, old = str(args[0]), str(args[1])
        new = str(args[2]) if len(args) > 2 else ""
        count = text.count(old) if _GROWS[name] else min(1, text.count(old))
        return len(text) + count * (len(new) - len(old))
    return 0


def bounded(name: str, func):
    """The filter `func` refusing to make a value longer than MAX_VALUE."""

    @functools.wraps(func)
    def call(*args, **kwargs):
        if args and isinstance(args[0], range) and len(args[0]) > MAX_VALUE:  # `(1..100000000) | reverse`
            raise LimitError(codes.LIQUID_TOO_LARGE,
                             f"the {name!r} filter is given a range of more than {MAX_VALUE:,} numbers (the limit): "
                             "use a shorter range", None)
        if name in _GROWS or name == "join":
            if _projected(name, args, kwargs) > MAX_VALUE:
                raise _too_long(name)
        result = func(*args, **kwargs)
        if _too_big(result):
            raise _too_long(name, number=isinstance(result, int))
        if isinstance(result, (str, list, tuple)):
            _count_filtered(name, len(result))
        return result

    return call


def _count_filtered(name: str, size: int) -> None:
    state = CURRENT.get()
    if state is None:
        return
    state.filtered += size
    if state.filtered > MAX_FILTERED:
        raise LimitError(codes.LIQUID_TOO_LARGE,
                         f"the filters of {_page(state)} made more than {MAX_FILTERED:,} characters (the limit), "
                         f"the last one {name!r}: build less in Liquid", None)


def _too_long(name: str, number: bool = False) -> LimitError:
    what = f"a number of more than {MAX_BITS:,} bits" if number else f"longer than {MAX_VALUE:,} characters"
    return LimitError(codes.LIQUID_TOO_LARGE,
                      f"the result of the {name!r} filter is {what} (the limit): build less in Liquid", None)

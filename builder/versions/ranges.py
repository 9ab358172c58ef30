"""npm-style semver ranges for frontmatter `versions:` values (pure)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

_PART = r"(?:0|[1-9]\d*|[xX*])"
_VERSION = rf"v?({_PART})(?:\.({_PART}))?(?:\.({_PART}))?"
_COMPARATOR = re.compile(rf"^(<=|>=|<|>|=|~|\^)?\s*{_VERSION}$")
_HYPHEN = re.compile(rf"^{_VERSION}\s+-\s+{_VERSION}$")

Triple = tuple[int, int, int]
Test = Callable[[Triple], bool]


class RangeError(ValueError):
    """Text that is not a valid semver range."""


def coerce(release: str) -> Triple:
    """`3.5` -> (3, 5, 0), as semver.coerce does."""
    parts = [int(p) for p in release.split(".")[:3]]
    while len(parts) < 3:
        parts.append(0)
    return parts[0], parts[1], parts[2]


@lru_cache(maxsize=1024)
def parse_range(text: str) -> Test:
    """Compile a range such as `>= 3.5`, `>=2.22 <3.1`, `3.x`, `*` or `a || b`."""
    if not isinstance(text, str):
        raise RangeError(f"expected a version range string, found {text!r}")
    alternatives = []
    for alt in text.split("||"):
        alt = alt.strip()
        if not alt or alt in {"*", "x", "X", "latest"}:
            alternatives.append([lambda _v: True])
            continue
        hyphen = _HYPHEN.match(alt)
        if hyphen:
            low = _partial(hyphen.groups()[:3])
            high = _partial(hyphen.groups()[3:])
            alternatives.append([_cmp(">=", low), _upper_inclusive(high)])
            continue
        # Join operators to their operands: ">= 3.5" -> ">=3.5".
        words = re.sub(r"(<=|>=|<|>|=|~|\^)\s+", r"\1", alt).split()
        tests = []
        for word in words:
            m = _COMPARATOR.match(word)
            if not m:
                raise RangeError(
                    f"{word!r} is not a version comparison; expected forms such as '*', "
                    "'>= 3.5', '<3.10', '>=2.22 <3.1' or '3.x'"
                )
            op = m.group(1) or "="
            tests.extend(_comparator(op, _partial(m.groups()[1:4])))
        alternatives.append(tests)

    def test(version: Triple) -> bool:
        return any(all(t(version) for t in tests) for tests in alternatives)

    return test


def satisfies(release: str, range_text: str) -> bool:
    return parse_range(range_text)(coerce(release))


def _partial(groups) -> tuple[int | None, ...]:
    out: list[int | None] = []
    for g in groups:
        if g is None or g in "xX*":
            break
        out.append(int(g))
    return tuple(out)


def _pad(parts: tuple[int | None, ...]) -> Triple:
    p = [x or 0 for x in parts] + [0, 0, 0]
    return p[0], p[1], p[2]


def _cmp(op: str, parts) -> Test:
    bound = _pad(parts)
    return {
        ">=": lambda v: v >= bound,
        ">": lambda v: v > bound,
        "<=": lambda v: v <= bound,
        "<": lambda v: v < bound,
        "=": lambda v: v == bound,
    }[op]


def _next_up(parts: tuple) -> Triple:
    """Exclusive upper bound of a partial version: 3 -> 4.0.0, 3.5 -> 3.6.0."""
    if len(parts) == 1:
        return (parts[0] + 1, 0, 0)
    if len(parts) == 2:
        return (parts[0], parts[1] + 1, 0)
    return (parts[0], parts[1], parts[2] + 1)


def _upper_inclusive(parts) -> Test:
    if len(parts) == 3:
        return _cmp("<=", parts)
    if not parts:
        return lambda _v: True
    up = _next_up(parts)
    return lambda v: v < up


def _comparator(op: str, parts) -> list[Test]:
    if not parts:  # '*', 'x' or '>=x'
        return [lambda _v: op not in {"<", ">"}]
    if op == "=":
        if len(parts) == 3:
            return [_cmp("=", parts)]
        return [_cmp(">=", parts), _cmp("<", _next_up(parts))]
    if op == "~":
        upper = (parts[0] + 1, 0, 0) if len(parts) == 1 else (parts[0], parts[1] + 1, 0)
        return [_cmp(">=", parts), _cmp("<", upper)]
    if op == "^":
        if parts[0] > 0 or len(parts) == 1:
            upper = (parts[0] + 1, 0, 0)
        elif len(parts) == 2 or parts[1] > 0:
            upper = (0, parts[1] + 1, 0)
        else:
            upper = (0, 0, parts[2] + 1)
        return [_cmp(">=", parts), _cmp("<", upper)]
    if op == ">" and len(parts) < 3:
        return [_cmp(">=", _next_up(parts))]
    if op == "<=" and len(parts) < 3:
        return [_cmp("<", _next_up(parts))]
    return [_cmp(op, parts)]

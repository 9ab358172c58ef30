"""hardcoded-name: a product name that has a variable in data/variables is written with it.

Only names (a capital letter somewhere) of two words or more, or with a dot (`GitHub.com`), are
looked for: one common word, or a lower-case phrase, would flag ordinary prose. Code spans, code blocks, link destinations and Liquid are skipped."""

from __future__ import annotations

import re
from functools import lru_cache

from ...core import codes
from ...core.diagnostics import Severity
from .base import Finding, Rule, block_lines

_SKIPPED = re.compile(r"(`+).*?\1|\]\([^)]*\)|<[a-z][a-z0-9+.-]*:[^>\s]*>|https?://\S+", re.I)


def distinctive(value: str) -> bool:
    """Whether a variable's value is worth looking for in prose."""
    value = value.strip()
    if not value or len(value) < 6 or "{" in value or "<" in value or "\n" in value:
        return False
    if value == value.lower():
        return False  # a phrase ("personal access token"), not a name
    words = value.split()
    return (len(words) >= 2 and len(words) <= 6) or ("." in value and len(words) == 1 and value[-1] != ".")


@lru_cache(maxsize=4)
def _pattern(names: tuple[str, ...]) -> re.Pattern | None:
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))
    return re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w-]|\.\w)")


def check(source):
    pattern = _pattern(tuple(sorted(source.variables)))
    if pattern is None:
        return
    seen: set[int] = set()
    for tok, _children in source.inline_children():
        first, last = block_lines(source, tok)
        for line in range(first, last + 1):
            if line in seen or line - 1 >= len(source.lines):
                continue
            seen.add(line)
            text = _SKIPPED.sub(lambda m: " " * len(m.group(0)), source.lines[line - 1])
            for m in pattern.finditer(text):
                name = source.variables[m.group(0)]
                yield Finding(line, m.start() + 1, f"{m.group(0)!r} is the value of a variable; write "
                                                   f"{{% data {name} %}} instead", len(m.group(0)))


RULE = Rule(codes.LINT_HARDCODED_NAME, Severity.WARNING, "product names use their data variables", check)

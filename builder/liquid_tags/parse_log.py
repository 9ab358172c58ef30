"""What one parse found: its errors, the data paths it names, and which errors are only echoes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from liquid.exceptions import BlockNestingError, LiquidError
from liquid.token import TOKEN_TAG, Token

from ..core import codes
from ..core.diagnostics import Diagnostic
from .builtin_tags import UnclosedBlockError


@dataclass
class ParseLog:
    """Collected while one file or string is parsed (the environment keeps a stack of them)."""

    errors: list[LiquidError] = field(default_factory=list)
    refs: list[tuple[tuple[str, ...], Token]] = field(default_factory=list)
    def without_cascades(self) -> list[LiquidError]:
        """The errors, without those that only follow from an earlier one: once a block of
        python-liquid's ran to the end of the file, an unclosed `raw` swallowed the rest, or
        blocks nest too deeply, what the parser says afterwards is noise."""
        out: list[LiquidError] = []
        for err in self.errors:
            out.append(err)
            token = err.token
            unclosed_raw = token is not None and token.kind == TOKEN_TAG and token.value == "raw"
            if isinstance(err, (BlockNestingError, UnclosedBlockError)) or unclosed_raw:
                break
        return out


_DEFINES = re.compile(r"\{%-?\s*(?:(?:assign|capture|increment|decrement)\s+([\w-]+)|for\s+([\w-]+)\s+in\b)")


def defined_names(source: str) -> frozenset[str]:
    """Names the tags of `source` assign (`assign`, `capture`, `increment`, `decrement`, `for`),
    read from the text: in a file that does not parse, the tag that defines one may be lost."""
    return frozenset(a or b for a, b in _DEFINES.findall(source))


def after_unclosed(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """An unclosed block swallows the end tags after it; those 'unexpected' tags are not news."""
    unclosed = [d.location for d in diagnostics if d.code is codes.LIQUID_UNCLOSED and d.location]
    if not unclosed:
        return diagnostics
    first = min((loc.line, loc.col) for loc in unclosed)
    return [d for d in diagnostics
            if not (d.code is codes.LIQUID_STRAY_TAG and d.location and (d.location.line, d.location.col) > first)]

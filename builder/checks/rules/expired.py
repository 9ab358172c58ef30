"""expired-content: text marked `<!-- expires YYYY-MM-DD -->` is removed once that date has passed."""

from __future__ import annotations

import re
from datetime import date

from ...core import codes
from ...core.diagnostics import Severity
from .base import Finding, Rule

_EXPIRES = re.compile(r"<!--\s*expires\s+(\S+?)\s*-->", re.I)


def check(source):
    fenced = set()
    for tok in source.tokens:
        if tok.type in ("fence", "code_block") and tok.map:
            fenced.update(source.file_line(i) for i in range(tok.map[0], tok.map[1]))
    for number, text in enumerate(source.raw_lines, 1):
        if number < source.first_body_line or number in fenced or "expires" not in text:
            continue
        for m in _EXPIRES.finditer(text):
            try:
                when = date.fromisoformat(m.group(1))
            except ValueError:
                yield Finding(number, m.start(1) + 1, f"{m.group(1)!r} is not a date; write "
                                                      "<!-- expires YYYY-MM-DD -->", len(m.group(1)))
                continue
            if when < source.today:
                yield Finding(number, m.start() + 1, f"this content expired on {when.isoformat()}; remove it "
                                                     "(up to <!-- end expires ... -->) or move the date",
                              len(m.group(0)))


RULE = Rule(codes.LINT_EXPIRED, Severity.WARNING, "expiry dates have not passed", check)

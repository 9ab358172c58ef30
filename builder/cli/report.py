"""How every command prints the problems it found: text or GitHub annotations on stderr, JSON on stdout."""

from __future__ import annotations

import sys

from ..core.diagnostics import Problems, render_report


def print_report(problems: Problems, fmt: str) -> None:
    text = render_report(problems, fmt)
    if fmt == "json":
        print(text)
        return
    if text:
        print(text, file=sys.stderr)

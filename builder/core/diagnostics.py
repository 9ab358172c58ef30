"""Diagnostics: what went wrong, where, and how to print it."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

from .codes import Code
from .location import Location
from .paths import is_control


class Severity(enum.IntEnum):
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Diagnostic:
    """One problem: a stable code, a message, a location and optional notes."""

    code: Code
    message: str
    location: Location | None = None
    severity: Severity = Severity.ERROR
    notes: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    """Versions (or `lang/version` pairs) the problem was seen in, when it depends on them."""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple:
        loc = self.location
        return (
            loc.path if loc else "",
            loc.line if loc else 0,
            loc.col if loc else 0,
            self.code.code,
            self.message,
        )

    def header(self) -> str:
        where = f"{visible(str(self.location))}: " if self.location else ""
        return f"{where}{self.severity}[{self.code.code}]: {visible(self.message)}"

    def format_text(self) -> str:
        """`path:line:col: error[DBnnn]: message`, the source line, a caret, notes."""
        lines = [self.header()]
        loc = self.location
        if loc and loc.source_line:
            gutter = str(loc.line)
            pad = " " * len(gutter)
            shown = visible(loc.source_line.expandtabs(1))
            lines.append(f"  {gutter} | {shown}")
            width = max(1, min(loc.length, max(1, len(shown) - loc.col + 1)))
            lines.append(f"  {pad} | {' ' * (loc.col - 1)}{'^' * width}")
        for note in self.notes:
            lines.append(f"  = note: {visible(note)}")
        if self.versions:
            lines.append(f"  = in: {_summarise(self.versions)}")
        return "\n".join(lines)

    def format_github(self) -> str:
        """A GitHub Actions workflow command annotating the file."""
        kind = "error" if self.is_error else "warning"
        loc = self.location
        body = visible(self.message)
        if self.notes:
            body += "\n" + "\n".join(visible(note) for note in self.notes)
        return github_annotation(kind, body, self.code.code + " " + self.code.name,
                                 loc.path if loc else None, loc.line if loc else 0, loc.col if loc else 0)

    def to_json(self) -> dict:
        loc = self.location
        return {
            "code": self.code.code,
            "name": self.code.name,
            "severity": str(self.severity),
            "message": self.message,
            "file": loc.path if loc else None,
            "line": loc.line if loc else None,
            "col": loc.col if loc else None,
            "source": loc.source_line if loc else None,
            "notes": list(self.notes),
            "versions": list(self.versions),
        }


def visible(text: str) -> str:
    """`text` safe to print in a terminal or a CI log: a control character (an escape sequence, a
    line or paragraph separator, a bidirectional override) that comes from a source file is shown
    as one visible stand-in, so it can neither start a line nor rewrite one, and carets stay
    aligned. What counts as a control is `core.paths.is_control`, the path policy's own test."""
    if text.isprintable():
        return text
    return "".join(_stand_in(ch) if is_control(ch) else ch for ch in text)


def _stand_in(ch: str) -> str:
    """C0 controls as Unicode control pictures (U+2400..), DEL as U+2421, line and paragraph
    separators as U+23CE, anything else as U+FFFD."""
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    return {0x7F: "\u2421", 0x2028: "\u23ce", 0x2029: "\u23ce"}.get(code, "\ufffd")


def _summarise(items: tuple[str, ...], limit: int = 6) -> str:
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def github_annotation(kind: str, message: str, title: str = "", path: str | None = None, line: int = 0,
                      col: int = 0) -> str:
    """`::kind file=...,line=...,col=...,title=...::message`, a GitHub Actions workflow command, with
    `%`, CR and LF escaped everywhere and `:` and `,` escaped in the properties too."""
    props = []
    if path is not None:
        props += [f"file={_gh_prop(path)}", f"line={line}", f"col={col}"]
    if title:
        props.append(f"title={_gh_prop(title)}")
    return f"::{kind} {','.join(props)}::{_gh_data(message)}" if props else f"::{kind}::{_gh_data(message)}"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass
class Problems:
    """Diagnostics collected across a build; the same problem seen in several versions is one."""

    _items: dict[tuple, Diagnostic] = field(default_factory=dict)
    _also: dict[tuple, set[str]] = field(default_factory=dict)
    """Other pages that include a reusable with a problem already reported (one report each)."""

    def add(self, diag: Diagnostic) -> None:
        key = (diag.code, diag.message, diag.location, diag.severity)
        old = self._items.get(key)
        if old is None:
            self._items[key] = diag
            return
        if diag.notes != old.notes:
            # The same line of a reusable seen through another page: one problem to fix, so one
            # report, which names the other pages.
            page = _including_page(diag.notes)
            if page is not None and page != _including_page(old.notes):
                self._also.setdefault(key, set()).add(page)
        if diag.versions:
            merged = tuple(dict.fromkeys(old.versions + diag.versions))
            self._items[key] = replace(old, versions=merged)

    def _reported(self) -> list[Diagnostic]:
        out = []
        for key, diag in self._items.items():
            also = self._also.get(key)
            if also:
                pages = sorted(also)
                shown = ", ".join(pages[:3]) + (f" and {len(pages) - 3} more" if len(pages) > 3 else "")
                diag = replace(diag, notes=diag.notes + (f"also included from {shown}",))
            out.append(diag)
        return out

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        for diag in diags:
            self.add(diag)

    def drop(self, unwanted: Callable[[Diagnostic], bool]) -> None:
        """Forget the problems `unwanted` picks (one a later check reports better)."""
        for key in [k for k, d in self._items.items() if unwanted(d)]:
            del self._items[key]
            self._also.pop(key, None)

    def revise(self, change: Callable[[Diagnostic], Diagnostic]) -> None:
        """Replace each problem by `change(problem)` (more notes, say); same code, message and place."""
        for key, diag in self._items.items():
            self._items[key] = change(diag)

    def __iter__(self):
        return iter(sorted(self._reported(), key=Diagnostic.sort_key))

    def __len__(self) -> int:
        return len(self._items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self if not d.is_error]

    def summary(self) -> str:
        errors, warnings = len(self.errors), len(self.warnings)
        return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"

    def to_json(self) -> dict:
        return {
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "diagnostics": [d.to_json() for d in self],
        }


def _including_page(notes: tuple[str, ...]) -> str | None:
    """The page at the outer end of an `included from` chain of notes."""
    for note in reversed(notes):
        if note.startswith("included from "):
            return note[len("included from "):].rsplit(":", 2)[0]
    return None


def render_report(problems: Problems, fmt: str) -> str:
    """All diagnostics in one of the CLI formats: text, json or github."""
    if fmt == "json":
        return json.dumps(problems.to_json(), indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(d.format_github() for d in problems)
    return "\n\n".join(d.format_text() for d in problems)

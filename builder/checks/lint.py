"""Content rules on the sources (`docs-builder lint`, and `check` with data/lint.yml or --lint).

Each rule lives in `checks/rules/`; this module finds the sources, masks their Liquid, parses
them once, runs the rules, applies `data/lint.yml` severities and the one-line disable comments,
and turns findings into diagnostics at the file's line and column."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import yaml

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.errors import ConfigError, ContentError
from ..core.location import Location, at_line
from ..markdown_rules.parser import make_markdown
from ..sources.files import read_source, source_exists
from ..sources.frontmatter import split_frontmatter
from .rules import RULES
from .rules.base import Source
from .rules.hardcoded_names import distinctive

CONFIG = "data/lint.yml"
TOPS = ("content", "data/reusables")
SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "off": None}
_TAG_NAME = re.compile(r"\{%-?\s*(\w*)")
_WORDLIKE_TAGS = {"data", "octicon", "variable"}
_DISABLE = re.compile(r"<!--\s*lint-disable-(next-)?line\b([\w\s,-]*?)-->")
_ALL = "*"


def severities(root: Path) -> dict[str, Severity | None]:
    """Rule name -> severity, from the defaults and `data/lint.yml` (`rules: {name-or-code: level}`)."""
    chosen = {rule.name: rule.default for rule in RULES}
    if not source_exists(root, CONFIG):
        return chosen
    text = read_source(root, CONFIG)
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ConfigError(Diagnostic(codes.LINT_CONFIG, f"{CONFIG} is not valid YAML",
                                     at_line(CONFIG, text, line))) from None
    rules = doc.get("rules", {}) if isinstance(doc, dict) else None
    if not isinstance(rules, dict) or (isinstance(doc, dict) and set(doc) - {"rules"}):
        raise ConfigError(Diagnostic(codes.LINT_CONFIG, f"{CONFIG} must be a mapping with one key, "
                                     "'rules', of rule names to error, warning or off", at_line(CONFIG, text, 1)))
    by_key = {rule.name: rule for rule in RULES} | {rule.code.code: rule for rule in RULES}
    problems = []
    for key, level in rules.items():
        level = "off" if level is False else str(level).lower()
        rule = by_key.get(str(key))
        where = _key_location(text, str(key))
        if rule is None:
            known = ", ".join(r.name for r in RULES)
            problems.append(Diagnostic(codes.LINT_CONFIG, f"{CONFIG}: no rule is called {str(key)!r}; known: {known}",
                                       where))
        elif level not in SEVERITIES:
            problems.append(Diagnostic(codes.LINT_CONFIG, f"{CONFIG}: the level of {key} must be error, warning "
                                       f"or off, not {level!r}", where))
        else:
            chosen[rule.name] = SEVERITIES[level]
    if problems:
        raise ConfigError(problems)
    return chosen


def _key_location(text: str, key: str) -> Location:
    for number, line in enumerate(text.split("\n"), 1):
        col = line.find(key)
        if col != -1 and line[col + len(key):].lstrip().startswith(":"):
            return at_line(CONFIG, text, number, col + 1, len(key))
    return at_line(CONFIG, text, 1)


def product_names(root: Path) -> dict[str, str]:
    """Distinctive variable values -> `variables.file.key` (the first name, in sorted order)."""
    found: dict[str, str] = {}
    folder = root / "data" / "variables"
    if not folder.is_dir():
        return found
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".yml"):
            continue
        try:
            doc = yaml.safe_load(read_source(root, f"data/variables/{name}"))
        except (ContentError, yaml.YAMLError):
            continue  # `check` reports it

        def walk(value, path):
            if isinstance(value, dict):
                for key in sorted(value, key=str):
                    walk(value[key], f"{path}.{key}")
            elif isinstance(value, str) and distinctive(value):
                found.setdefault(value.strip(), path)

        walk(doc, f"variables.{name[:-4]}")
    return found


def sources(root: Path, paths: list[str] | None = None) -> list[str]:
    """The Markdown sources to lint (relative to root, sorted): pages and reusables, or those under `paths`."""
    tops = paths if paths else [t for t in TOPS if (root / t).is_dir()]
    out = set()
    for top in tops:
        full = root / top if top else root
        if full.is_file() or not full.exists():
            out.add(top)
            continue
        for folder, dirs, files in os.walk(full):
            dirs.sort()
            rel_folder = os.path.relpath(folder, root).replace(os.sep, "/")
            out.update(f"{rel_folder}/{f}" for f in files if f.endswith(".md"))
    return sorted(rel for rel in out if rel.startswith(("content/", "data/reusables/")))


def prepare(rel: str, text: str, *, is_page: bool, variables: dict, today: date) -> Source:
    """The `Source` of a file's text: frontmatter left out, Liquid masked, lines holding only Liquid tags dropped."""
    body_line = 1
    if is_page:
        split = split_frontmatter(text, rel, required=False)
        body_line = text.count("\n", 0, split.body_offset) + 1
    raw_lines = text.split("\n")
    masked = mask_liquid(text).split("\n")
    kept, line_of = [], []
    for number, (raw, line) in enumerate(zip(raw_lines, masked), 1):
        if number < body_line:
            kept.append("")
        elif raw.strip() and not line.strip():
            continue
        else:
            kept.append(line)
        line_of.append(number)
    for number in range(body_line - 1):
        masked[number] = ""
    parsed = "\n".join(kept)
    tokens = make_markdown().parse(parsed, {})
    return Source(rel, raw_lines, masked, parsed, line_of, tokens, body_line, not is_page, variables, today)


def mask_liquid(text: str) -> str:
    """`text` with each Liquid tag masked, column for column (newlines kept): `{% data %}` and
    `{{ }}` as `X`s, other tags as spaces. An unclosed tag ends the masking (linear time)."""
    out, pos = [], 0
    nxt = {"{%": text.find("{%"), "{{": text.find("{{")}
    while True:
        for opener, at in nxt.items():
            if at != -1 and at < pos:
                nxt[opener] = text.find(opener, pos)
        start = min((i for i in nxt.values() if i != -1), default=-1)
        if start == -1:
            break
        closer = "%}" if text.startswith("{%", start) else "}}"
        end = text.find(closer, start + 2)
        if end == -1:
            break
        end += 2
        tag = text[start:end]
        m = _TAG_NAME.match(tag)
        fill = "X" if closer == "}}" or (m and m.group(1) in _WORDLIKE_TAGS) else " "
        out.append(text[pos:start])
        out.append("".join(ch if ch == "\n" else fill for ch in tag))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def disabled(raw_lines: list[str]) -> dict[int, set[str]]:
    """File line -> rule names and codes switched off there (`*` for every rule)."""
    off: dict[int, set[str]] = {}
    for number, line in enumerate(raw_lines, 1):
        if "lint-disable" not in line:
            continue
        for m in _DISABLE.finditer(line):
            names = set(m.group(2).replace(",", " ").split()) or {_ALL}
            off.setdefault(number + 1 if m.group(1) else number, set()).update(names)
    return off


def lint_file(root: Path, rel: str, levels: dict, variables: dict, today: date) -> list[Diagnostic]:
    try:
        text = read_source(root, rel)
        source = prepare(rel, text, is_page=rel.startswith("content/"), variables=variables, today=today)
    except ContentError as err:
        return list(err.diagnostics)
    off = disabled(source.raw_lines)
    found = []
    for rule in RULES:
        severity = levels.get(rule.name)
        if severity is None:
            continue
        for finding in rule.check(source):
            names = off.get(finding.line, ())
            if _ALL in names or rule.name in names or rule.code.code in names:
                continue
            loc = Location(rel, finding.line, finding.col, source.raw_lines[finding.line - 1], finding.length)
            found.append(Diagnostic(rule.code, finding.message, loc, severity, finding.notes))
    return found


def lint_site(root: Path, paths: list[str] | None = None, today: date | None = None) -> tuple[list[Diagnostic], int]:
    """Every finding of every rule on the sources (or those under `paths`), and how many files were read."""
    levels = severities(root)
    variables = product_names(root)
    today = today or date.today()
    files = sources(root, paths)
    found: list[Diagnostic] = []
    for rel in files:
        found.extend(lint_file(root, rel, levels, variables, today))
    return found, len(files)

"""Liquid source as spans: every tag with its exact extent, `ifversion` blocks as trees, and a
version-by-version rendering of a file's own Liquid that checks a rewrite changed nothing (pure).

The tags are found with python-liquid's own lexer rules, so raw blocks, comments, whitespace
control and malformed tags are read exactly as the build reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from liquid.lex import compile_liquid_rules

from ..liquid_tags.sourcemap import collapse_blank_lines

_RULES = compile_liquid_rules()
_BLOCKQUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_LEADING_BLANK = re.compile(r"\A(?:[ \t]*\n)+")
GENERIC_BLOCKS = {name: "end" + name for name in (
    "if", "unless", "case", "for", "tablerow", "capture", "ifchanged", "note", "tip", "warning", "danger")}
"""Block tags other than ifversion: their `else`/`elsif`/`endif` are theirs, not ifversion's."""
IF_END = ("endif", "endifversion")


class StructureError(ValueError):
    """The source is not Liquid the build would parse; `offset` is where."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


@dataclass
class Tag:
    start: int
    end: int
    name: str
    expr: str
    expr_start: int
    name_start: int
    trim_left: bool
    """`{%-`: the text before it loses its trailing whitespace."""
    trim_right: bool
    """`-%}`: the text after it loses its leading whitespace."""


@dataclass
class Branch:
    tag: Tag
    items: list = field(default_factory=list)


@dataclass
class IfBlock:
    branches: list[Branch]
    """The `ifversion` branch, then each `elsif`; the `else` branch last (its tag is `else`)."""
    end: Tag | None = None

    @property
    def conditional(self) -> list[Branch]:
        return [b for b in self.branches if b.tag.name != "else"]

    @property
    def default(self) -> Branch | None:
        last = self.branches[-1]
        return last if last.tag.name == "else" else None

    @property
    def start(self) -> int:
        return self.branches[0].tag.start


@dataclass
class Text:
    start: int
    end: int
    value: str
    """The text as the build sees it (whitespace control applied)."""


@dataclass
class Opaque:
    """Any other tag or output statement; `key` is what it renders from."""

    start: int
    end: int
    key: str


def parse(source: str) -> list:
    """The file as a list of `Text`, `Opaque` and `IfBlock` items; raises `StructureError`."""
    items: list = []
    stack: list[tuple[str, object]] = []  # ("ifversion", IfBlock) or (end name, None)
    target = items
    targets: list[list] = []
    pending_lstrip = False
    comment_depth = 0
    comment_open = 0
    for m in _RULES.finditer(source):
        kind = m.lastgroup
        if comment_depth:
            if kind == "TAG" and m.group("name") == "comment":
                comment_depth += 1
            elif kind == "TAG" and m.group("name") == "endcomment":
                comment_depth -= 1
                if not comment_depth:
                    pending_lstrip = bool(m.group("rst"))
            continue
        if kind == "content":
            value = m.group()
            if pending_lstrip:
                value = value.lstrip()
            if m.group("rstrip"):
                value = value.rstrip()
            if value.startswith(("{{", "{%")):
                raise StructureError("a tag or output statement is never closed", m.start())
            if value:
                target.append(Text(m.start(), m.end(), value))
            continue
        if kind == "RAW":
            pending_lstrip = bool(m.group("rsr"))
            target.append(Text(m.start(), m.end(), m.group("raw")))
            continue
        if kind == "DOC":
            pending_lstrip = bool(m.group("rsd"))
            continue
        if kind == "output":
            pending_lstrip = bool(m.group("rss"))
            target.append(Opaque(m.start(), m.end(), "{{" + m.group("stmt") + "}}"))
            continue
        name, expr = m.group("name"), m.group("expr")
        pending_lstrip = bool(m.group("rst"))
        tag = Tag(m.start(), m.end(), name, expr, m.start("expr"), m.start("name"), source.startswith("{%-", m.start()),
                  bool(m.group("rst")))
        if name == "comment":
            comment_depth, comment_open = 1, m.start()
            continue
        if name == "#":
            continue
        top = stack[-1] if stack else None
        if name == "ifversion":
            block = IfBlock([Branch(tag)])
            target.append(block)
            stack.append(("ifversion", block))
            targets.append(target)
            target = block.branches[0].items
        elif top is not None and top[0] == "ifversion" and name in ("elsif", "else"):
            block = top[1]
            if block.default is not None:
                raise StructureError(f"'{name}' after 'else' in an ifversion block", m.start())
            block.branches.append(Branch(tag))
            target = block.branches[-1].items
        elif top is not None and top[0] == "ifversion" and name in IF_END:
            top[1].end = tag
            stack.pop()
            target = targets.pop()
        elif name in IF_END + ("elsif", "else") and (top is None or top[0] == "ifversion"):
            raise StructureError(f"'{name}' without an open block", m.start())
        elif name in GENERIC_BLOCKS:
            target.append(Opaque(tag.start, tag.end, _key(source, tag)))
            stack.append((GENERIC_BLOCKS[name], None))
        elif top is not None and name == top[0]:
            target.append(Opaque(tag.start, tag.end, _key(source, tag)))
            stack.pop()
        elif name.startswith("end") and (name[3:] in GENERIC_BLOCKS or name in IF_END):
            raise StructureError(f"'{name}' does not close the open block", m.start())
        else:
            target.append(Opaque(tag.start, tag.end, _key(source, tag)))
    if comment_depth:
        raise StructureError("'comment' is never closed", comment_open)
    if stack:
        kind, block = stack[-1]
        offset = block.start if isinstance(block, IfBlock) else len(source)
        raise StructureError(f"a '{kind if block is None else 'ifversion'}' block is never closed", offset)
    return items


def _key(source: str, tag: Tag) -> str:
    """What an opaque tag renders from: its text and, for `data`, the indentation and quote
    marks its line gives it (see liquid_tags/data_tag.py)."""
    key = f"{tag.name} {tag.expr}"
    if tag.name == "data":
        prefix = source[source.rfind("\n", 0, tag.start) + 1 : tag.start]
        indent = prefix if prefix and not prefix.strip() else ""
        quote = _BLOCKQUOTE.match(prefix)
        marks = quote.group(0).lstrip(" \t") if quote else ""
        key += f"|{indent}|{marks}"
    return key


def walk_blocks(items: list):
    """Every `IfBlock`, outer ones first."""
    for item in items:
        if isinstance(item, IfBlock):
            yield item
            for branch in item.branches:
                yield from walk_blocks(branch.items)


def render(items: list, decide) -> str:
    """The file's own output for one version: `decide(condition_text)` says whether a condition
    holds; other tags and output statements render as markers of what they render from."""
    out: list[str] = []
    stack = [iter(items)]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif isinstance(item, Text):
            out.append(item.value)
        elif isinstance(item, Opaque):
            out.append("\x00" + item.key + "\x00")
        else:
            for branch in item.branches:
                if branch.tag.name == "else" or decide(branch.tag.expr):
                    stack.append(iter(branch.items))
                    break
    return "".join(out)


def same_output(old: str, new: str, decide_old, decide_new, versions, kind: str = "body") -> bool:
    """Whether `new` renders like `old` in every version (after the blank-line collapsing the
    build applies; reusables and variables are also stripped, as `{% data %}` strips them)."""
    try:
        a_items, b_items = parse(old), parse(new)
    except StructureError:
        return False
    for version in versions:
        a = render(a_items, lambda c: decide_old(c, version))
        b = render(b_items, lambda c: decide_new(c, version))
        if kind == "value":
            if a != b:
                return False
            continue
        if kind == "data":
            a, b = a.strip(), b.strip()
        else:  # Markdown ignores blank lines before and whitespace after a page's text
            a, b = _LEADING_BLANK.sub("", a).rstrip(), _LEADING_BLANK.sub("", b).rstrip()
        if a != b and collapse_blank_lines(a, [])[0] != collapse_blank_lines(b, [])[0]:
            return False
    return True

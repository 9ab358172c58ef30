"""Rewrite one Liquid text for a deprecation: surgical edits on tag spans, each block checked (pure).

Each top-level `ifversion` block is rewritten on its own and kept only if the file still renders
the same in every remaining version (`blocks.same_output`). A tag alone on its line takes its
line with it, as GitHub Docs' deprecation script does; when that would change the output (a
list that would become tight, say), the tags are removed without their lines; when even that
would change it, the block stays as it is and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..versions.expression import ExpressionError, parse_expression
from .blocks import IfBlock, StructureError, Tag, parse, same_output
from .simplify import Deprecation, plan_block


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str = ""


@dataclass
class Rewritten:
    text: str
    edits: list[Edit] = field(default_factory=list)
    kept: list[tuple[int, str]] = field(default_factory=list)
    """(offset, reason) of blocks that mention what was deprecated but were left as they were."""


class Decider:
    """Whether a condition holds in a version of the new space (parsed conditions cached)."""

    def __init__(self, dep: Deprecation):
        self.dep = dep
        self.features = dep.features["new"]
        self.retired = dep.new.retired
        self._nodes: dict[str, object] = {}

    def __call__(self, text: str, version) -> bool:
        node = self._nodes.get(text)
        if node is None:
            node = self._nodes[text] = parse_expression(text)
        return node.evaluate(version, self.features, self.retired)


def rewrite_text(text: str, dep: Deprecation, kind: str = "body", decider: Decider | None = None) -> Rewritten:
    """`text` (a page body, reusable or data value) with what served only deprecated releases
    removed. Raises `StructureError` when `text` is not Liquid the build would parse, and
    `ExpressionError` (with `offset` in `text`) for a condition that does not parse."""
    items = parse(text)
    decider = decider or Decider(dep)
    versions = dep.new.versions
    accepted: list[Edit] = []
    kept: list[tuple[int, str]] = []
    current = text
    for block in (item for item in items if isinstance(item, IfBlock)):
        try:
            candidates = [block_edits(text, block, dep, lines=True), block_edits(text, block, dep, lines=False)]
        except ExpressionError as err:
            raise _at(err, text, block) from None
        if not candidates[0]:
            continue
        for edits in candidates:
            trial = apply(text, merge(accepted + edits))
            if same_output(current, trial, decider, decider, versions, kind):
                accepted = merge(accepted + edits)
                current = trial
                break
        else:
            kept.append((block.start, "rewriting it would change what some version shows"))
    tidied = _tidy(text, accepted)
    if tidied != accepted and same_output(current, apply(text, tidied), decider, decider, versions, kind):
        accepted, current = tidied, apply(text, tidied)
    return Rewritten(current, accepted, kept)


def _tidy(text: str, edits: list[Edit]) -> list[Edit]:
    """`edits` plus deletions that bring each run of blank lines a deletion leaves down to one
    blank line (none at the end of the text), as GitHub Docs' deprecation does after its edits;
    the build collapses such runs anyway."""
    extra: list[Edit] = []
    for e in edits:
        if e.text:
            continue
        s = e.start
        while s > 0 and text[s - 1] in " \t\n":
            s -= 1
        t = e.end
        while t < len(text) and text[t] in " \t\n":
            t += 1
        left, right = text[s:e.start], text[e.end:t]
        at_end = t == len(text) and s > 0
        if (left + right).count("\n") < (2 if at_end else 3):
            continue
        first = s + left.index("\n") if "\n" in left else e.end + right.index("\n")
        if at_end:
            extra.append(Edit(first + 1, t))
            continue
        last = e.end + right.rindex("\n") if "\n" in right else s + left.rindex("\n")
        if first + 1 < last:
            extra.append(Edit(first + 1, last))
    return merge(edits + extra) if extra else edits


def _at(err: ExpressionError, text: str, block: IfBlock) -> ExpressionError:
    """The error with its offset in the whole text (the failing condition is found again)."""
    for tag in _tags(block):
        if tag.name in ("ifversion", "elsif"):
            try:
                parse_expression(tag.expr)
            except ExpressionError as inner:
                inner.offset += tag.expr_start
                return inner
    return err


def _tags(block: IfBlock):
    for branch in block.branches:
        yield branch.tag
        for item in branch.items:
            if isinstance(item, IfBlock):
                yield from _tags(item)


def block_edits(text: str, block: IfBlock, dep: Deprecation, *, lines: bool) -> list[Edit]:
    """The edits that rewrite `block` and the blocks inside it; [] when nothing changes."""
    conditional = block.conditional
    plans, else_action = plan_block([b.tag.expr for b in conditional], block.default is not None, dep)
    actions = [p.action for p in plans] + ([else_action] if block.default is not None else [])
    tags = [b.tag for b in block.branches] + [block.end]
    edits: list[Edit] = []
    default = next((i for i, a in enumerate(actions) if a == "default"), None)
    if default is None and block.default is not None and else_action == "keep":
        default = len(actions) - 1
    kept = [i for i, a in enumerate(actions) if a == "keep" and block.branches[i].tag.name != "else"]
    unchanged = (all(a == "keep" for a in actions) and all(p.text is None for p in plans))
    if unchanged:
        for branch in block.branches:
            edits += _inner(text, branch.items, dep, lines)
        return edits
    if not kept:
        if default is None:
            edits.append(_delete(text, block.start, block.end.end, tags, lines))
        else:
            edits.append(_delete(text, block.start, tags[default].end, tags, lines, right=tags[default]))
            edits.append(_delete(text, tags[default + 1].start, block.end.end, tags, lines, left=tags[default + 1]))
            edits += _inner(text, block.branches[default].items, dep, lines)
        return edits
    for i, branch in enumerate(block.branches):
        tag = branch.tag
        if i in kept or i == default:
            if i == kept[0] and tag.name == "elsif":
                edits.append(Edit(tag.name_start, tag.name_start + len("elsif"), "ifversion"))
            if i in kept and plans[i].text is not None:
                edits.append(Edit(tag.expr_start, tag.expr_start + len(tag.expr), plans[i].text))
            if i == default and tag.name != "else":
                edits.append(Edit(tag.name_start, tag.expr_start + len(tag.expr), "else"))
            edits += _inner(text, branch.items, dep, lines)
        else:
            edits.append(_delete(text, tag.start, tags[i + 1].start, tags, lines, left=tag))
    return edits


def _inner(text: str, items: list, dep: Deprecation, lines: bool) -> list[Edit]:
    edits = []
    for item in items:
        if isinstance(item, IfBlock):
            edits += block_edits(text, item, dep, lines=lines)
    return edits


def _delete(text: str, start: int, end: int, tags, lines: bool, *, left: Tag | None = None,
            right: Tag | None = None) -> Edit:
    """Delete `text[start:end]`, with the whitespace a deleted tag's `{%-`/`-%}` trimmed (it was
    never shown) and, in line mode, the line when nothing else is on it."""
    first = next((t for t in tags if t.start == start), left)
    last = next((t for t in tags if t.end == end), right)
    if first is not None and first.trim_left:
        while start > 0 and text[start - 1] in " \t\r\n":
            start -= 1
    if last is not None and last.trim_right:
        while end < len(text) and text[end] in " \t\r\n":
            end += 1
    if lines:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end == -1 else line_end + 1
        if not text[line_start:start].strip() and not text[end:line_end].strip():
            start, end = line_start, line_end
    return Edit(start, end)


def merge(edits: list[Edit]) -> list[Edit]:
    """Sorted edits, overlapping deletions joined (replacements never overlap deletions)."""
    out: list[Edit] = []
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if out and not e.text and not out[-1].text and e.start <= out[-1].end:
            last = out.pop()
            e = Edit(last.start, max(last.end, e.end))
        elif out and e.start < out[-1].end:
            if not out[-1].text and e.end <= out[-1].end:
                continue  # a replacement inside a deleted span goes with it
            raise ValueError(f"overlapping edits at {e.start}")
        out.append(e)
    return out


def apply(text: str, edits: list[Edit]) -> str:
    pieces, pos = [], 0
    for e in edits:
        pieces += [text[pos:e.start], e.text]
        pos = e.end
    pieces.append(text[pos:])
    return "".join(pieces)


__all__ = ["Edit", "Rewritten", "rewrite_text", "apply", "merge", "StructureError", "ExpressionError"]

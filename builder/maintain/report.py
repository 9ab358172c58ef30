"""The `explain` report of one file: its blocks with their versions and verdicts, as text or JSON (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from ..versions.model import VersionSpace
from .outline import Block, Branch, DataRef, Outline
from .explain import DEAD, REDUNDANT, SIMPLIFIABLE, UNREACHED, BranchReport, Simplifier, analyse_block, \
    describe_versions, finding

VERDICTS = (DEAD, REDUNDANT, SIMPLIFIABLE, UNREACHED)


@dataclass
class Explained:
    """A file explained: where it is used, and every branch of every block with its report."""

    file: str
    kind: str
    """`page`, `translated page`, `reusable` or `translated reusable`."""
    language: str
    versions: tuple[str, ...]
    """The versions the page exists in, or the reusable is included in."""
    outline: Outline
    reports: dict[tuple[str, int], list[BranchReport]]
    space: VersionSpace
    english: str | None = None
    """For a translation: the English file."""
    included_by: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """For a reusable: page file -> the versions it includes it in."""
    render_errors: int = 0

    def summary(self) -> dict[str, int]:
        counts = {"blocks": 0, "branches": 0} | {v: 0 for v in VERDICTS}
        for reports in self.reports.values():
            counts["blocks"] += 1
            counts["branches"] += len(reports)
            for r in reports:
                if r.verdict in counts:
                    counts[r.verdict] += 1
        return counts


def explain_outline(outline: Outline, taken: Mapping[tuple[str, int], Mapping[str, int]],
                    simplifier: Simplifier) -> dict[tuple[str, int], list[BranchReport]]:
    """The branch reports of every block of `outline` (nested ones included)."""
    out: dict[tuple[str, int], list[BranchReport]] = {}
    stack = list(outline.blocks)
    while stack:
        block = stack.pop()
        out[block.key] = analyse_block(block.conditions, taken.get(block.key, {}), simplifier)
        for branch in block.branches:
            stack.extend(branch.blocks)
    return out


# JSON ----------------------------------------------------------------------------------------


def to_json(ex: Explained) -> dict:
    doc: dict = {"file": ex.file, "kind": ex.kind, "language": ex.language}
    if ex.english:
        doc["english"] = ex.english
    doc["versions"] = list(ex.versions)
    if ex.kind.endswith("reusable"):
        doc["included_by"] = [{"file": f, "versions": list(v)} for f, v in sorted(ex.included_by.items())]
    doc["data"] = [_data_json(d) for d in ex.outline.data]
    doc["blocks"] = [_block_json(b, ex) for b in ex.outline.blocks]
    doc["summary"] = ex.summary()
    return doc


def _data_json(ref: DataRef) -> dict:
    return {"name": ref.name, "kind": ref.kind, "line": ref.at.line, "col": ref.at.col}


def _block_json(block: Block, ex: Explained) -> dict:
    reports = ex.reports[block.key]
    first = block.branches[0].at
    return {"line": first.line, "col": first.col,
            "branches": [_branch_json(b, r, i, reports, ex) for i, (b, r) in enumerate(zip(block.branches, reports))]}


def _branch_json(branch: Branch, r: BranchReport, index: int, reports, ex: Explained) -> dict:
    found = finding(reports, index, ex.space)
    return {
        "tag": r.tag, "condition": r.condition, "line": branch.at.line, "col": branch.at.col,
        "evaluated_in": list(r.evaluated), "true_in": list(r.true_in), "rendered_in": list(r.rendered_in),
        "verdict": r.verdict, "simplest": r.simplest,
        "message": found.message if found else None,
        "data": [_data_json(d) for d in branch.data],
        "blocks": [_block_json(b, ex) for b in branch.blocks],
    }


# Text ----------------------------------------------------------------------------------------


def to_text(ex: Explained) -> str:
    space = ex.space
    count = len(ex.versions)
    where = f"{describe_versions(ex.versions, space)} ({count} version{'s' if count != 1 else ''})"
    if ex.kind.endswith("reusable"):
        pages = len(ex.included_by)
        head = (f"{ex.file}: {ex.kind}, included in {where} by {pages} page{'s' if pages != 1 else ''}"
                if pages else f"{ex.file}: {ex.kind}, included by no page in any version")
        lines = [head + (":" if pages else "")]
        lines += [f"  {f}: {describe_versions(v, space)}" for f, v in sorted(ex.included_by.items())]
    else:
        of = f" of {ex.english}" if ex.english else ""
        lines = [f"{ex.file}: {ex.kind}{of}, in {where}" if count else f"{ex.file}: {ex.kind}{of}, in no version"]
    body: list[str] = []
    _items(ex.outline.blocks, ex.outline.data, 0, ex, body)
    if body:
        lines.append("")
        lines += body
    s = ex.summary()
    lines.append("")
    lines.append(f"{s['blocks']} block{'s' if s['blocks'] != 1 else ''}, {s['branches']} "
                 f"branch{'es' if s['branches'] != 1 else ''}: {s[DEAD]} dead, {s[REDUNDANT]} redundant, "
                 f"{s[SIMPLIFIABLE]} simplifiable, {s[UNREACHED]} unreached")
    if ex.render_errors:
        lines.append(f"note: rendering met {ex.render_errors} Liquid error{'s' if ex.render_errors != 1 else ''}; "
                     "`docs-builder check` lists them")
    return "\n".join(lines) + "\n"


def _items(blocks: list[Block], data: list[DataRef], depth: int, ex: Explained, out: list[str]) -> None:
    """Blocks and data references in source order, nested blocks indented under their branch."""
    entries: list[tuple[tuple[int, int], object]] = [((d.at.line, d.at.col), d) for d in data]
    entries += [((b.branches[0].at.line, b.branches[0].at.col), b) for b in blocks]
    for _, item in sorted(entries, key=lambda e: e[0]):
        if isinstance(item, DataRef):
            out.append(_line(item.at, depth, f"{{% data {item.name} %}}", ""))
            continue
        reports = ex.reports[item.key]
        for i, (branch, r) in enumerate(zip(item.branches, reports)):
            tag = "{% else %}" if r.condition is None else f"{{% {r.tag} {r.condition} %}}"
            out.append(_line(branch.at, depth, tag, _status(r, reports, ex.space)))
            note = _verdict_note(r, reports, i, ex.space)
            if note:
                out.append(" " * (12 + 2 * depth) + note)
            _items(branch.blocks, branch.data, depth + 1, ex, out)


def _line(at, depth: int, tag: str, status: str) -> str:
    pos = f"{at.line}:{at.col}"
    text = f"  {pos:<8}{'  ' * depth}{tag}"
    return f"{text}  {status}" if status else text


def _status(r: BranchReport, reports: list[BranchReport], space: VersionSpace) -> str:
    if r.verdict == UNREACHED:
        if r.after >= 0:
            return f"never reached (the {reports[r.after].tag} before it is always true)"
        return "never evaluated (nothing around it is rendered)"
    rendered = describe_versions(r.rendered_in, space) if r.rendered_in else "no version"
    if r.condition is None:
        return f"rendered in {rendered}"
    true = describe_versions(r.true_in, space) if r.true_in else "no version"
    return f"true in {true}" + ("" if r.true_in == r.rendered_in else f"; rendered in {rendered}")


def _verdict_note(r: BranchReport, reports: list[BranchReport], index: int, space: VersionSpace) -> str:
    if r.verdict == SIMPLIFIABLE:
        return (f"simplifiable: '{r.simplest}' is true in the same versions where it is evaluated "
                f"({describe_versions(r.evaluated, space)})")
    found = finding(reports, index, space)
    return f"{r.verdict}: {found.message}" if found else ""

"""The result of `docs-builder diff` as text, JSON or Markdown (a pull-request comment)."""

from __future__ import annotations

import difflib
import json
import re
from html import escape

from ..core.urls import page_url
from .diff import Cause, Hunk, PageRef, SiteDiff

FORMAT = 1
"""Version of the JSON document."""


def render(result: SiteDiff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_json(result), indent=2, ensure_ascii=False)
    if fmt == "markdown":
        return to_markdown(result)
    return to_text(result)


def summary(result: SiteDiff) -> str:
    a, b = result.a.id, result.b.id
    if not result.differs:
        return f"no differences between {a} and {b} ({_pages(result.same)} the same)"
    return (f"{len(result.only_a)} only in {a}, {len(result.only_b)} only in {b}, {_pages(len(result.changed))} "
            f"changed, {result.same} the same")


def _pages(n: int) -> str:
    return f"{n} page" if n == 1 else f"{n} pages"


# Text ---------------------------------------------------------------------------------------


def _cause_text(cause: Cause) -> str:
    text = f"{cause.at} {cause.tag}" if cause.tag else cause.at
    for via in cause.via:
        text += f" (included from {via})"
    return text


def to_text(result: SiteDiff) -> str:
    a, b = result.a.id, result.b.id
    lines = [f"--- {a}", f"+++ {b}"]
    for ref in result.only_a:
        lines.append(f"only in {a}: {ref.source} ({ref.url})")
    for ref in result.only_b:
        lines.append(f"only in {b}: {ref.source} ({ref.url})")
    for page in result.changed:
        lines.append(f"changed: {page.source} ({page.url})")
        for hunk in page.hunks:
            lines.append(f"  @@ {hunk.prop}: " + "; ".join(_cause_text(c) for c in hunk.causes))
            lines.extend("  " + line for line in diff_lines(hunk))
    lines.append(summary(result))
    return "\n".join(lines)


def diff_lines(hunk: Hunk) -> list[str]:
    """The hunk's lines as a unified diff without headers: ' ' kept, '-' only in A, '+' only in B."""
    a = "\n\n".join(blk.text for blk in hunk.a).split("\n") if hunk.a else []
    b = "\n\n".join(blk.text for blk in hunk.b).split("\n") if hunk.b else []
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(f"  {line}".rstrip() for line in a[i1:i2])
            continue
        out.extend(f"- {line}".rstrip() for line in a[i1:i2])
        out.extend(f"+ {line}".rstrip() for line in b[j1:j2])
    return out


# JSON ---------------------------------------------------------------------------------------


def _ref(ref: PageRef) -> dict:
    return {"source": ref.source, "url": ref.url, "title": ref.title}


def _hunk(hunk: Hunk) -> dict:
    return {
        "property": hunk.prop,
        "causes": [{"at": c.at, "tag": c.tag, "included_from": list(c.via)} for c in hunk.causes],
        "a": [{"at": blk.at, "text": blk.text} for blk in hunk.a],
        "b": [{"at": blk.at, "text": blk.text} for blk in hunk.b],
    }


def to_json(result: SiteDiff) -> dict:
    return {
        "format": FORMAT,
        "a": result.a.id,
        "b": result.b.id,
        "language": result.language,
        "only_in_a": [_ref(r) for r in result.only_a],
        "only_in_b": [_ref(r) for r in result.only_b],
        "changed": [{**_ref(p), "hunks": [_hunk(h) for h in p.hunks]} for p in result.changed],
        "same": result.same,
        "problems": result.problems.to_json()["diagnostics"] if len(result.problems) else [],
    }


# Markdown -----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#!~])")


def md_escape(text: str) -> str:
    """Text that stays text in a Markdown table cell or line: no HTML, link or table syntax."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _code(text: str) -> str:
    """Inline code that no backtick in `text` can close early."""
    text = " ".join(text.split())
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _link(result: SiteDiff, ref: PageRef, version) -> str:
    return _code(page_url(result.language, version, ref.url.lstrip("/")))


def to_markdown(result: SiteDiff) -> str:
    a, b = result.a, result.b
    lines = [f"### Differences between {md_escape(a.title)} and {md_escape(b.title)}", ""]
    if not result.differs:
        lines.append(f"No differences ({_pages(result.same)} the same).")
        return "\n".join(lines) + "\n"
    lines.append(f"{len(result.only_a)} only in {md_escape(a.title)}, {len(result.only_b)} only in "
                 f"{md_escape(b.title)}, {_pages(len(result.changed))} changed, {result.same} the same.")
    for refs, version in ((result.only_a, a), (result.only_b, b)):
        if not refs:
            continue
        lines += ["", f"#### Only in {md_escape(version.title)}", "", "| Page | URL | Source |", "| --- | --- | --- |"]
        lines += [f"| {md_escape(r.title)} | {_link(result, r, version)} | {_code(r.source)} |" for r in refs]
    if result.changed:
        lines += ["", "#### Changed"]
    for page in result.changed:
        count = len(page.hunks)
        lines += ["", f"<details><summary>{escape(' '.join(page.title.split()))} (<code>{escape(page.source)}</code>): "
                      f"{count} {'difference' if count == 1 else 'differences'}</summary>", ""]
        for hunk in page.hunks:
            causes = ", ".join(_cause_md(c) for c in hunk.causes)
            lines += [f"{md_escape(hunk.prop)}: {causes}", ""]
            body = diff_lines(hunk)
            fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", "\n".join(body))), default=0))
            lines += [f"{fence}diff", *body, fence, ""]
        lines.append("</details>")
    return "\n".join(lines) + "\n"


def _cause_md(cause: Cause) -> str:
    text = _code(cause.at) + (f" {_code(cause.tag)}" if cause.tag else "")
    for via in cause.via:
        text += f" (included from {_code(via)})"
    return text

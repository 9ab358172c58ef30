"""`docs-builder diff A B`: what readers of version B see that readers of version A do not.

Each page's Liquid is rendered through the pipeline's renderer for both versions at once: when
the two versions make the same observations they share one render, so a page without version
conditions costs one render and has no differences. Where the two texts differ, the blocks
(runs of lines between blank lines) that differ are mapped back to their source with the
renders' source maps, and to the `ifversion` blocks responsible: those enclosing text that
only one of the two renders wrote.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from liquid.context import RenderContext

from ..core.diagnostics import Problems
from ..core.location import locate
from ..liquid_tags.ifversion_tag import IfversionNode
from ..liquid_tags.sourcemap import SourceMap, collapse_blank_lines, strip_mapped, tag_start
from ..liquid_tags.state import RenderState
from ..pipeline.props import PropOutcome
from ..pipeline.site import Site
from ..sources.content import Page
from ..versions.model import Version
from .release import one_version

PROPS = ("title", "intro", "body")
"""The properties compared, in the order they are reported."""


@dataclass(frozen=True)
class Block:
    """A run of rendered lines and where its first line comes from (`path:line`)."""

    text: str
    at: str


@dataclass(frozen=True)
class Cause:
    """An `ifversion` block (or, when no condition explains a difference, the text itself)."""

    at: str
    """`path:line` of the `{% ifversion %}` tag."""
    tag: str
    """The tag as written, such as `{% ifversion ghes > 3.16 %}`."""
    via: tuple[str, ...] = ()
    """`path:line` of each `{% data %}` tag that included the file, innermost first."""


@dataclass
class Hunk:
    prop: str
    a: list[Block]
    b: list[Block]
    causes: list[Cause]


@dataclass
class PageRef:
    source: str
    url: str
    title: str


@dataclass
class PageDiff(PageRef):
    hunks: list[Hunk] = field(default_factory=list)


@dataclass
class SiteDiff:
    a: Version
    b: Version
    language: str
    only_a: list[PageRef] = field(default_factory=list)
    only_b: list[PageRef] = field(default_factory=list)
    changed: list[PageDiff] = field(default_factory=list)
    same: int = 0
    problems: Problems = field(default_factory=Problems)

    @property
    def differs(self) -> bool:
        return bool(self.only_a or self.only_b or self.changed)


def diff_versions(root: Path, a_text: str, b_text: str, language: str | None = None) -> SiteDiff:
    """Compare the pages of two versions (in one language, the default one unless named)."""
    from ..sources.config import load_config

    space = load_config(Path(root)).space
    a = one_version(space, a_text, "diff A")
    b = one_version(space, b_text, "diff B")
    site = Site(Path(root), [a.id, b.id], [language] if language else None)
    lang = site.languages[0]
    result = SiteDiff(a, b, lang.code)
    # Pages that could not be loaded are missing from the comparison: say why. Other problems
    # of the site (links, redirects) are `check`'s to report.
    failed = {f"content/{rel}" for rel in site.tree.failed}
    result.problems.extend(d for d in site.problems if d.is_error and d.location is not None
                           and d.location.path in failed)
    for page in site.tree.pages.values():
        in_a, in_b = a.id in page.versions, b.id in page.versions
        if not (in_a or in_b):
            continue
        if in_a != in_b:
            version = a if in_a else b
            ref = PageRef(page.src, _url(page), _plain_title(site, lang, page, version))
            (result.only_a if in_a else result.only_b).append(ref)
            continue
        differ = _PageDiffer(site, lang, page, a, b, result.problems)
        hunks = differ.hunks()
        if differ.failed:
            pass  # its errors are reported; neither the same nor changed
        elif hunks:
            result.changed.append(PageDiff(page.src, _url(page), _plain_title(site, lang, page, b), hunks))
        else:
            result.same += 1
        site.forget(lang, page)
    return result


def _url(page: Page) -> str:
    return "/" + page.url


def _plain_title(site: Site, lang, page: Page, version: Version) -> str:
    outcomes, _ = site.props.render(site.localized(lang, page), "title", [version])
    return outcomes[0].text.strip() if outcomes and outcomes[0].outcome.ok else page.fm.get("title", "") or ""


class _PageDiffer:
    def __init__(self, site: Site, lang, page: Page, a: Version, b: Version, problems: Problems):
        self.site, self.lang, self.page, self.a, self.b = site, lang, page, a, b
        self.problems = problems
        self._index: dict[str, dict[int, list]] = {}
        self.failed = False

    def hunks(self) -> list[Hunk]:
        loc = self.site.localized(self.lang, self.page)
        out: list[Hunk] = []
        for prop in PROPS:
            outcomes, problems = self.site.props.render(loc, prop, [self.a, self.b])
            errors = [d for d in problems if d.is_error]
            self.problems.extend(errors)
            self.failed = self.failed or bool(errors)
            if len(outcomes) < 2:
                continue
            oa = next(o for o in outcomes if self.a in o.versions)
            ob = next(o for o in outcomes if self.b in o.versions)
            if not (oa.outcome.ok and ob.outcome.ok) or oa.text == ob.text:
                continue
            out.extend(self._prop_hunks(prop, loc, oa, ob))
        return out

    def _prop_hunks(self, prop: str, loc, oa: PropOutcome, ob: PropOutcome) -> list[Hunk]:
        ta, ma = collapse_blank_lines(*strip_mapped(oa.text, oa.outcome.marks))
        tb, mb = collapse_blank_lines(*strip_mapped(ob.text, ob.outcome.marks))
        sa, sb = SourceMap(ta, ma, oa.outcome.includes), SourceMap(tb, mb, ob.outcome.includes)
        blocks_a, blocks_b = _blocks(ta), _blocks(tb)
        fixed = None
        if prop != "body":  # a frontmatter value: its key's line
            source = loc.props.get(prop)
            if source is not None and source.split is not None:
                where = source.split.locate((prop,), value=True)
                fixed = f"{where.path}:{where.line}"
        hunks = []
        matcher = difflib.SequenceMatcher(None, [t for t, _, _ in blocks_a], [t for t, _, _ in blocks_b],
                                          autojunk=False)
        tokens_a = {id(m[1]) for m in ma}
        tokens_b = {id(m[1]) for m in mb}
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            causes: list[Cause] = []
            fallback: list[Cause] = []
            side_a = [self._block(sa, blk, fixed, tokens_b, causes, oa, fallback) for blk in blocks_a[i1:i2]]
            side_b = [self._block(sb, blk, fixed, tokens_a, causes, ob, fallback) for blk in blocks_b[j1:j2]]
            if not causes:  # no text of one render only: a version-dependent value, or the text itself
                tags = [c for c in fallback if c.tag]
                causes = tags or fallback[:1]
            if fixed is not None:
                causes = [Cause(fixed, loc.props[prop].split.locate((prop,), value=True).source_line.strip())]
            hunks.append(Hunk(prop, side_a, side_b, _unique(causes)))
        return hunks

    def _block(self, smap: SourceMap, blk, fixed: str | None, other_tokens: set[int], causes: list[Cause],
               po: PropOutcome, fallback: list[Cause]) -> Block:
        text, start, end = blk
        if fixed is not None:
            return Block(text, fixed)
        where = smap.locate(start)
        at = f"{where.path}:{where.line}" if where is not None else po.source.path
        for mark in _marks_in(smap, start, end):
            token, path = mark[1], mark[2]
            if id(token) not in other_tokens:
                cause = self._cause(path, token, po)
                if cause is not None:
                    causes.append(cause)
            elif token.kind != "content":  # a {% data variables... %} whose value depends on the version
                tag = _tag_text(token.source, tag_start(token.source, token.start_index))
                if not self._conditional_value(tag):
                    continue
                brace = locate(path, token.source, tag_start(token.source, token.start_index))
                fallback.append(Cause(f"{brace.path}:{brace.line}", tag, self._via(smap, path)))
        if where is not None:
            fallback.append(Cause(at, "", self._via(smap, where.path)))
        return Block(text, at)

    def _conditional_value(self, tag: str) -> bool:
        words = tag.strip("{%-} ").split()
        if len(words) < 2 or words[0] != "data" or not words[1].startswith("variables."):
            return False
        found = self.site.data.variable(self.lang, words[1].split("."))
        value = str(found.value) if found is not None else ""
        return "{%" in value or "{{" in value

    def _via(self, smap: SourceMap, path: str) -> tuple[str, ...]:
        return _included(smap.includes, path)

    def _cause(self, path: str, token, po: PropOutcome) -> Cause | None:
        """The innermost `ifversion` around `token` in `path`; for a reusable without one, the
        one around the `{% data %}` tag that included it (and so on up)."""
        includes = po.outcome.includes
        seen: set[str] = set()
        while True:
            chain = self._chains(path, po).get(id(token))
            if chain:
                node = chain[-1]
                source = node.token.source
                brace = tag_start(source, node.token.start_index)
                where = locate(path, source, brace)
                return Cause(f"{where.path}:{where.line}", _tag_text(source, brace), _included(includes, path))
            if path not in includes or path in seen:
                return None
            seen.add(path)
            path, token = includes[path]

    def _chains(self, path: str, po: PropOutcome) -> dict[int, list]:
        """id(token) -> the `ifversion` nodes enclosing it, outermost first, for one file."""
        found = self._index.get(path)
        if found is None:
            found = self._index[path] = {}
            template = self._template(path, po)
            if template is not None:
                _walk(template.nodes, [], found, RenderContext(template))
        return found

    def _template(self, path: str, po: PropOutcome):
        source = po.source
        lang = self.lang.code if source.translated else self.site.default_language.code
        if path == source.path:
            parsed = self.site.props.parse(lang, source)
            return parsed.template
        env = self.site.envs[lang]
        return env.reusable_template(path, RenderState(self.a))


def _included(includes: dict, path: str) -> tuple[str, ...]:
    """`path:line` of each `{% data %}` tag that included `path`, innermost first."""
    out: list[str] = []
    seen = set()
    while path in includes and path not in seen:
        seen.add(path)
        parent, token = includes[path]
        where = locate(parent, token.source, tag_start(token.source, token.start_index))
        out.append(f"{where.path}:{where.line}")
        path = parent
    return tuple(out)


def _tag_text(source: str, brace: int) -> str:
    close = source.find("%}", brace)
    tag = source[brace: close + 2] if close != -1 else source[brace: brace + 80]
    return " ".join(tag.split())


def _walk(nodes, chain: list, index: dict[int, list], ctx) -> None:
    for node in nodes:
        token = getattr(node, "token", None)
        if token is not None:
            index.setdefault(id(token), chain)
        if isinstance(node, IfversionNode):
            inner = chain + [node]
            for _, block in node.branches:
                _walk(block.nodes, inner, index, ctx)
            if node.default is not None:
                _walk(node.default.nodes, inner, index, ctx)
            continue
        try:
            children = list(node.children(ctx, include_partials=False))
        except Exception:  # a tag that cannot list its children statically: nothing under it to map
            children = []
        _walk(children, chain, index, ctx)


def _marks_in(smap: SourceMap, start: int, end: int):
    marks = smap.marks
    first = None
    for i, mark in enumerate(marks):
        if mark[0] <= start:
            first = i
        elif mark[0] >= end:
            break
    for mark in marks[first if first is not None else 0:]:
        if mark[0] >= end:
            break
        yield mark


def _blocks(text: str) -> list[tuple[str, int, int]]:
    """(text, start, end) of each run of non-blank lines."""
    out = []
    pos = 0
    start = None
    lines = text.split("\n")
    for line in lines:
        if line.strip():
            if start is None:
                start = pos
            last_end = pos + len(line)
        elif start is not None:
            out.append((text[start:last_end], start, last_end))
            start = None
        pos += len(line) + 1
    if start is not None:
        out.append((text[start:last_end], start, last_end))
    return out


def _unique(causes: list[Cause]) -> list[Cause]:
    seen = set()
    out = []
    for cause in causes:
        if cause not in seen:
            seen.add(cause)
            out.append(cause)
    return out

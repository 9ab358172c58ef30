"""Per-version finishing of shared HTML: link targets and AUTOTITLE texts filled in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Callable

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.location import Location
from ..core.spans import narrow
from .table import Resolved
from ..markdown_rules.links import PLACEHOLDER, LinkRef
from ..sources.content import Page
from ..versions.model import Version


@dataclass
class FragmentCheck:
    """A link to `#fragment` on another page, checked once every page's headings are known."""

    target: str
    lang: str
    version: str
    fragment: str
    location: Location | None
    href: str
    notes: tuple[str, ...] = ()


@dataclass
class Finished:
    html: str
    problems: list[Diagnostic] = field(default_factory=list)
    fragments: list[FragmentCheck] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    """Hrefs of the links that are broken (their errors are in `problems`)."""
    links: list[tuple[str, bool]] = field(default_factory=list)
    """(href, autotitle) of every internal link, re-resolved to decide whether to rebuild."""
    targets: dict[str, str] = field(default_factory=dict)
    """href -> the URL the HTML links to, for the links that resolved (the Markdown copy's links)."""
    titles: dict[str, str] = field(default_factory=dict)
    """href -> the title an AUTOTITLE link to it shows."""


def finish_html(
    html: str,
    links: list[LinkRef],
    *,
    lang: str,
    version: Version,
    resolve: Callable[[str, str, Version], Resolved],
    title_of: Callable[[Page, Version], str],
    locate: Callable[[LinkRef], Location | None],
    self_page: Page | None = None,
    notes: Callable[[Location | None], tuple[str, ...]] = lambda _loc: (),
) -> Finished:
    """Replace the placeholders of `html` for one (language, version)."""
    result = Finished(html)
    if not links:
        return result
    resolved: dict[int, Resolved] = {}
    for n, link in enumerate(links):
        if link.bad_autotitle:
            result.broken.append(link.href)
            where = locate(link)
            result.problems.append(Diagnostic(
                codes.LINK_AUTOTITLE,
                f"AUTOTITLE needs a link to a page; {link.href!r} is not one",
                where, Severity.ERROR, notes(where), versions=(version.id,)))
            continue
        res = resolve(link.href, lang, version)
        resolved[n] = res
        result.links.append((link.href, link.autotitle))
        if res.problem:
            result.broken.append(link.href)
            where = locate(link)
            if res.unsafe is not None:  # refused by the path policy: the caret on the characters at fault
                result.problems.append(Diagnostic(
                    codes.LINK_UNSAFE, res.problem, narrow(where, link.href, res.unsafe.offset, res.unsafe.length),
                    Severity.ERROR, notes(where), versions=(version.id,)))
                continue
            result.problems.append(Diagnostic(
                codes.LINK_AUTOTITLE if link.autotitle else codes.LINK_BROKEN,
                f"{'AUTOTITLE link' if link.autotitle else 'link'} {link.href!r} is broken: {res.problem}",
                where, Severity.ERROR, notes(where), versions=(version.id,)))
        else:
            result.targets[link.href] = res.url
            if link.autotitle and res.page is not None:
                result.titles[link.href] = title_of(res.page, res.version or version)
        if not res.problem and res.fragment and res.page is not None:
            where = locate(link)
            result.fragments.append(FragmentCheck(
                res.page.rel, lang, (res.version or version).id, res.fragment[1:], where, link.href, notes(where)))

    def sub(m: re.Match) -> str:
        if m.group(1) is not None:
            res = resolved.get(int(m.group(1)))
            return escape(res.url if res else links[int(m.group(1))].href)
        n = int(m.group(2))
        res = resolved.get(n)
        if res is None or res.page is None or res.problem:
            return escape(links[n].href)
        return escape(title_of(res.page, res.version or version))

    result.html = PLACEHOLDER.sub(sub, html)
    return result


_ANCHOR = re.compile(r'\bid="([^"]+)"')


def anchors_of(html: str) -> set[str]:
    return set(_ANCHOR.findall(html))

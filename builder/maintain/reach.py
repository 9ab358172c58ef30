"""Which branch of each `ifversion` block every version takes, as the build's own renders record it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.diagnostics import Diagnostic, Severity
from ..liquid_tags.environment import Parsed
from ..liquid_tags.ifversion_tag import IfversionNode
from ..liquid_tags.render import render_versions
from ..pipeline.site import Site
from ..sources.config import Language
from ..sources.content import Page
from .outline import block_of, outline
from .explain import Simplifier, analyse_block, finding
from .report import Explained, explain_outline


@dataclass
class Reach:
    """What renders recorded, merged over pages (and languages): a block in a reusable is
    evaluated in the versions of every page that includes it."""

    taken: dict[tuple[str, int], dict[str, int]] = field(default_factory=dict)
    """(file, offset of the ifversion tag) -> version id -> index of the branch it rendered."""
    nodes: dict[tuple[str, int], IfversionNode] = field(default_factory=dict)
    includes: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    """Reusable file -> the page file that includes it (directly or not) -> version ids."""
    render_errors: dict[str, int] = field(default_factory=dict)
    """Page file -> Liquid errors its renders reported (`check` lists them)."""


def render_page(site: Site, lang: Language, page: Page, reach: Reach) -> Parsed:
    """Render the body of `page` in `lang` for every version it exists in, recording into `reach`
    the branch each block took. The parse result is returned (not rendered when it has errors)."""
    loc = site.localized(lang, page)
    source = loc.props["body"]
    code = lang.code if source.translated else site.default_language.code
    parsed = site.props.parse(code, source)
    if parsed.template is None or not parsed.ok:
        return parsed
    space = site.config.space
    versions = [space.by_id[v] for v in page.versions]
    for outcome in render_versions(site.envs[code], parsed, versions, record_blocks=True):
        ids = [v.id for v in outcome.versions]
        errors = sum(1 for d in outcome.diagnostics if d.is_error)
        if errors:
            reach.render_errors[source.path] = reach.render_errors.get(source.path, 0) + errors
        for key, (node, taken) in (outcome.blocks or {}).items():
            reach.nodes.setdefault(key, node)
            reach.taken.setdefault(key, {}).update(dict.fromkeys(ids, taken))
        for rel in outcome.includes:
            reach.includes.setdefault(rel, {}).setdefault(source.path, set()).update(ids)
    return parsed


def pages_of(site: Site, lang: Language) -> list[Page]:
    """The built pages whose body in `lang` is its own text (an untranslated page is English)."""
    pages = list(site.tree.pages.values())
    if lang.is_default:
        return pages
    return [p for p in pages if site.localized(lang, p).props["body"].translated]


def site_reach(site: Site, languages: list[Language]) -> tuple[Reach, list[Parsed]]:
    """Render every page in `languages`; the pages that did not parse are returned apart."""
    reach = Reach()
    failed: list[Parsed] = []
    for lang in languages:
        for page in pages_of(site, lang):
            parsed = render_page(site, lang, page, reach)
            if not parsed.ok:
                failed.append(parsed)
    return reach, failed


def findings(site: Site, reach: Reach) -> list[Diagnostic]:
    """A warning for every dead or redundant branch the renders reached."""
    data = site.data
    simplifier = Simplifier(site.config.space, data.features)
    out: list[Diagnostic] = []
    for key in sorted(reach.taken):
        block = block_of(key[0], reach.nodes[key])
        reports = analyse_block(block.conditions, reach.taken[key], simplifier)
        for i, branch in enumerate(block.branches):
            found = finding(reports, i, site.config.space)
            if found is not None:
                out.append(Diagnostic(found.code, found.message, branch.subject, Severity.WARNING,
                                      _users_note(reach.includes.get(key[0]))))
    return out


def _users_note(users: dict[str, set[str]] | None) -> tuple[str, ...]:
    """For a block in a reusable: which pages' versions it was judged in."""
    if not users:
        return ()
    pages = sorted(users)
    shown = ", ".join(pages[:3]) + (f" and {len(pages) - 3} more" if len(pages) > 3 else "")
    return (f"judged in the versions of the page{'s' if len(pages) > 1 else ''} that include this file: {shown}",)


def explain_warnings(root, languages: list[str] | None) -> list[Diagnostic]:
    """`check --explain`: the dead and redundant conditions of the whole site, every version."""
    site = Site(root, None, languages)
    reach, _failed = site_reach(site, list(site.languages))  # a page that does not parse: check reports it
    return findings(site, reach)


def explain_page(site: Site, lang: Language, page: Page) -> Explained | Parsed:
    """The report of `page`'s body in `lang` (its translation, for another language); the parse
    result instead when the body does not parse."""
    reach = Reach()
    parsed = render_page(site, lang, page, reach)
    if parsed.template is None or not parsed.ok:
        return parsed
    path = parsed.path
    simplifier = Simplifier(site.config.space, site.data.features)
    shape = outline(path, parsed.template.nodes)
    translated = path != page.src
    return Explained(path, "translated page" if translated else "page", lang.code if translated else
                     site.default_language.code, site.config.space.sorted(page.versions), shape,
                     explain_outline(shape, reach.taken, simplifier), site.config.space,
                     english=page.src if translated else None, render_errors=reach.render_errors.get(path, 0))


def explain_reusable(site: Site, lang: Language, rel: str) -> Explained | Parsed:
    """The report of the reusable `rel` as the pages of `lang` include it, in every version they
    are in; the parse result instead when it does not parse."""
    env = site.envs[lang.code]
    parsed = env.parse(site.data.reusable_source(rel, lang), rel)
    if parsed.template is None or not parsed.ok:
        return parsed
    reach, _failed = site_reach(site, [lang])
    space = site.config.space
    users = {page: space.sorted(ids) for page, ids in reach.includes.get(rel, {}).items()}
    versions = space.sorted({v for ids in users.values() for v in ids})
    shape = outline(rel, parsed.template.nodes)
    translated = not lang.is_default
    english = rel[len(lang.dir) + 1:] if translated else None
    return Explained(rel, "translated reusable" if translated else "reusable", lang.code, versions, shape,
                     explain_outline(shape, reach.taken, Simplifier(space, site.data.features)), space,
                     english=english, included_by=users,
                     render_errors=sum(reach.render_errors.get(p, 0) for p in users))

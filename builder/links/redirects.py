"""The redirect map (pure): every old or alternative URL and the live page it leads to."""

from __future__ import annotations

from typing import NamedTuple

from ..core.urls import page_url
from ..sources.config import Language
from ..sources.content import ContentTree, Page
from ..versions.model import Version, VersionSpace


class Redirect(NamedTuple):
    """One old URL and where it leads (a tuple: a big site has 100,000s, made in a second)."""

    source: str
    """URL path without a trailing slash, such as `/fr/enterprise-server@3.15/old/path`."""
    target: str
    reason: str
    """`redirect_from`, `versionless`, `latest` or `no-language`."""


def compute_redirects(
    tree: ContentTree,
    claims: dict[str, Page],
    space: VersionSpace,
    languages: tuple[Language, ...],
    versions: tuple[Version, ...],
    default_language: Language,
    live: set[str],
) -> list[Redirect]:
    """Redirects for the built languages and versions; live pages (`live` URL paths) win."""
    old_paths: dict[str, list[str]] = {}
    for old, page in claims.items():
        old_paths.setdefault(page.rel, []).append(old)
    found: dict[str, Redirect] = {}

    def add(source: str, target: str, reason: str) -> None:
        if source[-1:] == "/":
            source = source.rstrip("/") or "/"
        if source != target and source not in live and source not in found:
            found[source] = Redirect(source, target, reason)

    latest = {plan.name: space.latest(plan) for plan in space.plans if plan.numbered}
    for lang in languages:
        code = lang.code
        for page in tree.pages.values():
            built = [v for v in versions if v.id in page.versions]
            if not built:
                continue
            first = built[0]
            urls = {v.id: page_url(code, v, page.url) for v in built}  # one string per target, shared
            target_first = urls[first.id]
            if not first.is_default and page.url:
                add(f"/{code}/{page.url}", target_first, "versionless")
            for old in sorted(old_paths.get(page.rel, ())):
                add(f"/{code}/{old}", target_first, "redirect_from")
                for v in built:
                    if v.segment:
                        add(f"/{code}/{v.segment}/{old}", urls[v.id], "redirect_from")
                    if v.plan.name in latest and latest[v.plan.name] is v:
                        add(f"/{code}/{v.plan.name}@latest/{old}", urls[v.id], "latest")
            for name, v in latest.items():
                if v in built:
                    add(f"/{code}/{name}@latest/{page.url}".rstrip("/"), urls[v.id], "latest")
    # A path without a language leads to the default language's page. Stubs cover paths without
    # a version segment (the common case: old links to the default version); for versioned paths
    # the site's 404.html redirects in the browser, and host rules can do it on the server.
    code = default_language.code
    if default_language in languages:
        prefix = f"/{code}/"
        for redirect in list(found.values()):  # `add` grows `found`
            source = redirect.source
            if source.startswith(prefix) and "@" not in source.split("/", 3)[2]:
                add(source[len(code) + 1 :], redirect.target, "no-language")
        for path in sorted(live):
            rest = path[len(code) + 1 :]
            if path.startswith(f"/{code}/") and "@" not in rest.split("/", 2)[1]:
                add(rest, path, "no-language")
    return sorted(found.values(), key=lambda r: r.source)

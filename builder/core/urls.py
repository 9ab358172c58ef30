"""URL rules (pure): where a page lives, and what an internal link names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from ..versions.model import Version, VersionSpace

_LEGACY_ENTERPRISE = re.compile(r"^enterprise/(\d+(?:\.\d+)+)(/.*)?$")


_UNSAFE = re.compile(r"[^A-Za-z0-9/@\-._~]").search


def page_url(lang: str, version: Version, path: str) -> str:
    """`/fr/enterprise-server@3.15/packages/x` (no version segment on the default plan)."""
    parts = [lang]
    if version.segment:
        parts.append(version.segment)
    if path:
        parts.append(path)
    url = "/" + "/".join(parts)
    return url if _UNSAFE(url) is None else "/" + "/".join(quote(p, safe="/@-._~") for p in parts)


def output_file(lang: str, version: Version, path: str) -> str:
    """Output file of a page relative to the site root: `<lang>/<segment>/<path>/index.html`."""
    parts = [lang]
    if version.segment:
        parts.append(version.segment)
    if path:
        parts.append(path)
    return "/".join(parts) + "/index.html"


@dataclass(frozen=True)
class LinkTarget:
    """What an internal href names, before anything is looked up."""

    path: str
    """Page path without language or version (`packages/x`, '' for home)."""
    version: str | None
    """A version id named in the href, or None for 'the current version'."""
    fragment: str = ""
    query: str = ""
    archived: bool = False
    """The href names a deprecated (archived) release: left alone, not checked."""
    raw_version: str = ""
    """The version segment as written (e.g. enterprise-server@3.3)."""


def split_href(href: str) -> tuple[str, str, str]:
    """Path, `?query` and `#fragment` of an href."""
    fragment = query = ""
    if "#" in href:
        href, frag = href.split("#", 1)
        fragment = "#" + frag
    if "?" in href:
        href, q = href.split("?", 1)
        query = "?" + q
    return href, query, fragment


def parse_internal(href: str, space: VersionSpace, languages: tuple[str, ...]) -> LinkTarget:
    """Read an internal href such as `/en/enterprise-cloud@latest/foo#x`."""
    path, query, fragment = split_href(href)
    segments = [s for s in path.split("/") if s]
    if segments and segments[0] in languages:
        segments = segments[1:]
    version: str | None = None
    archived = False
    raw = ""
    if segments:
        first = segments[0]
        legacy = _LEGACY_ENTERPRISE.match("/".join(segments))
        if "@" in first:
            raw = first
            name, _, release = first.partition("@")
            plan = space.plan(name)
            if plan is not None:
                if release == "latest":
                    version = space.latest(plan).id
                elif f"{plan.name}@{release}" in space.by_id:
                    version = f"{plan.name}@{release}"
                elif release in plan.deprecated or plan.numbered:
                    archived = True
                    version = f"{plan.name}@{release}"
                segments = segments[1:]
            elif name in space.retired:
                segments = segments[1:]
                raw = first
        elif legacy and space.plans:
            archived = True
        elif space.plan(first) is not None and space.plan(first).name == first:
            version = space.latest(space.plan(first)).id
            raw = first
            segments = segments[1:]
    return LinkTarget("/".join(segments), version, fragment, query, archived, raw)

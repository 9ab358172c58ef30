"""Redirects shaped for a host profile (pure): which old URLs a host serves by `_redirects`
rules, which by HTML stubs, and which by the 404 page's redirect map.

The full redirect map (links/redirects.py) lists every old URL once per language and version.
A profile compresses it (docs/deploy.md):

* one rule per `redirect_from` entry for every language, and one for every version whose
  segment the source and the target share: `/:lang/old /:lang/new 301` and
  `/:lang/:version/old /:lang/:version/new 301` (a `@latest` segment then follows the
  `/:lang/<plan>@latest/*` rule to the release);
* one splat per top-level folder for URLs without a language (`/get-started/* /en/get-started/:splat`);
* a placeholder rule is only written when no page and no other old URL matches it (Cloudflare
  applies rules before files);
* within a host's rule budget (Cloudflare: 100 dynamic, 2,000 static; GitLab: 1,000 rules in
  64 KB) entries are taken in path order, then exact rules for single old URLs; what is left is
  served by the host's fallback (`Host.fallback`): stubs (GitLab, GitHub Pages), or, on
  Cloudflare, whose file limit stubs would exhaust, the 404 page, which looks the path up in
  `redirect-map.json` (one entry per `redirect_from` path, not per language and version) and
  sends the browser on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from ..output.hosts import Host
from .redirects import Redirect

MAP_FILE = "redirect-map.json"
_SAFE = "/@-._~"


@dataclass
class Entry:
    """One old path `tail` (a `redirect_from` path, or the URL of a page that is not in the default
    version) and the page it leads to in each of the versions it is built in."""

    tail: str
    url: str
    segments: tuple[str, ...]
    """Version segments of the page's built versions, in order ("" for the default version)."""
    versioned: bool
    """True for `redirect_from` (old paths exist under each version segment)."""


@dataclass
class Plan:
    rules: list[tuple[str, str, int]] = field(default_factory=list)
    """`_redirects` lines in order (static rules first)."""
    stubs: list[Redirect] = field(default_factory=list)
    map_doc: dict | None = None
    """`redirect-map.json` for the 404 page, or None."""
    by_rules: int = 0
    """Old URLs (of the full map) that a rule serves."""
    by_map: int = 0


def entries(tree, claims, versions, default_language) -> dict[str, Entry]:
    """Every `redirect_from` path and every URL of a page that the default version lacks."""
    found: dict[str, Entry] = {}
    for page in tree.pages.values():
        built = [v for v in versions if v.id in page.versions]
        if not built:
            continue
        segments = tuple(v.segment for v in built)
        if not built[0].is_default and page.url:
            found.setdefault(page.url, Entry(page.url, page.url, segments, False))
    for old, page in sorted(claims.items()):
        built = [v for v in versions if v.id in page.versions]
        if built:
            found[old] = Entry(old, page.url, tuple(v.segment for v in built), True)
    return found


def plan(host: Host, redirects: list[Redirect], live: set[str], found: dict[str, Entry],
         languages: list[str], default: str, latest: dict[str, str], segments: list[str]) -> Plan:
    """The rules, stubs and 404 map that serve every redirect of `redirects` on `host`.

    `live`: URL paths of every file the site holds; `latest`: `<plan>@latest` -> the segment of
    its latest release ("" for the default plan); `segments`: every built version's segment."""
    result = Plan()
    if not host.redirect_rules:
        if host.name == "nginx":  # nginx-redirects.conf maps every old URL
            return result
        if host.uses_map:
            result.map_doc, result.by_map = map_document(found), len(redirects)
        else:
            result.stubs = [r for r in redirects if r.source != "/"]
        return result
    truth = {r.source: r for r in redirects}
    langs = set(languages)
    static: list[tuple[str, str, int]] = []
    dynamic: list[tuple[str, str, int]] = []
    budget = _Budget(host)
    # URLs without a language: one splat per first segment (products, version segments).
    nolang = sorted({r.source.split("/")[1] for r in redirects if r.reason == "no-language" and r.source.count("/") > 1}
                    | {s for s in segments if s})
    splats: set[str] = set()
    live_firsts = {p.split("/")[1] for p in live if p != "/"}
    for first in nolang:
        if first in langs or first in live_firsts:
            continue
        rule = (f"/{_enc(first)}/*", f"/{default}/{_enc(first)}/:splat", 302)
        if budget.take(rule, dynamic=True):
            dynamic.append(rule)
            splats.add(first)
    latest_splats: set[str] = set()
    for name, seg in sorted(latest.items()):
        pair = [(f"/:lang/{name}", f"/:lang/{seg}" if seg else "/:lang", 302),
                (f"/:lang/{name}/*", f"/:lang/{seg}/:splat" if seg else "/:lang/:splat", 302)]
        if budget.take_all(pair, dynamic=True):
            dynamic.extend(pair)
            latest_splats.add(name)

    def caught(path: str) -> bool:
        parts = path.split("/")
        return (len(parts) > 2 and parts[1] in splats) or (len(parts) > 2 and parts[1] in langs and parts[2] in latest_splats)

    # Placeholder rules per entry, when nothing else matches them.
    index: dict[tuple[str, int], list[str]] = {}
    for path in (*live, *truth):
        parts = path.split("/")
        for k in (1, 2):
            if len(parts) > k + 1:
                index.setdefault(("/".join(parts[k + 1:]), k), []).append(path)

    def owner(path: str) -> str | None:
        parts = path.split("/")
        if len(parts) < 3 or parts[1] not in langs:
            return None
        return "/".join(parts[3:]) if "@" in parts[2] else "/".join(parts[2:])

    covered: set[str] = set()
    for tail in sorted(found):
        e = found[tail]
        if budget.full(dynamic=True):
            break
        first = e.segments[0]
        target = f"/{e.url}".rstrip("/") if not first else f"/{first}/{e.url}".rstrip("/")
        rules = [(f"/:lang/{_enc(tail)}", f"/:lang{_enc(target)}", 301)]
        if e.versioned and any(e.segments):
            rules.append((f"/:lang/:version/{_enc(tail)}", f"/:lang/:version/{_enc(e.url)}".rstrip("/"), 301))
        own = set()
        ok = True
        for k in range(1, len(rules) + 1):
            for path in index.get((tail, k), ()):
                if path in truth and owner(path) == tail:
                    own.add(path)
                elif path in truth and caught(path):
                    continue
                elif path in live and host.assets_first:
                    continue
                else:
                    ok = False
        if not ok or not budget.take_all(rules, dynamic=True):
            continue
        dynamic.extend(rules)
        covered |= own
    # Exact rules and stubs for the rest.
    rest = [r for r in redirects if r.source not in covered and not caught(r.source) and r.source != "/"]
    rest.sort(key=lambda r: _priority(r, default))
    stubs: list[Redirect] = []
    for r in rest:
        rule = (_enc(r.source), r.target, 302 if r.reason in ("latest", "no-language") else 301)
        if budget.take(rule, dynamic=False):
            static.append(rule)
            covered.add(r.source)
        elif not host.uses_map:  # else the 404 page's map (Cloudflare: stubs would pass its file limit)
            stubs.append(r)
    result.rules = sorted(static) + dynamic
    result.stubs = sorted(stubs, key=lambda r: r.source)
    result.by_rules = sum(1 for r in redirects if r.source in covered or caught(r.source))
    if host.uses_map:
        result.map_doc = map_document(found)
        result.by_map = len(redirects) - result.by_rules
    return result


def map_document(found: dict[str, Entry]) -> dict:
    """`redirect-map.json`: {"versions": [[segment, ...], ...], "pages": {tail: [url, versions index]}}."""
    sets: dict[tuple[str, ...], int] = {}
    pages = {}
    for tail in sorted(found):
        e = found[tail]
        key = e.segments if e.versioned else e.segments[:1]
        pages[tail] = [e.url, sets.setdefault(key, len(sets))]
    return {"format": 1, "versions": [list(k) for k in sets], "pages": pages}


def _priority(r: Redirect, default: str) -> tuple:
    parts = r.source.split("/")
    versioned = len(parts) > 2 and "@" in parts[2]
    return (versioned, parts[1] != default if len(parts) > 1 else True, r.source)


def _enc(path: str) -> str:
    return quote(path, safe=_SAFE)


class _Budget:
    def __init__(self, host: Host):
        self.host = host
        self.static = self.dynamic = 0
        self.bytes = 80  # the header line

    def _fits(self, rules, dynamic: bool) -> bool:
        h = self.host
        n = len(rules)
        size = sum(len(f"{s} {t} {c}\n") for s, t, c in rules)
        if h.rule_chars is not None and any(len(f"{s} {t} {c}") > h.rule_chars for s, t, c in rules):
            return False
        if dynamic and h.dynamic_rules is not None and self.dynamic + n > h.dynamic_rules:
            return False
        if not dynamic and h.static_rules is not None and self.static + n > h.static_rules:
            return False
        if h.rules is not None and self.static + self.dynamic + n > h.rules:
            return False
        return h.rules_bytes is None or self.bytes + size <= h.rules_bytes

    def take_all(self, rules, dynamic: bool) -> bool:
        if not self._fits(rules, dynamic):
            return False
        if dynamic:
            self.dynamic += len(rules)
        else:
            self.static += len(rules)
        self.bytes += sum(len(f"{s} {t} {c}\n") for s, t, c in rules)
        return True

    def take(self, rule, dynamic: bool) -> bool:
        return self.take_all([rule], dynamic)

    def full(self, dynamic: bool) -> bool:
        h = self.host
        if h.rules is not None and self.static + self.dynamic >= h.rules:
            return True
        return dynamic and h.dynamic_rules is not None and self.dynamic >= h.dynamic_rules

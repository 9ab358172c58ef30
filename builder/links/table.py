"""Every live page and every `redirect_from` path, and how an internal link resolves."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.paths import PathIssue, check_site_path_decoded, explain, normal_form
from ..core.spans import narrow
from ..core.urls import page_url, parse_internal, split_href
from ..sources.content import ContentTree, Page
from ..versions.model import Version, VersionSpace


@dataclass(frozen=True)
class Resolved:
    url: str
    page: Page | None = None
    version: Version | None = None
    fragment: str = ""
    problem: str | None = None
    """Why the link is broken, if it is."""
    unsafe: PathIssue | None = None
    """The path policy's reason when the href's path is not a plain site path (`problem` then
    says so in full, naming the href, and the link is reported as DB407)."""


RESERVED = frozenset({"index.html", "404.html", "_redirects", "redirects.json", "nginx-redirects.conf", "redirect-map.json",
                      "sitemap.xml", "_static", "_pagefind", ".build", "versions.json", "_archive"})
"""Names the builder writes at the root of the site: an old path never starts with one."""
HOST_META = {"?": "which starts a query string", "#": "which starts a fragment",
             "*": "a wildcard in host redirect rules", ":": "which starts a placeholder in host redirect rules"}
"""Characters a plain site path may hold but an old path may not: host rules read them."""
REDIRECT_HINT = "write an old path of this site, such as /old/page"
LINK_HINT = "write the path of a page of this site, such as /get-started/quickstart"


def normalize_path(path: str) -> str:
    return "/".join(s for s in path.strip().split("/") if s)


class LinkTable:
    """Built once from the English tree; answers link lookups for every language and version."""

    def __init__(self, tree: ContentTree, space: VersionSpace, languages: tuple[str, ...]):
        self.tree = tree
        self.space = space
        self.languages = languages
        self.by_url: dict[str, Page] = dict(tree.by_url)
        self.redirects: dict[str, Page] = {}
        """Old path (no language, no version) -> the page that claims it."""
        self.claims: dict[str, list[tuple[Page, int]]] = {}
        self.problems: list[Diagnostic] = []
        self._resolved: dict[tuple[str, str, str], Resolved] = {}
        self.archives: dict[str, frozenset[str]] = {}
        """Archived version id -> its page paths (builder/output/archives.py), set by the build."""
        self.failed_urls = tree.failed_urls
        """Paths of pages that failed to load: links to them are not errors of their own."""
        self._collect_redirects()

    def _collect_redirects(self) -> None:
        for page in self.tree.pages.values():
            raw = page.fm.get("redirect_from") or []
            if isinstance(raw, str):
                raw = [raw]
            elif not isinstance(raw, list):
                continue  # the frontmatter schema reports it
            for i, old in enumerate(raw):
                if not isinstance(old, str):
                    continue
                keys = ("redirect_from", i) if isinstance(page.fm.get("redirect_from"), list) else ("redirect_from",)
                path = self._old_path(page, old, keys)
                if path is None:
                    continue
                if path == page.url:
                    self.problems.append(page.split.error(
                        codes.REDIRECT_LOOP,
                        f"redirect_from entry {old!r} is this page's own path: it would redirect to itself",
                        keys, value=True))
                    continue
                self.claims.setdefault(path, []).append((page, i))
        for path, claims in sorted(self.claims.items()):
            pages = {c[0].rel: c for c in claims}
            if len(pages) > 1:
                (first, _), *others = sorted(pages.values(), key=lambda c: c[0].rel)
                for other, i in others:
                    self.problems.append(other.split.error(
                        codes.REDIRECT_CLASH,
                        f"redirect_from /{path} is also claimed by {first.src}; an old path can lead to one page only",
                        ("redirect_from", i), value=True))
                continue
            page, i = claims[0]
            live = self.by_url.get(path)
            if live is not None:
                self.problems.append(page.split.error(
                    codes.REDIRECT_CLASH,
                    f"redirect_from /{path} is the path of the live page {live.src}; the live page wins",
                    ("redirect_from", i), value=True, severity=Severity.WARNING))
                continue
            self.redirects[path] = page

    def _old_path(self, page: Page, old: str, keys: tuple) -> str | None:
        """The page path (no language or version) an entry names, or None after reporting why
        it is not a plain old path of the site."""
        issue = check_site_path_decoded(old)
        if issue is None and not old.startswith("/"):
            self.problems.append(page.split.error(
                codes.REDIRECT_BAD, f"redirect_from entry {old!r} must start with '/'", keys, value=True))
            return None
        if issue is None:
            path = normalize_path(unquote(parse_internal(old, self.space, self.languages).path))
            segments = path.split("/")
            ch = next((c for c in unquote(old) if c in HOST_META), None)
            if ch is not None:
                issue = PathIssue(old.find(ch) if ch in old else 0, 1 if ch in old else len(old),
                                  f"contains {ch!r}, {HOST_META[ch]}")
            elif segments[0] in RESERVED or "index.html" in segments:
                name = segments[0] if segments[0] in RESERVED else "index.html"
                where = old.find(name)
                issue = PathIssue(max(0, where), len(name),
                                  f"names {name!r}, a file or folder docs-builder writes itself")
            else:
                return path
        where = narrow(page.split.locate(keys, value=True), old, issue.offset, issue.length)
        instead, meant = REDIRECT_HINT, normal_form(old) if "segment" in issue.reason else None
        if meant is not None:  # never a quiet way to shadow a live page or loop: say what it means
            live = self.by_url.get(normalize_path(parse_internal(meant, self.space, self.languages).path))
            if live is page:
                instead = f"it means {meant!r}, this page's own path: remove the entry"
            elif live is not None:
                instead = f"it means {meant!r}, the path of the live page {live.src}: remove the entry"
        self.problems.append(Diagnostic(
            codes.REDIRECT_BAD, explain("redirect_from entry", old, issue, instead, suggest=instead is REDIRECT_HINT),
            where))
        return None

    def page_for(self, path: str) -> Page | None:
        """A live page, or the page a `redirect_from` leads to (chains are one hop by design).
        Percent-encoding is decoded (`/caf%C3%A9` is `/café`): old paths are kept decoded."""
        path = normalize_path(path)
        found = self.by_url.get(path) or self.redirects.get(path)
        if found is None and "%" in path:
            path = unquote(path)
            found = self.by_url.get(path) or self.redirects.get(path)
        return found

    def resolve(self, href: str, lang: str, version: Version) -> Resolved:
        """The URL an internal href has on (`lang`, `version`), or why it is broken (memoized)."""
        key = (href, lang, version.id)
        found = self._resolved.get(key)
        if found is None:
            if len(self._resolved) > 500_000:
                self._resolved.clear()
            found = self._resolved[key] = self._resolve(href, lang, version)
        return found

    def _resolve(self, href: str, lang: str, version: Version) -> Resolved:
        issue = check_site_path_decoded(split_href(href)[0])
        if issue is not None:
            return Resolved(href, problem=explain("link", href, issue, LINK_HINT), unsafe=issue)
        target = parse_internal(href, self.space, self.languages)
        tail = target.query + target.fragment
        if target.archived:
            pages = self.archives.get(target.version or "")
            if pages is not None and normalize_path(target.path) not in pages:
                return Resolved(href, problem=f"no page at /{normalize_path(target.path)} in the archive of "
                                f"{target.version}")
            rest = "/".join(([target.raw_version] if target.raw_version else []) + ([target.path] if target.path else []))
            return Resolved(f"/{lang}/{rest}{tail}", fragment=target.fragment)
        pinned = self.space.by_id.get(target.version) if target.version else None
        use = pinned or version
        if pinned is not None and pinned.id in self.archives:  # frozen, not yet deprecated
            page = self.page_for(target.path)
            path = normalize_path(target.path)
            if (page is None or pinned.id not in page.versions) and path in self.archives[pinned.id]:
                return Resolved(page_url(lang, pinned, path) + tail, fragment=target.fragment)
        page = self.page_for(target.path)
        if page is None and normalize_path(target.path) in self.failed_urls:
            return Resolved(href)  # the page's own error fails the build already
        if page is None:
            return Resolved(href, problem=f"no page at /{normalize_path(target.path)}"
                            + (" (and no redirect_from leads there)" if target.path else ""))
        if use.id not in page.versions:
            where = ", ".join(page.versions[:4]) + ("..." if len(page.versions) > 4 else "")
            return Resolved(
                page_url(lang, use, page.url) + tail,
                page,
                use,
                target.fragment,
                problem=(f"{page.src} does not exist in {use.id} (it exists in {where or 'no version'})" if pinned
                         else f"{page.src} does not exist in this version (it exists in {where or 'no version'})"),
            )
        return Resolved(page_url(lang, use, page.url) + tail, page, use, target.fragment)

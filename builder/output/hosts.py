"""Host profiles (`build --host NAME`, or `host:` in `data/host.yml`): each host's published
limits, in one table, and the check of a staged site against them (before it is put in place).

How each host is served redirects is decided in builder/links/host_rules.py; this module only
knows the numbers and counts what a site holds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.errors import ConfigError
from ..core.location import Location

NEAR = 0.9
"""A figure at or above this share of its limit is a warning."""

MIB = 1024 * 1024
GB = 1000 * 1000 * 1000


@dataclass(frozen=True)
class Host:
    name: str
    files: int | None = None
    """Most files a site may hold (None: no published limit)."""
    files_paid: int | None = None
    """The paid plan's file limit, reported beside `files` (Cloudflare)."""
    file_size: int | None = None
    """Largest file, in bytes."""
    total_size: int | None = None
    """Whole site, in bytes."""
    static_rules: int | None = None
    """`_redirects` rules without placeholders or splats."""
    dynamic_rules: int | None = None
    """`_redirects` rules with placeholders or splats (after every static rule)."""
    rules: int | None = None
    """`_redirects` rules of both kinds together."""
    rule_chars: int | None = None
    """Longest `_redirects` line."""
    rules_bytes: int | None = None
    """Size of `_redirects`."""
    redirect_rules: bool = True
    """Whether the host reads `_redirects` (placeholders and splats)."""
    assets_first: bool = True
    """A file at a URL wins over a rule (Netlify, GitLab); False: rules always apply (Cloudflare)."""
    fallback: str = "stubs"
    """How old URLs beyond the rules are served: "stubs" (an HTML file each) or "map" (404.html
    and redirect-map.json: one file, no server redirect); `redirects:` in data/host.yml."""
    source: str = ""
    """Where the figures were published, and when they were read."""

    @property
    def uses_map(self) -> bool:
        """404.html and redirect-map.json serve old URLs (not for generic and nginx, whose files
        cover every old URL)."""
        return self.fallback == "map" and self.name not in ("generic", "nginx")


HOSTS: dict[str, Host] = {
    "generic": Host("generic", source="no host: every redirect as an HTML stub plus _redirects, "
                    "redirects.json and nginx-redirects.conf (the output of docs-builder before profiles)"),
    "cloudflare": Host(
        "cloudflare", files=20_000, files_paid=100_000, file_size=25 * MIB, static_rules=2_000,
        dynamic_rules=100, rule_chars=1_000, assets_first=False, fallback="map",
        source="developers.cloudflare.com/pages/platform/limits and /pages/configuration/redirects "
               "(read 2026-12; 100,000 files on paid plans since the 2026-01-23 changelog entry)"),
    "netlify": Host(
        "netlify", source="docs.netlify.com/routing/redirects (read 2026-12): no published file or "
                          "rule count; over 10,000 redirects use wildcards"),
    "gitlab": Host(
        "gitlab", files=200_000, total_size=1 * GB, rules=1_000, rules_bytes=64 * 1000,
        source="docs.gitlab.com/user/project/pages/redirects and gitlab-pages !551/!555 (read 2026-12): "
               "1,000 rules, a 64 KB _redirects, 200,000 files, 1 GB (configurable on self-managed)"),
    "github-pages": Host(
        "github-pages", total_size=1 * GB, redirect_rules=False,
        source="docs.github.com/pages/getting-started-with-github-pages/github-pages-limits (read 2026-12): "
               "1 GB per site, no server redirects"),
    "nginx": Host(
        "nginx", redirect_rules=False,
        source="no limits: redirects as an nginx map (nginx-redirects.conf) included by the server"),
}
NAMES = tuple(HOSTS)
HOST_FILE = "data/host.yml"
LIMIT_KEYS = ("files", "file_size", "total_size", "static_rules", "dynamic_rules", "rules", "rule_chars",
              "rules_bytes")


def resolve(root: Path, name: str | None) -> Host:
    """The profile of `--host NAME`, else of `data/host.yml` (`host:`, and `limits:` that replace
    the table's figures: a paid plan, a self-managed GitLab), else generic. Raises ConfigError."""
    from ..core.errors import ContentError
    from ..sources.files import read_source

    data: dict = {}
    if os.path.lexists(Path(root) / HOST_FILE):
        try:
            loaded = yaml.safe_load(read_source(Path(root), HOST_FILE))
        except ContentError as err:
            raise ConfigError(err.diagnostics) from None
        except yaml.YAMLError as err:
            raise ConfigError(Diagnostic(codes.HOST_UNKNOWN, f"{HOST_FILE} is not valid YAML: {err}",
                                         Location(HOST_FILE, 1, 1))) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(Diagnostic(codes.HOST_UNKNOWN, f"{HOST_FILE} must be a mapping with `host:` "
                                         "and optional `limits:`", Location(HOST_FILE, 1, 1)))
        data = loaded or {}
    where = "--host" if name else f"{HOST_FILE}: host"
    chosen = name if name else data.get("host", "generic")
    if not isinstance(chosen, str) or chosen not in HOSTS:
        raise ConfigError(Diagnostic(codes.HOST_UNKNOWN, f"{where} {chosen!r} is not a host profile; "
                                     f"known: {', '.join(NAMES)}", None if name else Location(HOST_FILE, 1, 1)))
    host = HOSTS[chosen]
    limits = data.get("limits") or {}
    if not isinstance(limits, dict) or any(k not in LIMIT_KEYS or not isinstance(v, int) or isinstance(v, bool)
                                           or v < 0 for k, v in limits.items()):
        raise ConfigError(Diagnostic(codes.HOST_UNKNOWN, f"{HOST_FILE}: limits must map some of "
                                     f"{', '.join(LIMIT_KEYS)} to whole numbers", Location(HOST_FILE, 1, 1)))
    if limits:
        host = replace(host, source=f"{HOST_FILE} (limits replaced: {', '.join(sorted(limits))})", **limits)
    fallback = data.get("redirects", host.fallback)
    if fallback not in ("stubs", "map"):
        raise ConfigError(Diagnostic(codes.HOST_UNKNOWN, f"{HOST_FILE}: redirects must be stubs or map, not "
                                     f"{fallback!r}", Location(HOST_FILE, 1, 1)))
    return replace(host, fallback=fallback) if fallback != host.fallback else host


def is_dynamic(source: str) -> bool:
    """A `_redirects` source with a splat or a placeholder."""
    return "*" in source or any(part.startswith(":") for part in source.split("/"))


def count_rules(text: str) -> tuple[int, int, int]:
    """(static, dynamic, longest line) of a `_redirects` file's text."""
    static = dynamic = longest = 0
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        longest = max(longest, len(line))
        if is_dynamic(line.split()[0]):
            dynamic += 1
        else:
            static += 1
    return static, dynamic, longest


def _size(roots: list[Path], rel: str) -> int:
    for root in roots:
        try:
            return os.lstat(root / rel).st_size
        except OSError:
            continue
    return 0


def _breakdown(paths: list[str], pages: set[str]) -> str:
    search = sum(1 for p in paths if p.startswith("_pagefind/"))
    markdown = sum(1 for p in paths if p.endswith(("/index.md", "llms.txt", "llms-full.txt")))
    page_count = sum(1 for p in paths if p in pages)
    other = len(paths) - search - markdown - page_count
    return (f"{page_count:,} pages, {markdown:,} Markdown copies, {search:,} search files, "
            f"{other:,} redirect stubs and other files")


def _files_fix(host: Host) -> str:
    fix = ("deploy languages or versions separately (--language, --version), drop the Markdown copies "
           "(--no-markdown) or the search index (--no-search), or switch to a profile with rules for the "
           "redirects (--host)")
    if host.fallback == "stubs" and host.name != "nginx":
        fix = (f"serve the old URLs beyond the rules by the 404 page instead of stubs (redirects: map in "
               f"{HOST_FILE}), " + fix)
    if host.files_paid:
        fix = (f"the paid plan allows {host.files_paid:,} (set limits: {{files: {host.files_paid}}} in "
               f"{HOST_FILE}), or " + fix)
    return fix


def check_site(host: Host, paths: list[str], roots: list[Path], pages: set[str] = frozenset()) -> list[Diagnostic]:
    """Errors and warnings for a site of `paths` (files looked up in `roots`, first found wins)
    against the host's limits. Nothing is printed for the generic profile."""
    if host.name == "generic":
        return []
    problems: list[Diagnostic] = []
    paths = sorted(set(paths))
    sizes = {rel: _size(roots, rel) for rel in paths}
    total = sum(sizes.values())
    largest = max(sizes, key=lambda rel: (sizes[rel], rel)) if sizes else ""

    def check(figure: int, limit: int | None, what: str, fix: str, unit: str = "", near: bool = True) -> None:
        if limit is None:
            return
        shown = what.format(n=_amount(figure, unit)) if "{n}" in what else f"{what} {_amount(figure, unit)}"
        if figure > limit:
            problems.append(Diagnostic(codes.HOST_LIMIT, (
                f"--host {host.name}: {shown} is over the limit of {_amount(limit, unit)} by "
                f"{_amount(figure - limit, unit)}; nothing was written: {fix}"), None))
        elif near and limit and figure >= NEAR * limit:
            problems.append(Diagnostic(codes.HOST_LIMIT_NEAR, (
                f"--host {host.name}: {shown} is {figure * 100 // limit}% of the limit of "
                f"{_amount(limit, unit)}: {fix}"), None, Severity.WARNING))

    files_fix = _files_fix(host)
    check(len(paths), host.files, "the site's file count {n} (" + _breakdown(paths, pages) + ")", files_fix)
    check(sizes.get(largest, 0), host.file_size, f"the largest file, {largest},",
          "split or shrink it (search: fewer pages per index bundle)", "bytes")
    check(total, host.total_size, "the site's total size",
          "deploy versions or languages separately, or drop the Markdown copies (--no-markdown)", "bytes")
    if host.redirect_rules and "_redirects" in sizes:
        text = ""
        for root in roots:
            if (root / "_redirects").is_file():
                text = (root / "_redirects").read_text("utf-8")
                break
        static, dynamic, longest = count_rules(text)
        # The profile fills the rule budget on purpose (builder/links/host_rules.py): no warning
        # when it is full, an error only if a file in the site (not written by it) is over.
        rules_fix = "the profile plans its rules within the limits, so this is a docs-builder bug: please report it"
        check(static, host.static_rules, "_redirects static rules", rules_fix, near=False)
        check(dynamic, host.dynamic_rules, "_redirects dynamic rules", rules_fix, near=False)
        check(static + dynamic, host.rules, "_redirects rules", rules_fix, near=False)
        check(longest, host.rule_chars, "the longest _redirects rule", rules_fix, "chars", near=False)
        check(sizes["_redirects"], host.rules_bytes, "_redirects", rules_fix, "bytes", near=False)
    return problems


def file_report(host: Host, count: int) -> str:
    """The file count against the host's limits: `12,345 files: 62% of 20,000 (free), 12% of 100,000 (paid)`."""
    parts = []
    if host.files:
        parts.append(f"{count * 100 // host.files}% of {host.files:,}" + (" (free)" if host.files_paid else ""))
    if host.files_paid:
        parts.append(f"{count * 100 // host.files_paid}% of {host.files_paid:,} (paid)")
    return f"{count:,} files" + (": " + ", ".join(parts) if parts else "")


def _amount(n: int, unit: str) -> str:
    if unit == "bytes":
        return f"{n / MIB:.1f} MiB" if n >= MIB else f"{n:,} bytes"
    if unit == "chars":
        return f"{n:,} characters"
    return f"{n:,}"


def check_early(host: Host, pages: int, markdown: bool) -> None:
    """Before any page is built: the pages (and their Markdown copies) alone over the file limit
    is an error at once (ConfigError, exit status 2), not after a long build."""
    least = pages * (2 if markdown else 1)
    if host.files is None or least <= host.files:
        return
    copies = f" and {pages:,} Markdown copies" if markdown else ""
    raise ConfigError(Diagnostic(codes.HOST_LIMIT, (
        f"--host {host.name}: the site would hold at least {least:,} files ({pages:,} pages{copies}), over the "
        f"limit of {host.files:,} by {least - host.files:,}; nothing was built: {_files_fix(host)}"), None))


def check_staged(host: Host, problems, pages: list[str], extra, roots: list[Path]) -> str:
    """The limits check of a staged build, before it is put in place: warnings join `problems`;
    an error raises ConfigError (exit status 2) with every problem so far, and the staging
    folder is discarded, leaving the site in --out as it was. Returns the one-line account
    (`summary`) the build prints."""
    if host.name == "generic":
        return ""
    paths = [*pages, *extra]
    found = check_site(host, paths, roots, set(pages))
    errors = [d for d in found if d.is_error]
    problems.extend([d for d in found if not d.is_error])
    if errors:
        raise ConfigError([*problems, *errors])
    return summary(host, set(paths), roots)


def summary(host: Host, paths: set[str], roots: list[Path]) -> str:
    """`--host cloudflare: 1,234 files: 6% of 20,000 (free), 1% of 100,000 (paid); _redirects: 12 static + 30 dynamic rules`."""
    text = f"--host {host.name}: {file_report(host, len(paths))}"
    for root in roots:
        if host.redirect_rules and "_redirects" in paths and (root / "_redirects").is_file():
            static, dynamic, _ = count_rules((root / "_redirects").read_text("utf-8"))
            text += f"; _redirects: {static:,} static + {dynamic:,} dynamic rules"
            break
    for root in roots:
        if "redirect-map.json" in paths and (root / "redirect-map.json").is_file():
            try:
                entries = len(json.loads((root / "redirect-map.json").read_text("utf-8"))["pages"])
            except (ValueError, KeyError, TypeError):
                break
            text += f"; the old URLs beyond them by 404.html and redirect-map.json ({entries:,} entries)"
            break
    return text

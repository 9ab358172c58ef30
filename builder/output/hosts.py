"""Host profiles (`build --host NAME`, or `host:` in `data/site.yml`): each host's published
limits, in one table, and the check of a staged site against them (before it is put in place).

How each host is served redirects is decided in builder/links/host_rules.py; this module only
knows the numbers and counts what a site holds.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, replace
from pathlib import Path

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
    and redirect-map.json: one file, no server redirect); `redirects:` of `host:` in data/site.yml."""
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
SETTINGS_FILE = "data/site.yml"
"""Where `host:` is set (read by builder/sources/settings.py, which hands it here as plain data)."""
HOST_KEYS = ("name", "limits", "redirects")
LIMIT_KEYS = ("files", "file_size", "total_size", "static_rules", "dynamic_rules", "rules", "rule_chars",
              "rules_bytes")


def _shown(value) -> str:
    return repr(value)[:80]


def resolve(setting: tuple, name: str | None) -> Host:
    """The profile of `--host NAME`, else of `host:` in data/site.yml, else generic. `setting`
    is that `host:` as builder/sources/settings.py hands it on (`Settings.host`): a profile
    name, or a mapping of `name`, `limits` (figures that replace the table's: a paid plan, a
    self-managed GitLab) and `redirects` (stubs or map). The setting is checked even when
    `--host` names the profile; its limits and redirects apply when it names the same profile.
    Raises ConfigError (DB690, every problem of the setting together)."""
    problems: list[Diagnostic] = []

    def bad(message: str, location: Location) -> None:
        problems.append(Diagnostic(codes.HOST_UNKNOWN, f"{location.path}: {message}", location))

    chosen, limits, fallback = None, {}, None
    for key, value, key_at, value_at in setting:
        if key == "host":
            if isinstance(value, dict):
                if "name" not in value:
                    bad(f"host needs a name: one of {', '.join(NAMES)}", value_at)
                continue
            key, key_at = "name", value_at
        if key == "name":
            if isinstance(value, str) and value in HOSTS:
                chosen = value
            else:
                bad(f"host {_shown(value)} is not a host profile; known: {', '.join(NAMES)}", value_at)
        elif key == "redirects":
            if value in ("stubs", "map"):
                fallback = value
            else:
                bad(f"host redirects must be stubs or map, not {_shown(value)}", value_at)
        elif key == "limits":
            if not isinstance(value, dict):
                bad(f"host limits must map some of {', '.join(LIMIT_KEYS)} to whole numbers, not "
                    f"{_shown(value)}", value_at)
        elif key.startswith("limits."):
            limit = key[len("limits."):]
            if limit not in LIMIT_KEYS:
                bad(f"unknown host limit {limit[:60]!r}; known: {', '.join(LIMIT_KEYS)}", key_at)
            elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
                bad(f"host limit {limit} must be a whole number, not {_shown(value)}", value_at)
            else:
                limits[limit] = value
        else:
            bad(f"unknown host setting {key[:60]!r}; known: {', '.join(HOST_KEYS)}", key_at)
    if name is not None and name not in HOSTS:
        problems.insert(0, Diagnostic(codes.HOST_UNKNOWN, f"--host {name!r} is not a host profile; "
                                      f"known: {', '.join(NAMES)}"))
    if problems:
        raise ConfigError(problems)
    if name is not None and name != chosen:
        return HOSTS[name]  # --host wins; the file's limits and redirects are for its own profile
    host = HOSTS[chosen or "generic"]
    if limits:
        host = replace(host, source=f"{SETTINGS_FILE} (limits replaced: {', '.join(sorted(limits))})", **limits)
    if fallback is not None and fallback != host.fallback:
        host = replace(host, fallback=fallback)
    return host


def whole_file_limit(host: Host | None) -> int | None:
    """The largest file the builder makes whole for the host when it can split it instead (a
    version's llms-full.txt): below the warning threshold, so a split site gets no warning."""
    if host is None or host.file_size is None:
        return None
    return max(1, math.ceil(NEAR * host.file_size) - 1)


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
        fix = (f"serve the old URLs beyond the rules by the 404 page instead of stubs (host: {{name: {host.name}, "
               f"redirects: map}} in {SETTINGS_FILE}), " + fix)
    if host.files_paid:
        fix = (f"the paid plan allows {host.files_paid:,} (set host: {{name: {host.name}, limits: {{files: "
               f"{host.files_paid}}}}} in {SETTINGS_FILE}), or " + fix)
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
    """The file count against the host's limits: `12,345 files: 62% of 20,000 (free), 12% of 100,000 (paid)`,
    or against the figure that replaces them in data/site.yml: `12,345 files: 24% of 50,000 (data/site.yml)`."""
    parts = []
    published = HOSTS.get(host.name)
    replaced = published is not None and host.files != published.files  # limits: {files: N} in data/site.yml
    if host.files:
        label = f" ({SETTINGS_FILE})" if replaced else " (free)" if host.files_paid else ""
        parts.append(f"{count * 100 // host.files}% of {host.files:,}{label}")
    if host.files_paid and not replaced:
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

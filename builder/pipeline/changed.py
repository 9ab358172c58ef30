"""`--changed-since REF`: the pages that changes since a git ref affect (for quick previews)."""

from __future__ import annotations

import re
import subprocess

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.errors import ConfigError
from .site import Site

_DATA = re.compile(r"\{%-?\s*(?:data|indented_data_reference)\s+((?:variables|reusables)\.[\w.\-\[\]]+)")


def changed_files(root, ref: str) -> set[str]:
    """Files under the site root changed since `ref`, committed or not (paths relative to root)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout

    try:
        git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        names = git("diff", "--name-only", "--relative", ref, "--").splitlines()
        names += git("ls-files", "--others", "--exclude-standard").splitlines()
    except (OSError, subprocess.CalledProcessError):
        raise ConfigError(Diagnostic(
            codes.CONFIG_SELECTION, f"--changed-since {ref!r}: not a commit of a git repository at {root}")) from None
    return {n for n in names if n}


def affected_pages(site: Site, ref: str, pages) -> set[str]:
    """Pages whose own file, translation, or (transitively) data they use changed, and pages
    whose text links to a changed, moved or deleted page (their links are checked again)."""
    changed = changed_files(site.root, ref)
    if {"data/versions.yml", "data/languages.yml"} & changed or any(c.startswith("templates/") for c in changed):
        return {p.rel for p in pages}
    data_changed = {c for c in changed if c.startswith("data/") or "/data/" in c}
    named: dict[str, tuple[str, ...]] = {}
    """Reusable -> the data files its text names directly."""

    def names(text: str) -> list[str]:
        out: list[str] = []
        for path in _DATA.findall(text):
            parts = path.split(".")
            if parts[0] == "reusables":
                out.append("data/" + "/".join(parts) + ".md")
            else:
                out.extend("data/" + "/".join(parts[:i]) + ".yml" for i in range(2, len(parts)))
        return out

    def uses(text: str) -> set[str]:
        """Every data file `text` uses, through reusables too."""
        found: set[str] = set()
        stack = names(text)
        while stack:
            rel = stack.pop()
            if rel in found:
                continue
            found.add(rel)
            if rel.endswith(".md"):
                if rel not in named:
                    named[rel] = tuple(names(site.data.read_text(rel) or ""))
                stack.extend(named[rel])
        return found

    linked = _page_paths(changed)
    affected: set[str] = set()
    for page in pages:
        sources = {page.src} | {f"{lang.dir}/content/{page.rel}" for lang in site.config.languages if lang.dir}
        if sources & changed:
            affected.add(page.rel)
            continue
        if linked and _links_to(page.split.text, linked):
            affected.add(page.rel)
            continue
        if data_changed:
            used = uses(page.split.text)
            used |= {f"{lang.dir}/{u}" for u in used for lang in site.config.languages if lang.dir}
            if used & data_changed or any(c.startswith("data/features/") for c in data_changed):
                affected.add(page.rel)
    return affected


def _page_paths(changed: set[str]) -> set[str]:
    """URL paths (`/packages/quickstart`) of the changed content files."""
    paths = set()
    for rel in changed:
        if rel.startswith("content/") and rel.endswith(".md"):
            path = rel[len("content/"):-len(".md")]
            if path.endswith("index"):
                path = path[: -len("index")].rstrip("/")
            if path:
                paths.add("/" + path)
    return paths


def _links_to(text: str, paths: set[str]) -> bool:
    """Whether `text` mentions one of `paths` as a link target (`](/a/b)`, `](/a/b#x)`, ...)."""
    for path in paths:
        start = text.find(path)
        while start != -1:
            end = start + len(path)
            if end == len(text) or text[end] in ")#?/ \"'\n>":
                return True
            start = text.find(path, end)
    return False

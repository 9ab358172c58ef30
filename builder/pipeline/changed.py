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
        prefix = git("rev-parse", "--show-prefix").strip()
        names = git("diff", "--name-only", "--relative", ref, "--").splitlines()
        names += git("ls-files", "--others", "--exclude-standard").splitlines()
    except (OSError, subprocess.CalledProcessError):
        raise ConfigError(Diagnostic(
            codes.CONFIG_SELECTION, f"--changed-since {ref!r}: not a commit of a git repository at {root}")) from None
    del prefix
    return {n for n in names if n}


def affected_pages(site: Site, ref: str, pages) -> set[str]:
    """Pages whose own file, translation, or (transitively) data they use changed."""
    changed = changed_files(site.root, ref)
    if {"data/versions.yml", "data/languages.yml"} & changed or any(c.startswith("templates/") for c in changed):
        return {p.rel for p in pages}
    data_changed = {c for c in changed if c.startswith("data/") or "/data/" in c}
    uses_cache: dict[str, set[str]] = {}

    def uses(text: str) -> set[str]:
        found: set[str] = set()
        stack = [text]
        while stack:
            for path in _DATA.findall(stack.pop()):
                parts = path.split(".")
                if parts[0] == "reusables":
                    rel = "data/" + "/".join(parts) + ".md"
                    if rel not in found:
                        found.add(rel)
                        if rel not in uses_cache:
                            uses_cache[rel] = set()
                            stack.append(site.data.read_text(rel) or "")
                else:
                    found.update("data/" + "/".join(parts[:i]) + ".yml" for i in range(2, len(parts)))
        return found

    affected: set[str] = set()
    for page in pages:
        sources = {page.src} | {f"{lang.dir}/content/{page.rel}" for lang in site.config.languages if lang.dir}
        if sources & changed:
            affected.add(page.rel)
            continue
        if data_changed:
            used = uses(page.split.text)
            used |= {f"{lang.dir}/{u}" for u in used for lang in site.config.languages if lang.dir}
            if used & data_changed or any(c.startswith("data/features/") for c in data_changed):
                affected.add(page.rel)
    return affected

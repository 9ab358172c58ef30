"""`--changed-since REF`: the pages that changes since a git ref affect (for quick previews)."""

from __future__ import annotations

import re
import subprocess

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.errors import ConfigError
from .site import Site

_DATA = re.compile(r"\{%-?\s*(?:data|indented_data_reference)\s+((?:variables|reusables)\.[\w.\-\[\]]+)")


def _git(root, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL).stdout


def resolve_ref(root, ref: str) -> str:
    """The commit `ref` names in the repository of `root`. Exit status 2 when `root` is not in
    a git repository (DB604) or when `ref` is not in its local history (DB621: a shallow clone,
    typically; the message names the command that fetches it)."""
    try:
        _git(root, "rev-parse", "--git-dir")
    except (OSError, subprocess.CalledProcessError):
        raise ConfigError(Diagnostic(
            codes.CONFIG_SELECTION, f"--changed-since {ref!r}: not a commit of a git repository at {root}")) from None
    if ref.startswith("-") or any(ord(c) < 32 or c == "\x7f" for c in ref):
        raise ConfigError(Diagnostic(codes.CONFIG_SELECTION, f"--changed-since {ref!r}: not a git ref"))
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    shallow = False
    try:
        shallow = _git(root, "rev-parse", "--is-shallow-repository").strip() == "true"
    except (OSError, subprocess.CalledProcessError):
        pass
    clone = "this shallow clone" if shallow else "the repository"
    raise ConfigError(Diagnostic(
        codes.REF_NOT_FETCHED,
        f"--changed-since {ref!r} is not in the local history of {clone} at {root}; fetch it first: "
        f"{fetch_command(ref)}"))


def fetch_command(ref: str) -> str:
    """The git command that makes `ref` known locally, for the usual spellings of a base ref: a
    branch, `origin/<branch>`, a commit, each optionally followed by ancestry steps (`~3`, `^`),
    fetched deep enough to hold that ancestor. Anything else gets the command that always works."""
    m = re.fullmatch(r"(.*?)((?:~\d*|\^\d*)*)", ref)
    base, steps = m.group(1), m.group(2)
    depth = 1 + sum(int(n or 1) if op == "~" else 1 for op, n in re.findall(r"([~^])(\d*)", steps))
    if base in ("HEAD", "@"):
        return f"git fetch --deepen={depth - 1}" if depth > 1 else "git fetch --unshallow origin"
    if not base or not re.fullmatch(r"[A-Za-z0-9._/-]+", base) or ".." in base or base.endswith((".", "/", ".lock")):
        return "git fetch --unshallow origin"
    if re.fullmatch(r"[0-9a-f]{7,40}", base):
        return f"git fetch --no-tags --depth={depth} origin {base}"
    if base.startswith("origin/"):
        name = base[len("origin/"):]
        return f"git fetch --no-tags --depth={depth} origin {name}:refs/remotes/origin/{name}"
    name = base.removeprefix("refs/heads/")
    return f"git fetch --no-tags --depth={depth} origin {name}:{name}"


def changed_files(root, ref: str) -> set[str]:
    """Files under the site root changed since `ref`, committed or not (paths relative to root)."""
    commit = resolve_ref(root, ref)
    try:
        names = _git(root, "diff", "--name-only", "--no-renames", "--relative", commit, "--").splitlines()
        names += _git(root, "ls-files", "--others", "--exclude-standard").splitlines()
    except (OSError, subprocess.CalledProcessError):
        raise ConfigError(Diagnostic(
            codes.CONFIG_SELECTION, f"--changed-since {ref!r}: git cannot compare it with the files at {root}")) from None
    return {n for n in names if n}


def source_commit(root, folders: list[str]) -> dict:
    """{"commit": HEAD's commit or None outside git, "dirty": whether `folders` of `root` differ
    from it (a change, or a file git does not ignore and does not track)."""
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").strip() or None
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": False}
    try:
        status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *folders)
    except (OSError, subprocess.CalledProcessError):
        status = "?"
    return {"commit": commit, "dirty": bool(status.strip())}


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

"""Checks of a built site for bench/run.py: byte-for-byte comparison of two sites, and a crawl of
every internal link (href, src, meta refresh) and redirect target."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin


def files_of(root: Path, exclude: tuple[str, ...] = (".build",)) -> dict[str, os.stat_result]:
    """rel path -> lstat of every file (and symlink) under root, top-level `exclude` folders left out."""
    out: dict[str, os.stat_result] = {}
    for dirpath, dirs, names in os.walk(root):
        if Path(dirpath) == root:
            dirs[:] = [d for d in dirs if d not in exclude]
        rel_dir = os.path.relpath(dirpath, root)
        for name in names:
            p = os.path.join(dirpath, name)
            out[name if rel_dir == "." else f"{rel_dir}/{name}"] = os.lstat(p)
    return out


@dataclass
class Comparison:
    files: int = 0
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    differ: list[str] = field(default_factory=list)
    hard_linked: int = 0
    """Files of `a` that are hard links to the same inode as in `b` (a preview reusing the base)."""

    @property
    def equal(self) -> bool:
        return not (self.only_a or self.only_b or self.differ)


def compare(a: Path, b: Path, exclude: tuple[str, ...] = (".build",)) -> Comparison:
    """Compare two sites file by file, byte for byte (excluding `exclude` at their top)."""
    fa, fb = files_of(a, exclude), files_of(b, exclude)
    c = Comparison(files=len(fa))
    c.only_a = sorted(set(fa) - set(fb))
    c.only_b = sorted(set(fb) - set(fa))
    for rel in sorted(set(fa) & set(fb)):
        sa, sb = fa[rel], fb[rel]
        if (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino):
            c.hard_linked += 1
            continue
        if sa.st_size != sb.st_size:
            c.differ.append(rel)
            continue
        with open(a / rel, "rb") as x, open(b / rel, "rb") as y:
            while True:
                bx, by = x.read(1 << 20), y.read(1 << 20)
                if bx != by:
                    c.differ.append(rel)
                    break
                if not bx:
                    break
    return c


def inode_shared(a: Path, base: Path, exclude: tuple[str, ...] = (".build",)) -> int:
    """How many files of `a` are hard links to files of `base` (any path)."""
    inodes = {(s.st_dev, s.st_ino) for s in files_of(base, exclude).values()}
    return sum(1 for s in files_of(a, exclude).values() if (s.st_dev, s.st_ino) in inodes)


LINK = re.compile(rb'(?:href|src)="([^"]*)"|http-equiv="refresh" content="[^"]*?url=([^"]*)"', re.I)


@dataclass
class Crawl:
    html_files: int = 0
    links: int = 0
    """Internal links checked (every occurrence)."""
    targets: int = 0
    """Distinct internal targets."""
    relative: int = 0
    redirects: int = 0
    """Redirect targets checked (redirects.json)."""
    missing_links: int = 0
    """Links and redirects whose target is missing (every occurrence)."""
    missing: dict[str, str] = field(default_factory=dict)
    """Missing target -> the first file linking to it (or 'redirects.json: <from>')."""


def _resolve(site: Path, url_path: str, cache: dict[str, bool]) -> bool:
    path = unquote(url_path.split("#", 1)[0].split("?", 1)[0])
    if path in cache:
        return cache[path]
    rel = path.lstrip("/")
    ok = False
    if ".." not in Path(rel).parts:
        p = site / rel
        ok = p.is_file() or (p / "index.html").is_file() or (not rel and (site / "index.html").is_file())
    cache[path] = ok
    return ok


def crawl(site: Path, exclude: tuple[str, ...] = (".build",), limit_missing: int = 50) -> Crawl:
    """Every internal href/src/meta-refresh in every HTML file, and every redirect target in
    redirects.json, must lead to a file of the site (a folder counts when it has index.html)."""
    cr = Crawl()
    cache: dict[str, bool] = {}
    for dirpath, dirs, names in os.walk(site):
        if Path(dirpath) == site:
            dirs[:] = [d for d in dirs if d not in exclude]
        for name in names:
            if not name.endswith(".html"):
                continue
            file = Path(dirpath) / name
            cr.html_files += 1
            data = file.read_bytes()
            rel_file = file.relative_to(site).as_posix()
            page_url = "/" + rel_file
            for m in LINK.finditer(data):
                raw = (m.group(1) if m.group(1) is not None else m.group(2)).decode("utf-8", "replace")
                raw = raw.replace("&amp;", "&").strip()
                if not raw or raw.startswith("#"):
                    continue
                if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", raw) or raw.startswith("//"):
                    continue  # external, data:, mailto:, javascript:
                if not raw.startswith("/"):
                    cr.relative += 1
                    raw = urljoin(page_url, raw)
                cr.links += 1
                if not _resolve(site, raw, cache):
                    cr.missing_links += 1
                    if len(cr.missing) < limit_missing:
                        cr.missing.setdefault(raw.split("#", 1)[0], rel_file)
    redirects = site / "redirects.json"
    if redirects.is_file():
        try:
            table = json.loads(redirects.read_text("utf-8"))
        except ValueError:
            table = {}
            cr.missing["redirects.json"] = "not valid JSON"
        for src, target in (table.items() if isinstance(table, dict) else []):
            cr.redirects += 1
            if isinstance(target, str) and target.startswith("/") and not _resolve(site, target, cache):
                cr.missing_links += 1
                if len(cr.missing) < limit_missing:
                    cr.missing.setdefault(target, f"redirects.json: {src}")
    cr.targets = len(cache)
    return cr

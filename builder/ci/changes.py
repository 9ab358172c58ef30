"""`<out>/.build/changes.json`: every output added, modified or removed compared with the previous
site (the --base-site, or what --out held), from the digests the manifests record.

    {"format":1,"compared_with":"<path or null>","changes":[
      {"path":"en/p/c/a/index.html","url":"/en/p/c/a","kind":"page","change":"modified",
       "source":"content/p/c/a.md","version":"free-pro-team@latest","language":"en"}, ...]}

Sorted by path; `kind` is page, redirect, search or site; `source`, `version` and `language` only
for pages. The titles the pull-request summary shows are kept beside it (`ChangeSet.pages`).
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..output.writer import file_digest
from ..pipeline.build import Staged

FORMAT = 1
HOST_FILES = ("_redirects", "redirects.json", "nginx-redirects.conf", "redirect-map.json")


@dataclass
class PageInfo:
    """A changed source page, as the summary shows it."""

    source: str
    title: str
    product: str
    """The product's title ("" for the home page)."""
    links: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(version title, language, url, change) of each output that changed, in site order."""


@dataclass
class ChangeSet:
    compared_with: str | None
    changes: list[dict]
    pages: dict[str, PageInfo] = field(default_factory=dict)
    """Source -> the page's title and changed outputs (added or modified pages)."""

    def to_json(self) -> bytes:
        """One change a line: the file stays readable (and diffable) for a large change."""
        rows = ",\n".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in self.changes)
        head = json.dumps({"format": FORMAT, "compared_with": self.compared_with}, ensure_ascii=False,
                          separators=(",", ":"))[:-1]
        return (head + ',"changes":[' + ("\n" + rows + "\n" if rows else "") + "]}\n").encode("utf-8")

    @property
    def removed_pages(self) -> list[dict]:
        """One removed page output per source and language (the first version's)."""
        seen: dict[tuple[str, str], dict] = {}
        for c in self.changes:
            if c["kind"] == "page" and c["change"] == "removed":
                seen.setdefault((c["source"], c["language"]), c)
        return [seen[k] for k in sorted(seen)]


def url_of(path: str) -> str:
    """The site URL of an output file: `en/a/index.html` -> `/en/a`, `sitemap.xml` -> `/sitemap.xml`."""
    if path == "index.html":
        return "/"
    if path.endswith("/index.html"):
        return "/" + path[: -len("/index.html")]
    return "/" + path


def kind_of(path: str) -> str:
    """The kind of a non-page output, from its path."""
    if path.startswith("_pagefind/"):
        return "search"
    if path.endswith("index.md") or path.rsplit("/", 1)[-1] in ("llms.txt", "llms-full.txt"):
        return "markdown"  # a page's Markdown copy, or a version's llms files
    if path in HOST_FILES:
        return "redirect"
    if path.endswith("/index.html") and not path.endswith("/translation-status/index.html"):
        return "redirect"  # every other folder's index.html that is not a page is a stub
    return "site"


def _old_digest(previous_root: Path, path: str, entry) -> str | None:
    digest = entry.get("digest") if isinstance(entry, dict) else None
    if isinstance(digest, str) and digest:
        return digest
    target = previous_root / path  # a manifest of an older format: the file itself
    try:
        if stat.S_ISREG(os.lstat(target).st_mode):
            return file_digest(target)
    except OSError:
        pass
    return None


def compute(staged: Staged) -> ChangeSet:
    """The change list of a staged build (called before it is put in place: the previous site
    is still in --out)."""
    site, metas = staged.site, staged.metas
    old_outputs = staged.previous.get("outputs", {}) if staged.previous else {}
    old_extra = set(staged.previous.get("extra_outputs", [])) if staged.previous else set()
    new: dict[str, tuple[str, dict]] = {}
    for o in staged.outputs:
        new[o.path] = (o.digest, {"kind": "page", "source": f"content/{o.page}", "version": o.version,
                                  "language": o.lang, "_page": o.page})
    for path, digest in staged.extra.items():
        new.setdefault(path, (digest, {"kind": kind_of(path)}))
    changes: list[dict] = []
    for path in sorted(set(new) | set(old_outputs)):
        if path in new:
            digest, info = new[path]
            if path not in old_outputs:
                change = "added"
            elif not digest or digest != _old_digest(staged.out, path, old_outputs[path]):
                change = "modified"
            else:
                continue
        else:
            entry = old_outputs[path]
            info = _old_info(path, entry, path in old_extra)
            change = "removed"
        record = {"path": path, "url": url_of(path), "kind": info["kind"], "change": change}
        if info["kind"] == "page":
            record.update(source=info["source"], version=info["version"], language=info["language"])
            if change != "removed":
                record["_page"] = info["_page"]
        changes.append(record)
    result = ChangeSet(staged.compared_with, [])
    space = site.config.space
    for record in changes:
        rel = record.pop("_page", None)
        result.changes.append(record)
        if rel is None:
            continue
        page = site.tree.pages.get(rel)
        if page is None:
            continue
        info = result.pages.get(record["source"])
        if info is None:
            default = site.default_language
            title = metas.get(default, page, record["version"]).title
            product = site.nav.product(page)
            product_title = metas.get(default, product, record["version"]).title if product else ""
            info = result.pages[record["source"]] = PageInfo(record["source"], title, product_title)
        version = space.by_id.get(record["version"])
        info.links.append((version.title if version else record["version"], record["language"], record["url"],
                           record["change"]))
    order = {v.id: v.index for v in site.versions}
    by_title = {v.title: order.get(v.id, 0) for v in site.versions}
    for info in result.pages.values():
        info.links.sort(key=lambda link: (by_title.get(link[0], 0), link[1] != site.default_language.code, link[1]))
    return result


def _old_info(path: str, entry, extra: bool) -> dict:
    """What a removed output was, from the previous manifest (format 4 names a page's source,
    version and language; older formats only the files, whose kind follows from the path)."""
    if not extra and isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("page", "lang", "version")):
        return {"kind": "page", "source": f"content/{entry['page']}", "version": entry["version"],
                "language": entry["lang"]}
    if extra:
        return {"kind": kind_of(path)}
    sources = entry.get("sources") if isinstance(entry, dict) else None
    source = sources[0] if isinstance(sources, list) and sources and isinstance(sources[0], str) else ""
    lang = path.split("/", 1)[0]
    return {"kind": "page", "source": source, "version": "", "language": lang}

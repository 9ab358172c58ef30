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
from typing import Iterator, NamedTuple

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


class Change(NamedTuple):
    """One changed file. `source`, `version` and `language` are "" for a file that is not a page.
    Plain tuples of shared strings: a clean build of a big site lists every file it wrote."""

    path: str
    kind: str
    change: str
    source: str = ""
    version: str = ""
    language: str = ""

    @property
    def url(self) -> str:
        return url_of(self.path)

    def to_json(self) -> str:
        """The change as one JSON object: the text `json.dumps(..., ensure_ascii=False,
        separators=(",", ":"))` makes of its fields, made faster (a clean build lists every file)."""
        text = (f'{{"path":{_text(self.path)},"url":{_text(url_of(self.path))},"kind":{_text(self.kind)},'
                f'"change":{_text(self.change)}')
        if self.kind == "page":
            text += f',"source":{_text(self.source)},"version":{_text(self.version)},"language":{_text(self.language)}'
        return text + "}"


_text = json.encoder.encode_basestring
"""A str as JSON, as `json.dumps(text, ensure_ascii=False)` writes it."""


@dataclass
class ChangeSet:
    compared_with: str | None
    changes: list[Change]
    pages: dict[str, PageInfo] = field(default_factory=dict)
    """Source -> the page's title and changed outputs (added or modified pages)."""

    def chunks(self) -> Iterator[bytes]:
        """The file, a change a line (it stays readable, and diffable, for a large change), made
        as it is written: the whole file is never held in memory."""
        head = json.dumps({"format": FORMAT, "compared_with": self.compared_with}, ensure_ascii=False,
                          separators=(",", ":"))[:-1]
        yield (head + ',"changes":[').encode("utf-8")
        last = len(self.changes) - 1
        for i, c in enumerate(self.changes):
            yield ("\n" + c.to_json() + ("," if i < last else "\n")).encode("utf-8")
        yield b"]}\n"

    def to_json(self) -> bytes:
        return b"".join(self.chunks())

    @property
    def removed_pages(self) -> list[Change]:
        """One removed page output per source and language (the first version's)."""
        seen: dict[tuple[str, str], Change] = {}
        for c in self.changes:
            if c.kind == "page" and c.change == "removed":
                seen.setdefault((c.source, c.language), c)
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
    pages = {o.path: o for o in staged.outputs}
    extra = staged.extra
    result = ChangeSet(staged.compared_with, [])
    for path in sorted(pages.keys() | extra.keys() | old_outputs.keys()):
        o = pages.get(path)
        if o is not None or path in extra:
            digest = o.digest if o is not None else extra[path]
            if path not in old_outputs:
                change = "added"
            elif not digest or digest != _old_digest(staged.out, path, old_outputs[path]):
                change = "modified"
            else:
                continue
            if o is None:
                result.changes.append(Change(path, kind_of(path), change))
                continue
            record = Change(path, "page", change, "content/" + o.page, o.version, o.lang)
            result.changes.append(record)
            _note_page(result, site, metas, o.page, record)
        else:
            result.changes.append(_old_change(path, old_outputs[path], path in old_extra))
    order = {v.id: v.index for v in site.versions}
    by_title = {v.title: order.get(v.id, 0) for v in site.versions}
    for info in result.pages.values():
        info.links.sort(key=lambda link: (by_title.get(link[0], 0), link[1] != site.default_language.code, link[1]))
    return result


def _note_page(result: ChangeSet, site, metas, rel: str, record: Change) -> None:
    """Add an added or modified page output to the summary's pages."""
    page = site.tree.pages.get(rel)
    if page is None:
        return
    info = result.pages.get(record.source)
    if info is None:
        default = site.default_language
        title = metas.get(default, page, record.version).title
        product = site.nav.product(page)
        product_title = metas.get(default, product, record.version).title if product else ""
        info = result.pages[record.source] = PageInfo(record.source, title, product_title)
    version = site.config.space.by_id.get(record.version)
    info.links.append((version.title if version else record.version, record.language, record.url, record.change))


def _old_change(path: str, entry, extra: bool) -> Change:
    """A removed output, from the previous manifest (format 4 names a page's source, version and
    language; older formats only the files, whose kind follows from the path)."""
    if not extra and isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("page", "lang", "version")):
        return Change(path, "page", "removed", f"content/{entry['page']}", entry["version"], entry["lang"])
    if extra:
        return Change(path, kind_of(path), "removed")
    sources = entry.get("sources") if isinstance(entry, dict) else None
    source = sources[0] if isinstance(sources, list) and sources and isinstance(sources[0], str) else ""
    return Change(path, "page", "removed", source, "", path.split("/", 1)[0])

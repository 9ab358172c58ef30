"""`llms.txt` and `llms-full.txt` (llmstxt.org) in each language and version's root folder.

`llms-full.txt` joins the Markdown copies of a version's pages in navigation order: on a big site
it is tens of megabytes per language and version, and reading every copy back is most of the
cost of an incremental build that touches a few pages in every version. So an incremental build
whose navigation order is the last build's takes the unchanged copies' bytes from the last
`llms-full.txt` (where they are is known from their sizes) and reads only the copies it wrote.

A host with a file size limit (`--host cloudflare`: 25 MiB) cannot serve a GitHub-Docs-sized
version's file (about 30 MB). Then a folder's `llms-full.txt` that would be over the limit holds
its home page's copy and links to one file per section: the section's own `llms-full.txt` in its
folder (split the same way when it is too big itself) or, for a section of one page, that page's
copy (`_split`). Which files were written is kept for the next build (PARTS).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..output.markdown_copy import (LLMS, LLMS_FULL, Entry, Part, copy_segments, llms_full_index, llms_full_spliced,
                                    llms_txt, markdown_url, segments_bytes, segments_size)
from ..core.paths import UnsafePath, safe_output_path
from ..nav.tree import NavNode
from ..output.writer import StagingWriter
from ..sources.config import Language
from ..sources.files import read_regular_file
from ..versions.model import Version
from .metas import Metas
from .results import Output
from .site import Site

INTROS = ".build/llms-intros.json"
"""A build shard's intro texts of its llms.txt entries (see `shard_intros`)."""
INTROS_DIGEST = "llms-intros"
"""A build shard's extras key of the digest of its INTROS file."""
DIGEST = "llms"
"""The build cache's extras key of the digest of everything the files were made from."""
ORDER = "llms-order"
"""The extras key of each folder's page order (a JSON object: folder -> digest of its copies' paths)."""
PARTS = "llms-parts"
"""The extras key of the sections' files of each folder whose llms-full.txt was split (a JSON
object: folder -> paths); absent when none was."""


@dataclass(frozen=True)
class Folder:
    """One language and version's llms files."""

    roots: list[str]
    """Its folder (`fr/enterprise-server@3.16/`), and "" for the default language and version."""
    text: str
    """Its llms.txt."""
    order: list[Output]
    """Its pages' outputs in navigation order."""
    tree: NavNode
    """Its navigation tree."""
    lang: Language
    version: Version


def write_llms(site: Site, metas: Metas, writer: StagingWriter, staging: Path, out: Path | None,
               outputs: list[Output], base_url: str, previous: dict, changed: set[str] | None,
               assembled: tuple[Path, dict[str, str]] | None = None,
               max_size: int | None = None) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Write the files of every language and version (the default language and version's also
    at the site root). `previous` is the last build's extras digests, `changed` the outputs this
    build wrote (None: not an incremental build in place, every copy is read). `assembled`
    (assemble): the folder that holds every copy, and the shards' intro texts. `max_size`: the
    largest llms-full.txt to write whole (the host's limit); a bigger one is split by section.
    Returns the files and the digests to keep for the next build."""
    made = _folders(site, metas, outputs, base_url, assembled[1] if assembled else {})
    if not made:
        return {}, {}
    h = hashlib.sha1()
    for f in made:
        h.update(json.dumps([f.roots, f.text, [[o.markdown, o.digest] for o in f.order]], ensure_ascii=False).encode("utf-8"))
    if max_size is not None:
        h.update(b"max %d" % max_size)
    digest = h.hexdigest()
    orders = {f.roots[0]: _order_digest(f.order) for f in made}
    last_orders, last_parts = _json_object(previous.get(ORDER)), _json_object(previous.get(PARTS))

    def read(o: Output) -> bytes:
        if assembled is not None:  # every copy is in one folder: read there only
            return _read_file(os.path.join(assembled[0], o.markdown)) or b""
        return _read(staging, out, o.markdown)

    files: dict[str, list[str]] = {}
    parts: dict[str, list[str]] = {}
    for f in made:
        if previous.get(DIGEST) != digest:
            folder, full, more = f.roots[0], None, []
            if (changed is not None and out is not None and folder not in last_parts
                    and last_orders.get(folder) == orders[folder]):
                full = _spliced(out, folder + LLMS_FULL, f.order, changed, staging)
            if full is None or (max_size is not None and len(full) > max_size):
                full = None  # written from the copies' bytes as they are, never joined
                copies = {o.page: read(o) for o in f.order}
                segments = copy_segments([copies[o.page] for o in f.order])
                if max_size is not None and segments_size(segments) > max_size:
                    full, more = _split(f, copies, metas, base_url.rstrip("/"), max_size,
                                        site.ui[f.lang.code]("llms.parts"))
            for root in f.roots:
                writer.write(root + LLMS, f.text)
                writer.write(root + LLMS_FULL, full if full is not None else segments_bytes(segments))
            for rel, data in more:
                writer.write(rel, data)
            kept = [rel for rel, _ in more]
        else:
            kept = _kept_parts(f.roots[0], last_parts.get(f.roots[0]))
        for root in f.roots:
            files[root + LLMS] = files[root + LLMS_FULL] = []
        for rel in kept:
            files[rel] = []
        if kept:
            parts[f.roots[0]] = sorted(kept)
    digests = {DIGEST: digest, ORDER: json.dumps(orders, sort_keys=True, separators=(",", ":"))}
    if parts:
        digests[PARTS] = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return files, digests


def _kept_parts(folder: str, last) -> list[str]:
    """The sections' files the last build wrote for `folder` (from its cache), kept as they are:
    only `llms-full.txt` files under the folder that pass the path policy are claimed."""
    if not isinstance(last, list):
        return []
    kept = []
    for rel in last:
        if isinstance(rel, str) and rel.startswith(folder) and rel.endswith("/" + LLMS_FULL):
            try:
                kept.append(safe_output_path(rel))
            except UnsafePath:
                continue
    return kept


def _json_object(text: str | None) -> dict:
    try:
        found = json.loads(text or "{}")
    except (ValueError, RecursionError):
        return {}
    return found if isinstance(found, dict) else {}


def _split(folder: Folder, copies: dict[str, bytes], metas: Metas, base: str, max_size: int,
           heading: str) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The folder's llms-full.txt when the whole text is over `max_size`, and the sections' files
    it links to (path, bytes). A section that fits is one `llms-full.txt` in its folder; one of a
    single page is linked as that page's copy; a bigger one is split the same way. Only a single
    page's text can be over the limit."""
    from ..core.urls import output_file, page_url

    lang, version = folder.lang, folder.version
    more: list[tuple[str, bytes]] = []

    def made(node, segments: list[memoryview]) -> bytes:
        if segments_size(segments) <= max_size or not node.children:
            return b"".join(segments_bytes(segments))
        entries = []
        for child in node.children:
            pages = [p.rel for p in _pages_in_order(child) if p.rel in copies]
            if not pages:
                continue
            title = metas.get(lang, child.page, version.id).title
            url = page_url(lang.code, version, child.page.url)
            if not child.children:
                entries.append(Entry(title, base + markdown_url(url), ""))
                continue
            rel = output_file(lang.code, version, child.page.url)[:-len("index.html")] + LLMS_FULL
            more.append((rel, made(child, copy_segments([copies[p] for p in pages]))))
            entries.append(Entry(title, base + url.rstrip("/") + "/" + LLMS_FULL, ""))
        own = copies.get(node.page.rel, b"").decode("utf-8")
        return llms_full_index(own, heading, entries).encode("utf-8")

    top = made(folder.tree, copy_segments([copies[o.page] for o in folder.order]))
    return top, sorted(more)


def _order_digest(order: list[Output]) -> str:
    return hashlib.sha1("\n".join(o.markdown for o in order).encode("utf-8")).hexdigest()


def _read(staging: Path, out: Path | None, rel: str) -> bytes:
    """A copy as this build wrote it (in `staging`), else as the site has it; b"" when neither
    holds it as a regular file."""
    for folder in (staging, out):
        if folder is not None:
            data = _read_file(os.path.join(folder, rel))
            if data is not None:
                return data
    return b""


def _read_file(path: str) -> bytes | None:
    """The bytes of a regular file (never a link, a pipe or a device), None when it is not one."""
    try:
        return read_regular_file(path)
    except OSError:
        return None


def _spliced(out: Path, rel: str, order: list[Output], changed: set[str], staging: Path) -> bytes | None:
    """The folder's new `llms-full.txt` from its last one (same page order): the copies this
    build did not write are where they were, their lengths given by the site's files; the ones it
    wrote are read. None when the last file does not fit (then every copy is read)."""
    old = _read_file(os.path.join(out, rel))
    if old is None:
        return None
    parts: list[Part] = []
    for o in order:
        site_copy = os.path.join(out, o.markdown)
        if o.path in changed:
            before = _read_file(site_copy)
            if before is None:
                return None
            parts.append(Part(len(before), before, _read(staging, None, o.markdown) or before))
        else:
            try:
                size = os.stat(site_copy, follow_symlinks=False).st_size
            except OSError:
                return None
            parts.append(Part(size, None, None))
    return llms_full_spliced(old, parts)


def shard_intros(site: Site, metas: Metas, outputs: list[Output]) -> bytes:
    """A build shard's INTROS file: the intro text of each of its pages' llms.txt entries (the
    costly part of an entry: the intro's links are finished for its version), keyed by Markdown
    copy, for `assemble` to use as it is (`read_intros`)."""
    from ..layout.context import ContextBuilder

    ctx = ContextBuilder(site, metas)
    languages = {lang.code: lang for lang in site.languages}
    space = site.config.space
    intros = {}
    for o in outputs:
        page, lang = site.tree.pages.get(o.page), languages.get(o.lang)
        if o.markdown and page is not None and lang is not None:
            intros[o.markdown] = _intro(ctx, lang, space.by_id[o.version], metas.get(lang, page, o.version).intro,
                                        page)
    return json.dumps(intros, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def read_intros(folders: list[Path]) -> dict[str, str]:
    """The INTROS files of shard folders (each folder's `.build/`), merged; a file that is missing
    or not what `shard_intros` writes adds nothing (those entries are made again)."""
    found: dict[str, str] = {}
    for folder in folders:
        data = _read_file(os.path.join(folder, INTROS))
        try:
            intros = json.loads(data) if data is not None else None
        except (ValueError, RecursionError):
            intros = None
        if isinstance(intros, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in intros.items()):
            found.update(intros)
    return found


def _intro(ctx, lang, version, intro, page) -> str:
    from ..markdown_rules.parser import html_text

    return html_text(str(ctx.finished_markdown(lang, version, intro, ("intro", page.rel))))


def _folders(site: Site, metas: Metas, outputs: list[Output], base_url: str,
             intros: dict[str, str]) -> list[Folder]:
    """The llms files to make, one Folder per language and version;
    `intros`: entries' intro texts made already (by the shards, see `shard_intros`)."""
    from ..core.urls import page_url
    from ..layout.context import ContextBuilder
    from ..markdown_rules.parser import html_text

    home = site.tree.home
    if home is None:
        return []
    by_key = {(o.lang, o.version, o.page): o for o in outputs if o.markdown}
    ctx = ContextBuilder(site, metas)
    base = base_url.rstrip("/")
    made: list[Folder] = []
    default_version = site.config.space.default if site.config.space.default in site.versions else site.versions[0]
    for lang in site.languages:
        for version in site.versions:
            tree = site.nav.subtree(home, version.id)
            if tree is None:
                continue

            def entry(page) -> Entry | None:
                o = by_key.get((lang.code, version.id, page.rel))
                if o is None:
                    return None
                meta = metas.get(lang, page, version.id)
                intro = intros.get(o.markdown)
                if intro is None:
                    intro = _intro(ctx, lang, version, meta.intro, page)
                return Entry(meta.title, base + markdown_url(page_url(lang.code, version, page.url)), intro)

            def walk(node) -> list:
                found = [entry(node.page)]
                for child in node.children:
                    found += walk(child)
                return found

            home_meta = metas.get(lang, home, version.id)
            title = home_meta.nav_title or site.ui[lang.code]("header.github_docs")
            summary = html_text(str(ctx.finished_markdown(lang, version, home_meta.intro, ("intro", home.rel))))
            top = [e for e in [entry(home)] if e is not None]
            sections = [(title, top)] if top else []
            sections += [(metas.get(lang, node.page, version.id).nav_title,
                          [e for e in walk(node) if e is not None]) for node in tree.children]
            order = [by_key.get((lang.code, version.id, p.rel)) for p in _pages_in_order(tree)]
            folder = page_url(lang.code, version, "").strip("/") + "/"
            roots = [folder]
            if lang.is_default and version.id == default_version.id:
                roots.append("")
            made.append(Folder(roots, llms_txt(title, summary, sections), [o for o in order if o is not None],
                               tree, lang, version))
    return made


def _pages_in_order(node) -> list:
    found = [node.page]
    for child in node.children:
        found += _pages_in_order(child)
    return found

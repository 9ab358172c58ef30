"""A built site's sharded search index (the layout of docs/search.md), made from its pages.

The browser tests of the reader's search need an index with several shards per language (to check that the shards merge into one result list); the bundled site is small enough
to fit one shard, so `shard_site` indexes its pages again with small shards.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from builder.search import shards
from builder.serve.search import record_fields

_SEARCH_ATTR = re.compile(r'data-search="/_pagefind/([^/"]+)/shards\.json" data-search-version="([^"]+)" '
                          r'data-search-prefix="([^"]+)"')


def records_of(out: Path) -> list:
    """A SearchRecord for every page of a built site (redirect stubs left out)."""
    records = []
    for file in sorted(out.rglob("index.html")):
        rel = file.relative_to(out)
        if rel.parts[0] in ("_pagefind", "_static", ".build") or len(rel.parts) < 2:
            continue
        html = file.read_text("utf-8")
        found = _SEARCH_ATTR.search(html)
        fields = record_fields(html)
        if found is None or fields is None:
            continue
        lang, slug, prefix = found.groups()
        title, product, body = fields
        url = "/" + rel.parent.as_posix()
        records.append(shards.SearchRecord(url=url, lang=lang, version=slug, product=product, title=title, html=body,
                                           segment=prefix[len(lang) + 2:]))
    return records


@contextmanager
def small_shards(pages: int):
    """Shards of at most `pages` records (so that a small site has several per language)."""
    saved = shards.TARGET_PAGES
    shards.TARGET_PAGES = pages
    try:
        yield
    finally:
        shards.TARGET_PAGES = saved


def shard_site(out: Path, pages: int = 4) -> None:
    """Write `out`'s sharded index from its pages, with shards of at most `pages` pages."""
    with small_shards(pages):
        problems = shards.write_index(records_of(out), out, jobs=2)
    assert not problems, [p.format_text() for p in problems]
    assert (out / "_pagefind" / "en" / "shards.json").is_file()

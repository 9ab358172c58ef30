"""The translation status page under `serve`, at the URL a build publishes it at
(`/<lang>/translation-status/`), made from the pages the preview rendered."""

from __future__ import annotations

from urllib.parse import unquote

from ..i18n.status_page import statuses, write_status_pages
from .overlay import inject_livereload


class _Capture:
    def __init__(self) -> None:
        self.files: dict[str, str] = {}

    def write(self, rel: str, text: str) -> None:
        self.files[rel] = text


def status_page(dev, path: str) -> bytes | None:
    """The status page in the language of `path`, or None when `path` is not one. Pages not
    rendered yet are rendered first: their repairs and fallbacks are part of the report."""
    parts = [p for p in unquote(path).split("/") if p]
    site = dev.site
    if len(parts) != 2 or parts[1] != "translation-status" or len(site.config.languages) < 2:
        return None
    lang = site.config.language(parts[0])
    if lang is None or lang not in site.languages:
        return None
    events: dict[str, dict[str, dict[str, list[str]]]] = {}
    for page in list(site.tree.pages.values()):
        record = dev.render(page)
        if record is None:
            continue
        for code, seen in record.translation.items():
            events.setdefault(code, {})[record.rel] = seen
    capture = _Capture()
    write_status_pages(site, capture, statuses(site, events))
    html = capture.files.get(f"{lang.code}/translation-status/index.html")
    return inject_livereload(html).encode("utf-8") if html is not None else None

"""What building one page gives back: its outputs (one written file each) and its problems,
fragments, anchors, translation events and external links (`pages.PageBuilder` makes them; the
build cache keeps them as records)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..core.diagnostics import Diagnostic
from ..core.location import Location
from ..links.finish import FragmentCheck


@dataclass
class Output:
    """One written file and what it was made from."""

    path: str
    sources: list[str]
    lang: str
    version: str
    page: str
    links: list[tuple[str, bool]] = field(default_factory=list)
    markdown: str = ""
    """The path of its Markdown copy (`.../index.md`), written with it; '' with --no-markdown."""
    digest: str = ""
    """blake2b-128 of the file's bytes (hex), set when it is written: the change list compares it."""
    _indexed: str = field(default="", repr=False)
    """The digest of its text as the search index compares it, set by the worker that wrote it
    when search is on (so the index need not read the file back); not kept in the cache."""
    _entry: str | None = field(default=None, repr=False)

    def manifest_entry(self) -> str:
        """`"<path>":{"sources":[...],"digest":...,"page":...}` for the manifest, encoded once."""
        if self._entry is None:
            self._entry = json.dumps(self.path, ensure_ascii=False) + ":" + json.dumps(
                {"sources": self.sources, "digest": self.digest, "page": self.page, "lang": self.lang,
                 "version": self.version}, ensure_ascii=False, separators=(",", ":"))
        return self._entry


@dataclass
class PageResult:
    rel: str
    outputs: list[Output] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    fragments: list[FragmentCheck] = field(default_factory=list)
    anchors: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    """(lang, version) -> element ids of this page, sorted (the build cache is byte-identical
    whatever the hash seed), for fragment checks."""
    failed: int = 0
    stats: dict[str, int] = field(default_factory=lambda: {"liquid": 0, "markdown": 0, "outputs": 0})
    translation: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """Language -> {"repairs": [...], "fallbacks": [...]} for the translation status report."""
    external: list[tuple[str, Location | None, tuple[str, ...], str, str]] = field(default_factory=list)
    """(URL, where it is in the source, its `included from` notes, language, version) of each
    http(s) link of the body, for `check --external`."""

    _seen: set[tuple[str, str, str]] = field(default_factory=set, repr=False)
    """The events already recorded (not kept in the cache: private fields are not records')."""

    def event(self, lang: str, kind: str, text: str, key: str | None = None) -> None:
        events = self.translation.setdefault(lang, {"repairs": [], "fallbacks": []})
        if (lang, kind, key or text) not in self._seen:
            self._seen.add((lang, kind, key or text))
            events[kind].append(text)

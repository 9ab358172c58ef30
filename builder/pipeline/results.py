"""What building one page gives back: its outputs (one written file each) and its problems,
fragments, anchors, translation events and external links (`pages.PageBuilder` makes them; the
build cache keeps them as records)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from json.encoder import encode_basestring

from ..core.diagnostics import Diagnostic
from ..core.location import Location
from ..links.finish import FragmentCheck


@dataclass(slots=True)
class Output:
    """One written file and what it was made from. Slots and shared tuples: the main process
    holds one of these per output until the build ends (see `Compactor`)."""

    path: str
    sources: tuple[str, ...]
    lang: str
    version: str
    page: str
    links: tuple[tuple[str, bool], ...] = ()
    markdown: str = ""
    """The path of its Markdown copy (`.../index.md`), written with it; '' with --no-markdown."""
    digest: str = ""
    """blake2b-128 of the file's bytes (hex), set when it is written: the change list compares it."""
    _indexed: str = field(default="", repr=False)
    """The digest of its text as the search index compares it, set by the worker that wrote it
    when search is on (so the index need not read the file back); not kept in the cache."""

    def __post_init__(self) -> None:
        if type(self.sources) is not tuple:
            self.sources = tuple(self.sources)
        if type(self.links) is not tuple:
            self.links = tuple(tuple(link) for link in self.links)

    def manifest_entry(self, memo: dict | None = None) -> str:
        """`"<path>":{"sources":[...],"digest":...,"page":...}` for the manifest. Encoded when the
        manifest is written, not kept: `memo` (sources -> their JSON) shares the encoding of the
        sources that many outputs have in common."""
        sources = memo.get(self.sources) if memo is not None else None
        if sources is None:
            sources = json.dumps(self.sources, ensure_ascii=False, separators=(",", ":"))
            if memo is not None:
                memo[self.sources] = sources
        return (_text(self.path) + ':{"sources":' + sources + ',"digest":' + _text(self.digest)
                + ',"page":' + _text(self.page) + ',"lang":' + _text(self.lang)
                + ',"version":' + _text(self.version) + "}")


_text = encode_basestring
"""A str as JSON, as `json.dumps(text, ensure_ascii=False)` writes it."""


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


class Compactor:
    """Makes the results the main process holds until the build ends small: equal tuples of
    sources, links and anchors become one shared tuple of interned strings, language and version
    codes are interned. Called on each result as it arrives from a worker (results unpickled
    from different workers share nothing), and on results kept from the cache."""

    def __init__(self) -> None:
        self._shared: dict[tuple, tuple] = {}

    def share(self, items: tuple) -> tuple:
        found = self._shared.get(items)
        if found is None:
            found = self._shared[items] = tuple(
                sys.intern(i) if type(i) is str else self.share(i) if type(i) is tuple else i for i in items)
        return found

    def __call__(self, result: PageResult) -> PageResult:
        share, intern = self.share, sys.intern
        for o in result.outputs:
            o.sources = share(o.sources)
            o.links = share(o.links)
            o.lang, o.version, o.page = intern(o.lang), intern(o.version), intern(o.page)
        if result.anchors:
            result.anchors = {share(key): share(ids) for key, ids in result.anchors.items()}
        return result

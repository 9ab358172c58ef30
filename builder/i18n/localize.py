"""A page in one language: which text each translatable property comes from."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.errors import ContentError
from ..core.location import LineIndex, Location
from ..sources.config import Language, SiteConfig
from ..sources.content import Page
from ..sources.files import read_source, source_exists
from ..sources.frontmatter import Split, split_frontmatter
from ..sources.schema import TRANSLATABLE, validate_frontmatter


class PropSource:
    """The Liquid text of one property and where it comes from.

    A body made from a `Split` is not copied: its text is cut from the file's text when asked
    for, so thousands of loaded pages do not keep two copies of every body in memory."""

    __slots__ = ("_text", "path", "translated", "split", "key", "doubt")

    def __init__(self, text: str | None, path: str, translated: bool, split: Split | None = None,
                 key: str = "body", doubt: Diagnostic | None = None):
        self._text = text
        self.path = path
        self.translated = translated
        self.split = split
        self.key = key
        self.doubt = doubt
        """Why this translated text must not be shown (a repair English does not confirm): English is."""

    @property
    def text(self) -> str:
        if self._text is None:
            return self.split.padded_body
        return self._text

    def __repr__(self) -> str:
        return f"PropSource({self.path!r}, {self.key!r}, translated={self.translated})"


def shift_to_value(diags: list[Diagnostic], source: PropSource) -> list[Diagnostic]:
    """Frontmatter values are parsed alone; put their problems at the value's file position."""
    if source.split is None:
        return diags
    loc = source.split.locate((source.key,), value=True)
    raw_line = loc.source_line
    quote = 1 if raw_line[loc.col - 1 : loc.col] in ("'", '"') else 0
    out = []
    for d in diags:
        if d.location is None or d.location.path != source.path:
            out.append(d)
            continue
        if d.location.line == 1:
            line, col = loc.line, loc.col + quote + d.location.col - 1
            text = raw_line
        else:
            line, col = loc.line + d.location.line - 1, d.location.col
            text = LineIndex(source.split.text).line_text(line)
        out.append(replace(d, location=Location(loc.path, line, col, text, d.location.length)))
    return out


@dataclass
class LocalizedPage:
    page: Page
    lang: Language
    props: dict[str, PropSource | None]
    english: dict[str, PropSource | None]
    translation_path: str | None = None
    """The translation file, when there is one and it could be read."""
    problems: list[Diagnostic] = field(default_factory=list)
    """Warnings about the translation (it never fails a build)."""
    probe: str | None = None
    """The translation file looked for, present or not (a dependency of the page)."""
    body_problems_at: int | None = None
    """Set while the translated body is not repaired yet (`localize(..., body=False)`): where in
    `problems` its repairs go (see `with_body`). Its `props["body"]` is then the text as written."""

    @property
    def translated(self) -> bool:
        return self.translation_path is not None


def english_props(page: Page) -> dict[str, PropSource | None]:
    return _props_of(page.split, translated=False)


def _props_of(split: Split, *, translated: bool) -> dict[str, PropSource | None]:
    out: dict[str, PropSource | None] = {}
    for key in TRANSLATABLE:
        value = split.data.get(key)
        if isinstance(value, str):
            out[key] = PropSource(value, split.path, translated, split, key)
        else:
            out[key] = None
    out["body"] = PropSource(None, split.path, translated, split, "body")
    return out


def localize(page: Page, lang: Language, config: SiteConfig, repair=None, body: bool = True) -> LocalizedPage:
    """The page in `lang`: translated text where a translation file provides it, else English.

    The English tree decides what exists; only translatable keys and the body come from the
    translation. `repair(text, english, path, lang)` may mend translator-broken Liquid. Without
    `body`, the translated body is left to `with_body` (titles and intros need only the
    frontmatter: a build shard reads those of many pages it does not build).
    """
    english = english_props(page)
    if lang.is_default:
        return LocalizedPage(page, lang, english, english)
    rel = f"{lang.dir}/content/{page.rel}"
    if not source_exists(config.root, rel):
        return LocalizedPage(page, lang, dict(english), english, probe=rel)
    problems: list[Diagnostic] = []
    try:
        split = split_frontmatter(read_source(config.root, rel), rel, loader=lambda: read_source(config.root, rel))
    except ContentError as err:
        for d in err.diagnostics:
            problems.append(Diagnostic(
                codes.TRANSLATION_FALLBACK,
                f"translation unusable, English is used instead: {d.message}",
                d.location, Severity.WARNING))
        return LocalizedPage(page, lang, dict(english), english, None, problems, probe=rel)
    translated = _props_of(split, translated=True)
    schema = validate_frontmatter(split, translation=True)
    props: dict[str, PropSource | None] = {}
    for key in TRANSLATABLE:
        props[key] = _prop(translated.get(key), english.get(key), key, lang, repair, problems)
    body_at = None
    if body or repair is None:
        props["body"] = _prop(translated["body"], english["body"], "body", lang, repair, problems)
    else:
        props["body"], body_at = translated["body"], len(problems)
    for d in schema:
        if d.code in (codes.FM_UNKNOWN_KEY, codes.FM_WRONG_TYPE):
            problems.append(Diagnostic(codes.TRANSLATION_FALLBACK, f"in a translation: {d.message}",
                                       d.location, Severity.WARNING))
    # The repaired texts are kept; the files' texts (the translation, and English, read for the
    # repair) are read again when a location or a render needs them: a loaded site keeps every
    # page's frontmatter, not its text (about 100 MB of French at 6,000 articles).
    split.release()
    page.split.release()
    return LocalizedPage(page, lang, props, english, rel, problems, probe=rel, body_problems_at=body_at)


def with_body(loc: LocalizedPage, repair) -> LocalizedPage:
    """`loc` with its translated body repaired (itself if it is): the page as `localize` with
    `body` gives it, problems in the same order."""
    at = loc.body_problems_at
    if at is None:
        return loc
    found: list[Diagnostic] = []
    props = dict(loc.props)
    props["body"] = _prop(loc.props["body"], loc.english["body"], "body", loc.lang, repair, found)
    for source in (loc.props["body"], loc.english["body"]):  # read again for the repair: let go
        if source is not None and source.split is not None:
            source.split.release()
    return replace(loc, props=props, problems=[*loc.problems[:at], *found, *loc.problems[at:]], body_problems_at=None)


def _prop(source: PropSource | None, english: PropSource | None, key: str, lang: Language, repair,
          problems: list[Diagnostic]) -> PropSource | None:
    """The text of property `key`: the translation's (`source`), repaired, else English."""
    if source is None:
        return english
    if repair is None:
        return source
    text, repairs = repair(source, english, lang)
    repairs = repairs if key == "body" else shift_to_value(repairs, source)
    doubts = [d for d in repairs if d.code is codes.TRANSLATION_REPAIR_UNCERTAIN]
    problems.extend(d for d in repairs if d.code is not codes.TRANSLATION_REPAIR_UNCERTAIN)
    return PropSource(text, source.path, True, source.split, key, doubts[0] if doubts else None)

"""Repair of translator-broken Liquid in translated pages and data.

Translation tools break Liquid tags: `{% données variables.x %}`, `{ % endif % }`,
`{% ifversion fpt ou ghec %}`, `{% variables.x %}`, `{{% endif %}}`, `{% endifen %}` …

1. Tags are read tolerantly: odd delimiters (`{ %`, `{%%`, `{{%`, `%}}`, `–%}`, `％`, a missing
   `%` before `}`) are accepted, and each tag's keyword is normalised through a per-language
   keyword table (`repairs.yml`) plus universal rules (capitalised keywords, a dropped `data`, …).
2. If the translated tags line up with the English ones (same count, same keyword sequence, a
   few unreadable keywords allowed), each translated tag that is broken or differs only in
   translated words, spacing or dashes becomes its English counterpart, verbatim ("aligned");
   see `_restore` for why valid tags with other arguments are kept.
3. Otherwise each tag that is not valid Liquid is rewritten with the tables ("table", or
   "universal" when no language table was needed); a broken tag that the tables cannot fix is
   still restored from English when a keyword-sequence diff pairs it with an English tag.
4. Tags whose delimiters were damaged so that they no longer read as tags (a stray `%` before
   `{%`, a lost `{%` as in `{else %}`, an empty `{% %}` with the words after it as in
   `{% %} bruto`; see `repair_lost.py`) are repaired only from the English tag at the same place
   (aligned, or paired by the keyword diff) or when English has the very same tag elsewhere
   (without a `%` before it, for a stray `%`). When English does not confirm one it is a "doubt":
   the caller shows the English text instead (DB830). With no English at all, the tables decide.
Text outside tags is never changed; code fences without Liquid and raw blocks are left alone.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from dataclasses import dataclass

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.location import LineIndex, Location
from .repair_lost import NOOPEN_RE, after_empty
from .repair_tables import CONDITIONS, _CANON, _lang_code, _normalise, _split, _tables, _valid

MAX_WILDCARDS = 3
MAX_DIFF = 4_000_000  # translated x English tags beyond which no keyword diff is made (it is quadratic)

_OPEN = (  # `{%`, `{ %`, `{%%`, `{{%`, `{% {%`, `{% %móvel }` …
    r"(?P<open>(?<!\{)\{\{?(?:[ \t]*[%％]{1,2}[ \t]*\{\{?)*[ \t]*[%％]{1,2}(?:[ \t]+[%％](?=[^\s%％}]))?|\{%)"
    r"(?P<dl>[-–]?)"
)
_TAG_RE = re.compile(
    _OPEN + r"(?P<body>(?:(?!\{[ \t]*[%％]|[%％][ \t]*\}).){0,400}?)"
    r"(?P<dr>[-–]?)(?P<cpct>[%％]{1,2})(?P<csp>[ \t]*)\}(?P<extra>\}(?!\}))?",
    re.S,
)
_BRACE_RE = re.compile(_OPEN + r"(?P<body>[^{}%\n]{1,200})\}(?!\})")
_STRICT_RE = re.compile(r"\{%-?(?P<body>.*?)-?%\}", re.S)
_FENCE_RE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_LIQUIDISH_RE = re.compile(r"\{[ \t]*[%％]|[%％][ \t]*\}")


@dataclass(frozen=True)
class Repair:
    line: int  # 1-based line in the translated text where the broken tag starts
    before: str  # the broken tag text as found
    after: str  # what it became
    how: str  # "aligned" (restored from English), "table" (keyword table) or "universal"


@dataclass
class _Tag:
    start: int
    end: int
    text: str
    kw: str  # normalised keyword ("" when unknown)
    word: str  # first word of the tag as found
    args: str  # the rest of the tag as found
    fixed: str | None  # the tag rewritten with the tables, when that gives valid Liquid
    how: str  # "table" or "universal": what produced `fixed`
    valid: bool  # the tag as found is valid Liquid
    extra: bool  # a `}` after `%}` was taken as part of the tag (`{% … %}}`)
    form: str = ""  # "noopen" (`{else %}`) or "empty" (`{% %} bruto`): only English can confirm them
    pct: int = 0  # stray `%` signs just before the tag (`%{% data … %}`), not part of `text`


# ---------------------------------------------------------------- reading tags


def _fences(text: str) -> list[tuple[int, int]]:
    """Spans of fenced code blocks (an unclosed fence runs to the end)."""
    spans, offset, fence, start = [], 0, None, 0
    for line in text.splitlines(keepends=True):
        m = _FENCE_RE.match(line)
        if fence is None and m:
            fence, start = m.group(1), offset
        elif fence is not None and m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
            spans.append((start, offset + len(line)))
            fence = None
        offset += len(line)
    return spans + ([(start, len(text))] if fence else [])


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and pos < spans[i][1]


def _read_translated(text: str, tables: dict) -> list[_Tag]:
    fences = _fences(text)
    protected = [(a, b) for a, b in fences if not _LIQUIDISH_RE.search(text, a, b)]  # code without Liquid
    full = [after_empty(text, m, tables) or m for m in _TAG_RE.finditer(text)]
    forms = {id(m): "empty" for m in full if not isinstance(m, re.Match)}  # `{% %} bruto`
    found, ends = list(full), [m.end() for m in full]  # the matches do not overlap: ends are sorted
    last = -1  # where the last tag read without a full opener ends
    for m in sorted([*_BRACE_RE.finditer(text), *NOOPEN_RE.finditer(text)], key=lambda m: m.start()):
        i = bisect_right(ends, m.start())  # the first full tag ending after m starts
        if (i == len(full) or full[i].start() >= m.end()) and m.start() >= last:
            found.append(m)
            last = m.end()
            if m.re is NOOPEN_RE:
                forms[id(m)] = "noopen"
    found.sort(key=lambda m: m.start())
    tags, in_raw = [], False
    for m in found:
        start, end = m.start(), m.end()
        if _inside(protected, start):
            continue
        g = m.groupdict()
        body = g["body"]
        kw, args, used = _normalise(body, tables)
        form = forms.get(id(m), "")
        if form and kw not in tables["known"]:
            continue
        if in_raw and kw != "endraw":
            continue
        in_raw = kw == "raw"
        extra = g.get("extra")
        dbl = g["open"].count("{") > 1
        if extra and not dbl:
            line_start = text.rfind("\n", 0, start) + 1
            before, n = _TAG_RE.sub("", text[line_start:start]), 1
            while n:  # drop brace groups (tags, outputs, `{…}`) so only unclosed `{` remain
                before, n = re.subn(r"\{\{?[^{}]*\}\}?", "", before)
            if re.search(r"\{(?![{ \t]*[%％])", before) or _inside(fences, start):
                end -= 1  # the `}` closes something else
                extra = None
        canonical = not form and (
            g["open"] == "{%" and g["dl"] in ("", "-")
            and g.get("cpct") == "%" and not g.get("csp") and g.get("dr") in ("", "-") and not extra
        )
        if not canonical and ("\n" in body or kw not in tables["known"]):
            continue  # odd delimiters around something that is not a known tag: not ours
        okw, oargs = _split(body)
        valid = canonical and _valid(okw, oargs, tables)
        dl = "-" if g["dl"] else ""
        dr = "-" if g.get("dr") else ""
        fixed = None
        if _valid(kw, args, tables):
            fixed = "{%" + dl + " " + kw + (" " + args if args else "") + " " + dr + "%}"
        pct = 0
        while start - pct > 0 and text[start - pct - 1] in "%％" and g["open"].startswith("{"):
            pct += 1
        if pct and start - pct > 0 and text[start - pct - 1] == "{":
            pct = 0  # `{%{%`-like openers are read whole by `_TAG_RE`
        tags.append(_Tag(start, end, text[start:end], kw if kw in tables["known"] else "", okw, oargs, fixed,
                         "table" if used else "universal", valid, bool(extra and not dbl), form, pct))
    return tags


def _read_english(text: str) -> list[tuple[str, str, bool, bool]]:
    """(keyword, tag text, a `}` follows, a `%` precedes) of each strict `{% … %}` English tag,
    raw blocks skipped."""
    out, in_raw = [], False
    for m in _STRICT_RE.finditer(text):
        kw = _split(m.group("body"))[0]
        if in_raw and kw != "endraw":
            continue
        in_raw = kw == "raw"
        out.append((kw, m.group(0), text.startswith("}", m.end()), text[m.start() - 1 : m.start()] in ("%", "％")))
    return out


def _aligned(tags: list[_Tag], english: list[tuple[str, str, bool, bool]], known: frozenset) -> bool:
    if len(tags) != len(english):
        return False
    wildcards = 0
    for tag, (kw, *_) in zip(tags, english):
        if not tag.kw:
            if tag.word != kw and kw not in known:
                return False
            wildcards += tag.word != kw
        elif _CANON.get(tag.kw, tag.kw) != _CANON.get(kw, kw):
            return False
    return wildcards <= _limit(tags)


def _limit(tags: list[_Tag]) -> int:
    """How many unreadable keywords may be filled from English."""
    return min(MAX_WILDCARDS, max(1, len(tags) // 3))


def _diff_pairs(tags: list[_Tag], english: list[tuple[str, str, bool, bool]], tables: dict) -> dict[int, int]:
    """Translated tag index -> English tag index, where a keyword diff pairs them unambiguously."""
    a = [_CANON.get(t.kw, t.kw) or t.word for t in tags]
    b = [_CANON.get(kw, kw) for kw, *_ in english]
    pairs, wild = {}, sum(1 for t in tags if not t.kw) <= _limit(tags)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                en_text = english[j1 + k][1]
                if (a[i1 + k] == b[j1 + k] or (wild and not tags[i1 + k].kw)) and _valid(
                        *_split(_STRICT_RE.fullmatch(en_text).group("body")), tables):
                    pairs[i1 + k] = j1 + k
    return pairs


def _restore(tag: _Tag, en_text: str, tables: dict) -> bool:
    """Whether an aligned tag takes its English counterpart's text.

    Broken tags do, and so do tags that differ only in spacing or whitespace-control dashes, octicons
    with another icon name and conditions with words that the English condition lacks (`fpt oder
    ghec`). Other valid tags are kept: an older translation legitimately has older arguments
    (another variable, a reusable since renamed), and its sentence was written for them.
    """
    if not tag.valid:
        return True
    kw, args = _split(_STRICT_RE.fullmatch(en_text).group("body"))
    if kw != tag.word:
        return False  # `endifversion` for `endif`: equivalent
    if " ".join(args.split()) == " ".join(tag.args.split()):
        return tag.text != en_text
    if kw == "octicon":
        return args.split(" ", 1)[0] != tag.args.split(" ", 1)[0]
    if kw in CONDITIONS:
        english_words = set(args.lower().split()) | set(tables["plans"])
        return any(w.isalpha() and w not in english_words for w in tag.args.lower().split())
    return False


_OCTICON_RE = re.compile(r'(\{%-?[ \t]*octicon[ \t]+)"[^"]*"((?:[ \t]+[\w-]+="[^"]*")*[ \t]*-?%\})')
_EN_OCTICON_RE = re.compile(r'\{%-?[ \t]*octicon[ \t]+("[^"]*")')


def _english_name(tag: _Tag, en_text: str) -> str:
    """What a tag restored from English becomes: the English tag, except that a well-formed
    octicon keeps its translated attributes (its `aria-label`) and takes only the English name."""
    m = _OCTICON_RE.fullmatch(tag.text)
    en = _EN_OCTICON_RE.match(en_text)
    return m.group(1) + en.group(1) + m.group(2) if m and en else en_text


# ---------------------------------------------------------------- the repair


@dataclass(frozen=True)
class Doubt:
    """A tag that looks broken in a way only English could confirm, and English does not."""

    line: int
    col: int
    text: str  # what was found, such as `{else %}` or `%{% data x %}`
    meant: str  # what it would have become (the tables' guess), or ""


def _repairs(translated: str, english: str | None, lang: str) -> tuple[list[tuple[int, int, Repair]], list[Doubt]]:
    if "{" not in translated or "%" not in translated and "％" not in translated:
        return [], []
    tables = _tables(_lang_code(lang))
    tags = _read_translated(translated, tables)
    if not tags:
        return [], []
    index = LineIndex(translated)
    en_tags = _read_english(english) if english else []
    out: list[tuple[int, int, Repair]] = []
    doubts: list[Doubt] = []

    def add(tag: _Tag, after: str, how: str, end: int | None = None, start: int | None = None) -> None:
        start = tag.start if start is None else start
        before = translated[start : end or tag.end]
        if after != before:
            out.append((start, end or tag.end, Repair(index.line_col(start)[0], before, after, how)))

    def doubt(tag: _Tag) -> None:
        line, col = index.line_col(tag.start - tag.pct)
        meant = (tag.fixed or "") if tag.form or not tag.valid else tag.text
        doubts.append(Doubt(line, col, translated[tag.start - tag.pct : tag.end], meant))

    def restore(tag: _Tag, en: tuple[str, str, bool, bool]) -> None:
        """`tag` takes its English counterpart's text where needed; a `%` before it goes unless English has one."""
        _, en_text, brace, en_pct = en
        drop = tag.pct and not en_pct
        if _restore(tag, en_text, tables) or tag.form:
            add(tag, _english_name(tag, en_text), "aligned", tag.end - 1 if tag.extra and brace else None,  # `%}}`
                tag.start - tag.pct if drop else None)
        elif drop:
            add(tag, tag.text, "aligned", start=tag.start - tag.pct)

    if english is not None and _aligned(tags, en_tags, tables["known"]):
        for tag, en in zip(tags, en_tags):
            restore(tag, en)
        return out, doubts
    shown: dict[tuple, tuple[str, str, bool, bool]] = {}  # English tags by keyword and arguments
    for en in en_tags:
        key = _key(en[1])
        if key not in shown or en[3]:
            shown[key] = en
    stuck = any((not t.valid and t.fixed is None) or t.form or t.pct for t in tags)
    pairs = _diff_pairs(tags, en_tags, tables) if stuck and 0 < len(tags) * len(en_tags) <= MAX_DIFF else {}
    for i, tag in enumerate(tags):
        if tag.form or tag.pct:  # only English shows what was meant
            same = shown.get(_key(tag.fixed if tag.form or not tag.valid else tag.text) or ("",))
            if i in pairs:
                restore(tag, en_tags[pairs[i]])
            elif tag.valid and not tag.form and any(en[3] for en in en_tags):
                pass  # English writes `%{%` too: a percent sign before a tag may be meant
            elif same is not None and not (tag.pct and same[3]):  # English has this very tag, without a `%`
                restore(tag, same)
            elif english is not None:
                doubt(tag)
            elif tag.fixed is not None or tag.valid:  # nothing to compare with: GitHub Docs' rules
                add(tag, tag.fixed if tag.fixed is not None and not tag.valid else tag.text,
                    tag.how if not tag.valid else "universal", start=tag.start - tag.pct)
            continue
        if tag.valid:
            continue
        if tag.fixed is not None:
            add(tag, tag.fixed, tag.how)
        elif i in pairs:
            add(tag, _english_name(tag, en_tags[pairs[i]][1]), "aligned")
    out.sort(key=lambda item: item[0])
    return out, doubts


def _key(tag_text: str | None) -> tuple | None:
    """(keyword, arguments with spaces evened) of a `{% … %}` tag."""
    m = _STRICT_RE.fullmatch(tag_text or "")
    if m is None:
        return None
    kw, args = _split(m.group("body"))
    return kw, " ".join(args.split())


def _apply(translated: str, found: list[tuple[int, int, Repair]]) -> str:
    pieces, pos = [], 0
    for start, end, repair in found:
        pieces += [translated[pos:start], repair.after]
        pos = end
    pieces.append(translated[pos:])
    return "".join(pieces)


def repair_text(translated: str, english: str | None, lang: str) -> tuple[str, list[Repair]]:
    """Repair translator-broken Liquid in `translated` (language code `lang`, e.g. "fr", "es", "ja", "pt")."""
    text, repairs, _ = repair_with_doubts(translated, english, lang)
    return text, repairs


def repair_with_doubts(translated: str, english: str | None, lang: str) -> tuple[str, list[Repair], list[Doubt]]:
    """`repair_text`, and the tags it left alone because English does not confirm what they meant:
    with any, the translated text should not be shown (the English one is used instead)."""
    found, doubts = _repairs(translated, english, lang)
    if not found:
        return translated, [], doubts
    return _apply(translated, found), [r for _, _, r in found], doubts


# ---------------------------------------------------------------- pipeline adapters


def repair_translation(source, english, lang):
    """(text, diagnostics) for one translated property: the body or a frontmatter value."""
    text = source.text
    found, doubts = _repairs(text, english.text if english is not None else None, getattr(lang, "code", lang))
    index = LineIndex(text)
    diags = [Diagnostic(
        codes.TRANSLATION_REPAIR_UNCERTAIN,
        f"{d.text!r} looks like a broken Liquid tag" + (f" ({d.meant!r}?)" if d.meant and d.meant != d.text else "")
        + ", but the English text has no such tag here to confirm it",
        Location(source.path, d.line, d.col, index.line_text(d.line), len(d.text.split("\n", 1)[0])),
        Severity.WARNING,
    ) for d in doubts]
    if not found:
        return text, diags
    for start, _, repair in found:
        line, col = index.line_col(start)
        diags.append(Diagnostic(
            codes.TRANSLATION_REPAIRED,
            f"repaired Liquid: {repair.before!r} -> {repair.after!r}",
            Location(source.path, repair.line, col, index.line_text(line), len(repair.before)),
            Severity.WARNING,
        ))
    return _apply(text, found), diags


def repair_data_text(text, english_text, rel, lang):
    """A translated data value or reusable, repaired (diagnostics are not reported for data); the
    English one when a tag looks broken in a way English does not confirm."""
    repaired, _, doubts = repair_with_doubts(text, english_text, getattr(lang, "code", lang))
    return english_text if doubts and english_text is not None else repaired

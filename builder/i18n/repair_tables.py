"""Repair tables: valid Liquid keywords and the per-language keyword repairs of `repairs.yml`."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from ..core.icons import icon_exists

VALID = frozenset(
    "ifversion elsif else endif endifversion data indented_data_reference octicon note endnote tip "
    "endtip warning endwarning danger enddanger raw endraw comment endcomment if unless endunless case "
    "when endcase for endfor assign capture endcapture include render cycle break continue increment "
    "decrement echo liquid tablerow endtablerow".split()
)


NO_ARGS = frozenset(
    "else endif endifversion endnote endtip endwarning enddanger raw endraw comment endcomment endunless "
    "endcase endfor endcapture endtablerow break continue".split()
)


CONDITIONS = frozenset(("ifversion", "elsif", "if", "unless"))


_CANON = {"endifversion": "endif"}


_PATH_RE = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")


_QUOTED_RE = re.compile(r"(\"[^\"]*\"|'[^']*')")


@lru_cache(maxsize=None)
def _data() -> dict:
    return yaml.safe_load(Path(__file__).with_name("repairs.yml").read_text("utf-8"))


@lru_cache(maxsize=None)
def _tables(lang: str) -> dict:
    data = _data()
    uni = data.get("universal") or {}
    extra = {str(t) for t in uni.get("tags") or ()} | {"end" + str(t) for t in uni.get("tags") or ()}
    own = (data.get("languages") or {}).get(lang) or {}

    def lower(d):  # noqa: E306
        return {str(k).lower(): str(v) for k, v in (d or {}).items()}
    english = {str(t): str(t) for t in uni.get("tags") or ()}
    uni_keywords = {**_tag_forms(english, uni), **lower(uni.get("keywords"))}
    keywords = {**_tag_forms({**english, **lower(own.get("tags"))}, own), **lower(own.get("keywords"))}
    return {
        "known": VALID | extra,
        "no_args": NO_ARGS | extra,
        "uni_keywords": sorted(uni_keywords.items(), key=lambda kv: -len(kv[0])),
        "keywords": sorted(keywords.items(), key=lambda kv: -len(kv[0])),
        "patterns": [(re.compile(p), r) for p, r in own.get("patterns") or []],
        "booleans": lower(own.get("booleans")),
        "paths": {**lower(uni.get("paths")), **lower(own.get("paths"))},
        "octicons": lower(own.get("octicons")),
        "path_words": set(lower(own.get("path_words"))),
        "plans": {str(w) for w in uni.get("condition_words") or ()},
    }


def _tag_forms(names: dict[str, str], table: dict) -> dict[str, str]:
    """Keyword entries for block tags: each (translated) name, and its closer written with the
    table's `end_words` before it or `end_after` after it (`fin de fenêtres` -> `endwindows`)."""
    forms: dict[str, str] = {}
    for name, tag in names.items():
        if name != tag:
            forms[name.lower()] = tag
        for word in table.get("end_words") or ():
            forms[(str(word) + name).lower()] = "end" + tag
        for word in table.get("end_after") or ():
            forms[(name + str(word)).lower()] = "end" + tag
    return forms


def _lang_code(lang: str | None) -> str:
    return (lang or "").replace("_", "-").split("-")[0].lower()


def _prefix(s: str, table: list[tuple[str, str]]) -> str | None:
    """`s` with its longest table key (ending at a word boundary) replaced; None if none matches."""
    low = s.lower()
    for key, repl in table:
        if low.startswith(key):
            rest = s[len(key):]
            if not rest or not key[-1].isascii() or not re.match(r"[A-Za-z0-9_]", rest[0]):
                return repl + rest
    return None


def _map_words(args: str, table: dict) -> str:
    """Translate boolean words in a condition, outside quoted strings."""
    if not table:
        return args
    parts = _QUOTED_RE.split(args)
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"\S+", lambda m: table.get(m.group(0).lower(), m.group(0)), parts[i])
    return "".join(parts)


def _valid(kw: str, args: str, tables: dict) -> bool:
    if kw not in tables["known"]:
        return False
    if kw in tables["no_args"]:
        return not args
    if kw in ("data", "indented_data_reference"):
        first = args.split(" ", 1)
        segments = first[0].lower().split(".")
        return (bool(_PATH_RE.fullmatch(first[0])) and (kw != "data" or len(first) == 1) and args.isascii()
                and segments[0] not in tables["paths"] and not tables["path_words"].intersection(segments))
    if kw == "octicon":  # a name that is not one of Primer's octicons is as broken as bad syntax
        m = re.match(r'"([A-Za-z0-9-]+)"', args)
        return bool(m) and m.group(1).lower() not in tables["octicons"] and icon_exists(m.group(1))
    if kw in CONDITIONS:
        outside = "".join(_QUOTED_RE.split(args)[::2])
        words = outside.lower().split()
        return bool(words) and outside.isascii() and not any(w in tables["booleans"] for w in words)
    return True


def _split(body: str) -> tuple[str, str]:
    m = re.match(r"\s*(\S*)\s*(.*?)\s*$", body, re.S)
    return m.group(1), m.group(2)


def _normalise(body: str, tables: dict) -> tuple[str, str, bool]:
    """(keyword, args, a language table was used) for a tolerantly read tag body."""
    s = body.strip()
    s = re.sub(r"^[:;]\s*", "", s)  # `{%: ifversion`
    s = re.sub(r"^\{\{\s*([^{}]*?)\s*\}\}", r"\1", s)  # `{% {{データ}} variables.x %}`
    used = False
    words = s.split(None, 1)
    first = words[0].lower() if s else ""
    if first not in tables["known"] or (first in tables["no_args"] and len(words) > 1):  # `windows ターミナル`
        for pattern, repl in tables["patterns"]:
            if pattern.fullmatch(s):
                s, used = pattern.sub(repl, s), True
                break
        else:
            found = _prefix(s, tables["keywords"])
            if found is not None:
                s, used = found, True
            else:
                s = _prefix(s, tables["uni_keywords"]) or s
    s = re.sub(r"^(?:data|dada)[\s.]*(?=(?:variables|reusables|product)\.)", "data ", s, flags=re.I)
    s = re.sub(r"^(?=(?:variables|reusables)\.)", "data ", s)
    s = re.sub(r"^(data )?product\.", "data variables.product.", s)
    kw, args = _split(s)
    if kw.lower() in tables["known"]:
        kw = kw.lower()
    m = re.fullmatch(r"(ifversion|elsif)-(\S+)", kw, re.I)
    if m:
        kw, args = m.group(1).lower(), (m.group(2) + " " + args).strip()
    if kw in tables["no_args"] and re.fullmatch(r"[\W_]*", args):
        args = ""
    elif kw in CONDITIONS:
        mapped = _map_words(args, tables["booleans"])
        used, args = used or mapped != args, mapped
    elif kw in ("data", "indented_data_reference"):
        path, sep, rest = args.partition(" ")
        head, dot, tail = path.lstrip(".").partition(".")
        head = tables["paths"].get(head.lower(), head)
        args = head + dot + tail + sep + rest
    elif kw == "octicon":
        m = re.match(r'"([^"]*)"', args)
        if m and m.group(1).lower() in tables["octicons"]:
            args = f'"{tables["octicons"][m.group(1).lower()]}"' + args[m.end():]
            used = True
    return kw, args, used

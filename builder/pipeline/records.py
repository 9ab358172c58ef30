"""The records of the build cache, as plain data: dataclasses <-> JSON values.

The cache (`<out>/.build/cache.json`, see pipeline/cache.py) holds only str, int, bool, float,
None, lists and string-keyed objects. Each kind of record is a dataclass declared here or by the
stage that makes it; its fields' type annotations say how it is written and, when it is read
back, what it must be. Reading is strict: a value of another type, a missing or unknown field,
an unknown diagnostic code or a dataclass that is not in `RECORD_TYPES` is a `RecordError`, and
the cache is ignored. Nothing is ever instantiated from a name found in the file: the types come
from the declarations, so no record can run code.

Sets are written sorted and objects with sorted keys (`canonical`), so the file's bytes depend
only on the values, whatever `--jobs` and the hash seed.
"""

from __future__ import annotations

import json
import math
import types
import typing
from dataclasses import dataclass, fields, is_dataclass
from functools import lru_cache

from ..core import codes
from ..core.codes import Code
from ..core.diagnostics import Diagnostic, Severity
from ..core.location import Location
from ..i18n.fallback import Fallback
from ..markdown_rules.headings import Heading
from ..markdown_rules.links import LinkRef
from ..markdown_rules.parser import RenderedMarkdown
from ..links.finish import FragmentCheck
from .metas import MetaRecord, PageMeta
from .results import Output, PageResult


class RecordError(ValueError):
    """A stored value that is not what its record declares (a corrupt or edited cache)."""


@dataclass
class PageRecord:
    """What the last build made of one page, and the fingerprint of its inputs then."""

    fingerprint: str
    result: PageResult


@dataclass
class FrontmatterRecord:
    """A page's parsed frontmatter, valid while the file's content digest is `sha256`."""

    sha256: str
    data: dict
    """The YAML mapping, when it is plain JSON data (see `is_plain`)."""
    fm_span: tuple[int, int]
    body_offset: int


RECORD_TYPES: frozenset[type] = frozenset({
    PageRecord, FrontmatterRecord, MetaRecord, PageMeta, RenderedMarkdown, LinkRef, Heading, Fallback,
    PageResult, Output, FragmentCheck, Diagnostic, Location,
})
"""Every dataclass a record may hold; anything else is refused."""

_CODES = {code.code: code for code in codes.ALL_CODES}
_SEVERITIES = {str(s): s for s in Severity}
_NONE = type(None)


def canonical(value) -> str:
    """One line of ASCII JSON whose text depends only on `value` (any text, even a file name
    that is not valid UTF-8, is written escaped and reads back the same)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def is_plain(value, depth: int = 0) -> bool:
    """Whether `value` is JSON data that reads back equal: str, int, finite float, bool, None,
    lists and str-keyed dicts (YAML dates, sets or binary are not)."""
    kind = type(value)
    if kind in (str, int, bool) or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if depth > 100:
        return False
    if kind is list:
        return all(is_plain(v, depth + 1) for v in value)
    if kind is dict:
        return all(type(k) is str and is_plain(v, depth + 1) for k, v in value.items())
    return False


@lru_cache(maxsize=None)
def _persisted(cls: type) -> tuple[tuple[str, object], ...]:
    """(name, type) of the fields a record stores: the declared fields, except private ones."""
    if cls not in RECORD_TYPES:
        raise TypeError(f"{cls.__name__} is not a declared record type")
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in fields(cls) if f.init and not f.name.startswith("_"))


# Writing ---------------------------------------------------------------------------------


def to_plain(value, hint):
    """`value`, declared as `hint`, as plain JSON data."""
    if hint is str or hint is int or hint is bool or hint is _NONE:
        return value
    if hint is float:
        if not math.isfinite(value):
            raise TypeError(f"{value!r} is not a finite number")
        return value
    if hint is Code:
        return value.code
    if hint is Severity:
        return str(value)
    if hint is dict or hint is typing.Any:
        if not is_plain(value):
            raise TypeError(f"{type(value).__name__} value is not plain data")
        return value
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        if value is None:
            return None
        return to_plain(value, _optional(hint, args))
    if origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        item = args[0]
        if item is str:
            return list(value)
        return [to_plain(v, item) for v in value]
    if origin is tuple:
        return [to_plain(v, a) for v, a in zip(value, args, strict=True)]
    if origin is set or origin is frozenset:
        return sorted((to_plain(v, args[0]) for v in value), key=canonical)
    if origin is dict:
        key, item = args
        if key is str:
            return {k: to_plain(v, item) for k, v in value.items()}
        return sorted(([to_plain(k, key), to_plain(v, item)] for k, v in value.items()),
                      key=lambda pair: canonical(pair[0]))
    if hint in _FORMS:
        return _FORMS[hint][0](value)
    if is_dataclass(hint):
        return {name: to_plain(getattr(value, name), field_hint) for name, field_hint in _persisted(hint)}
    raise TypeError(f"no plain form declared for {hint!r}")


# Reading ---------------------------------------------------------------------------------


def from_plain(data, hint, where: str):
    """The value declared as `hint` from its plain form; `RecordError` naming `where` and the
    place inside it when the data is not what the declaration says."""
    try:
        return _decoder(hint)(data)
    except _Bad as bad:
        raise RecordError(f"{where}{''.join(reversed(bad.where))}: {bad.why}") from None


class _Bad(Exception):
    """Raised while decoding; each container on the way adds its part of the place."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why
        self.where: list[str] = []


def _at(bad: _Bad, part: str) -> _Bad:
    bad.where.append(part)
    return bad


def _scalar(kind: type, expected: str):
    def decode(data):
        if type(data) is not kind:
            raise _Bad(f"expected {expected}, found {_kind(data)}")
        return data
    return decode


def _lookup(table: dict, what: str):
    def decode(data):
        found = table.get(data) if type(data) is str else None
        if found is None:
            raise _Bad(f"{_shown(data)} is not {what}")
        return found
    return decode


def _expect_list(data) -> None:
    if type(data) is not list:
        raise _Bad(f"expected a list, found {_kind(data)}")


@lru_cache(maxsize=None)
def _decoder(hint):
    """A function that decodes and checks the plain form of `hint` (made once per type)."""
    if hint is str:
        return _scalar(str, "text")
    if hint is int:
        return _scalar(int, "an integer")
    if hint is bool:
        return _scalar(bool, "true or false")
    if hint is float:
        def decode_float(data):
            if type(data) not in (int, float):
                raise _Bad(f"expected a number, found {_kind(data)}")
            return float(data)
        return decode_float
    if hint is _NONE:
        def decode_none(data):
            if data is not None:
                raise _Bad(f"expected null, found {_kind(data)}")
        return decode_none
    if hint is Code:
        return _lookup(_CODES, "a diagnostic code")
    if hint is Severity:
        return _lookup(_SEVERITIES, "a severity")
    if hint is dict or hint is typing.Any:
        def decode_plain(data):
            if not is_plain(data) or (hint is dict and type(data) is not dict):
                raise _Bad(f"expected an object, found {_kind(data)}")
            return data
        return decode_plain
    if hint in _FORMS:
        return _FORMS[hint][1]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        inner = _decoder(_optional(hint, args))
        return lambda data: None if data is None else inner(data)
    if origin in (list, set, frozenset) or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        return _sequence(origin, args[0])
    if origin is tuple:
        items = [_decoder(a) for a in args]

        def decode_tuple(data):
            _expect_list(data)
            if len(data) != len(items):
                raise _Bad(f"expected {len(items)} items, found {len(data)}")
            i = 0
            try:
                out = []
                for i, (value, item) in enumerate(zip(data, items)):
                    out.append(item(value))
                return tuple(out)
            except _Bad as bad:
                raise _at(bad, f"[{i}]")
        return decode_tuple
    if origin is dict:
        return _mapping(*args)
    if is_dataclass(hint) and hint in RECORD_TYPES:
        return _record(hint)
    raise TypeError(f"no plain form declared for {hint!r}")


def _sequence(origin, item_hint):
    make = list if origin is list else origin
    if item_hint is str:
        def decode_texts(data):
            _expect_list(data)
            for i, value in enumerate(data):
                if type(value) is not str:
                    raise _at(_Bad(f"expected text, found {_kind(value)}"), f"[{i}]")
            return data if make is list else make(data)
        return decode_texts
    item = _decoder(item_hint)

    def decode_items(data):
        _expect_list(data)
        i = 0
        try:
            out = []
            for i, value in enumerate(data):
                out.append(item(value))
        except _Bad as bad:
            raise _at(bad, f"[{i}]")
        return out if make is list else make(out)
    return decode_items


def _mapping(key_hint, item_hint):
    key, item = _decoder(key_hint), _decoder(item_hint)
    if key_hint is str:
        def decode_object(data):
            if type(data) is not dict:
                raise _Bad(f"expected an object, found {_kind(data)}")
            out = {}
            for k, v in data.items():
                try:
                    out[k] = item(v)
                except _Bad as bad:
                    raise _at(bad, f"[{_shown(k)}]")
            return out
        return decode_object

    def decode_pairs(data):
        _expect_list(data)
        result = {}
        for i, pair in enumerate(data):
            if type(pair) is not list or len(pair) != 2:
                raise _at(_Bad("expected a [key, value] pair"), f"[{i}]")
            try:
                result[key(pair[0])] = item(pair[1])
            except _Bad as bad:
                raise _at(bad, f"[{i}]")
        return result
    return decode_pairs


def _record(cls: type):
    declared = [(name, _decoder(field_hint)) for name, field_hint in _persisted(cls)]
    names = {name for name, _ in declared}

    def decode_record(data):
        if type(data) is not dict:
            raise _Bad(f"expected an object, found {_kind(data)}")
        if len(data) != len(declared) or not names.issuperset(data):
            extra = sorted(set(data) - names)
            raise _Bad(f"unknown field {_shown(extra[0])}" if extra else
                       f"missing field {sorted(names - set(data))[0]!r}")
        values = {}
        for name, decode in declared:
            try:
                values[name] = decode(data[name])
            except _Bad as bad:
                raise _at(bad, f".{name}")
        return cls(**values)
    return decode_record


# Forms of their own ----------------------------------------------------------------------


def _meta_record_to_plain(record: MetaRecord) -> dict:
    """A MetaRecord with each distinct PageMeta written once (most versions share one)."""
    unique: dict[str, int] = {}
    metas: list = []
    meta_of: dict[str, int] = {}
    for vid in sorted(record.metas):
        plain = to_plain(record.metas[vid], PageMeta)
        text = canonical(plain)
        index = unique.get(text)
        if index is None:
            index = unique[text] = len(metas)
            metas.append(plain)
        meta_of[vid] = index
    return {"versions": list(record.versions), "deps": to_plain(record.deps, _META_HINTS["deps"]),
            "problems": to_plain(record.problems, _META_HINTS["problems"]), "metas": metas, "meta_of": meta_of}


def _meta_record_from_plain(data) -> MetaRecord:
    if type(data) is not dict:
        raise _Bad(f"expected an object, found {_kind(data)}")
    fields_ = ("versions", "deps", "problems", "metas", "meta_of")
    if len(data) != len(fields_) or any(name not in data for name in fields_):
        extra = sorted(set(data) - set(fields_))
        raise _Bad(f"unknown field {_shown(extra[0])}" if extra else
                   f"missing field {next(n for n in fields_ if n not in data)!r}")
    values = {}
    for name, hint in (("versions", _META_HINTS["versions"]), ("deps", _META_HINTS["deps"]),
                       ("problems", _META_HINTS["problems"]), ("metas", list[PageMeta]),
                       ("meta_of", dict[str, int])):
        try:
            values[name] = _decoder(hint)(data[name])
        except _Bad as bad:
            raise _at(bad, f".{name}")
    shared = values["metas"]
    for vid, index in values["meta_of"].items():
        if not 0 <= index < len(shared):
            raise _at(_Bad(f"{index} is not the index of a meta"), f".meta_of[{_shown(vid)}]")
    return MetaRecord(values["versions"], values["deps"],
                      {vid: shared[index] for vid, index in values["meta_of"].items()}, values["problems"])


_META_HINTS = typing.get_type_hints(MetaRecord)
_FORMS = {MetaRecord: (_meta_record_to_plain, _meta_record_from_plain)}
"""Records with a plain form of their own: (write, read)."""


def _optional(hint, args) -> object:
    rest = [a for a in args if a is not _NONE]
    if len(rest) != 1:
        raise TypeError(f"only `X | None` unions are records: {hint!r}")
    return rest[0]


def _shown(value) -> str:
    """`value` quoted for a message, at most 60 characters of it (control characters escaped)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(data) -> str:
    return {str: "text", int: "an integer", float: "a number", bool: "true or false", list: "a list",
            dict: "an object"}.get(type(data), "null")

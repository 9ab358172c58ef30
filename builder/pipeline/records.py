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
from .finish import FragmentCheck
from .metas import MetaRecord, PageMeta
from .pages import Output, PageResult


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
    """One line of JSON whose text depends only on `value`."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


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
    if is_dataclass(hint):
        return {name: to_plain(getattr(value, name), field_hint) for name, field_hint in _persisted(hint)}
    raise TypeError(f"no plain form declared for {hint!r}")


# Reading ---------------------------------------------------------------------------------


def from_plain(data, hint, where: str):
    """The value declared as `hint` from its plain form; `RecordError` naming `where` when the
    data is not what the declaration says."""
    if hint is str:
        if type(data) is not str:
            raise RecordError(f"{where}: expected text, found {_kind(data)}")
        return data
    if hint is int:
        if type(data) is not int:
            raise RecordError(f"{where}: expected an integer, found {_kind(data)}")
        return data
    if hint is bool:
        if type(data) is not bool:
            raise RecordError(f"{where}: expected true or false, found {_kind(data)}")
        return data
    if hint is float:
        if type(data) not in (int, float):
            raise RecordError(f"{where}: expected a number, found {_kind(data)}")
        return float(data)
    if hint is _NONE:
        if data is not None:
            raise RecordError(f"{where}: expected null, found {_kind(data)}")
        return None
    if hint is Code:
        found = _CODES.get(data) if type(data) is str else None
        if found is None:
            raise RecordError(f"{where}: {data!r} is not a diagnostic code")
        return found
    if hint is Severity:
        found = _SEVERITIES.get(data) if type(data) is str else None
        if found is None:
            raise RecordError(f"{where}: {data!r} is not a severity")
        return found
    if hint is dict or hint is typing.Any:
        if not is_plain(data) or (hint is dict and type(data) is not dict):
            raise RecordError(f"{where}: expected an object, found {_kind(data)}")
        return data
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return None if data is None else from_plain(data, _optional(hint, args), where)
    if origin in (list, tuple, set, frozenset) or (origin is dict and args[0] is not str):
        if type(data) is not list:
            raise RecordError(f"{where}: expected a list, found {_kind(data)}")
    if origin is list or origin is set or origin is frozenset or (
            origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        item = args[0]
        if item is str:
            bad = next((i for i, v in enumerate(data) if type(v) is not str), None)
            if bad is not None:
                raise RecordError(f"{where}[{bad}]: expected text, found {_kind(data[bad])}")
            items = data
        else:
            items = [from_plain(v, item, f"{where}[{i}]") for i, v in enumerate(data)]
        return list(items) if origin is list else origin(items)
    if origin is tuple:
        if len(data) != len(args):
            raise RecordError(f"{where}: expected {len(args)} items, found {len(data)}")
        return tuple(from_plain(v, a, f"{where}[{i}]") for i, (v, a) in enumerate(zip(data, args)))
    if origin is dict:
        key, item = args
        if key is str:
            if type(data) is not dict:
                raise RecordError(f"{where}: expected an object, found {_kind(data)}")
            return {k: from_plain(v, item, f"{where}[{k!r}]") for k, v in data.items()}
        result = {}
        for i, pair in enumerate(data):
            if type(pair) is not list or len(pair) != 2:
                raise RecordError(f"{where}[{i}]: expected a [key, value] pair")
            result[from_plain(pair[0], key, f"{where}[{i}][0]")] = from_plain(pair[1], item, f"{where}[{i}][1]")
        return result
    if is_dataclass(hint) and hint in RECORD_TYPES:
        if type(data) is not dict:
            raise RecordError(f"{where}: expected an object, found {_kind(data)}")
        declared = _persisted(hint)
        if len(data) != len(declared) or any(name not in data for name, _ in declared):
            names = {name for name, _ in declared}
            extra = sorted(set(data) - names)
            missing = sorted(names - set(data))
            raise RecordError(f"{where}: " + (f"unknown field {extra[0]!r}" if extra else f"missing field {missing[0]!r}"))
        return hint(**{name: from_plain(data[name], field_hint, f"{where}.{name}") for name, field_hint in declared})
    raise RecordError(f"{where}: no record of type {hint!r} is declared")


def _optional(hint, args) -> object:
    rest = [a for a in args if a is not _NONE]
    if len(rest) != 1:
        raise TypeError(f"only `X | None` unions are records: {hint!r}")
    return rest[0]


def _kind(data) -> str:
    return {str: "text", int: "an integer", float: "a number", bool: "true or false", list: "a list",
            dict: "an object"}.get(type(data), "null")

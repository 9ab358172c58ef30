"""Make a Pagefind bundle's bytes a function of its input.

Pagefind writes a filter's values in hash-map order (`filter/<lang>_<hash>.pf_filter` differs
between two runs on the same documents), and its file names are digests of the content, so the
order leaks into the filter file's name, the `.pf_meta` that names it, and `pagefind-entry.json`
that names the `.pf_meta`. Here the filter files are rewritten with their values sorted, renamed
after their new content, and the names are updated in the `.pf_meta` (renamed too) and the entry.
The loader fetches files by the names it is given; it does not check them against the content.

The files are gzip'd CBOR after a `pagefind_dcd` signature; the filter file is
`[filter name, [[value, [page numbers...]], ...]]` (one file per filter). Only the CBOR subset Pagefind
writes here is read (unsigned integers, strings, arrays).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re

SIGNATURE = b"pagefind_dcd"
_FILTER = re.compile(r"filter/([a-z0-9_-]+)_([0-9a-f]+)\.pf_filter")
_META = re.compile(r"pagefind\.([a-z0-9_-]+)_([0-9a-f]+)\.pf_meta")


class _Reader:
    def __init__(self, data: bytes, at: int):
        self.data = data
        self.at = at

    def head(self) -> tuple[int, int]:
        byte = self.data[self.at]
        self.at += 1
        major, info = byte >> 5, byte & 31
        if info < 24:
            return major, info
        size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
        if size is None:
            raise ValueError("indefinite or reserved CBOR length")
        value = int.from_bytes(self.data[self.at:self.at + size], "big")
        self.at += size
        return major, value

    def item(self):
        major, value = self.head()
        if major == 0:
            return value
        if major in (2, 3):
            raw = self.data[self.at:self.at + value]
            self.at += value
            return raw if major == 2 else raw.decode("utf-8")
        if major == 4:
            return [self.item() for _ in range(value)]
        raise ValueError(f"unexpected CBOR major type {major}")


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise ValueError("CBOR value too large")


def _encode(item) -> bytes:
    if isinstance(item, int):
        return _head(0, item)
    if isinstance(item, bytes):
        return _head(2, len(item)) + item
    if isinstance(item, str):
        raw = item.encode("utf-8")
        return _head(3, len(raw)) + raw
    return _head(4, len(item)) + b"".join(_encode(x) for x in item)


def _unpack(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise ValueError("not a Pagefind file")
    return raw


def _pack(raw: bytes) -> bytes:
    return gzip.compress(raw, compresslevel=9, mtime=0)


def sorted_filters(raw: bytes) -> bytes:
    """A filter file's decompressed bytes with its values in order."""
    try:
        name, values = _Reader(raw, len(SIGNATURE)).item()
        return SIGNATURE + _encode([name, sorted(values, key=lambda value: value[0])])
    except (IndexError, TypeError) as err:
        raise ValueError(f"unexpected Pagefind filter file ({err})") from None


def canonical_bundle(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files of one bundle (relative path, bytes) with sorted filter files (see above)."""
    renamed: dict[str, str] = {}  # old hash -> new hash (as written in the files: "<lang>_<hex>")
    out: list[tuple[str, bytes]] = []
    for path, data in files:
        found = _FILTER.fullmatch(path)
        if found:
            raw = sorted_filters(_unpack(data))
            lang, old = found.group(1), found.group(2)
            new = hashlib.sha1(raw).hexdigest()[:len(old)]
            renamed[f"{lang}_{old}"] = f"{lang}_{new}"
            path, data = f"filter/{lang}_{new}.pf_filter", _pack(raw)
        out.append((path, data))
    if not renamed:
        return files
    final: list[tuple[str, bytes]] = []
    for path, data in out:
        found = _META.fullmatch(path)
        if found:
            raw = _unpack(data)
            for old, new in renamed.items():
                raw = raw.replace(old.encode("utf-8"), new.encode("utf-8"))
            lang, old = found.group(1), found.group(2)
            new = hashlib.sha1(raw).hexdigest()[:len(old)]
            renamed[f"{lang}_{old}"] = f"{lang}_{new}"
            path, data = f"pagefind.{lang}_{new}.pf_meta", _pack(raw)
        final.append((path, data))
    result: list[tuple[str, bytes]] = []
    for path, data in final:
        if path == "pagefind-entry.json":
            entry = json.loads(data)
            for info in (entry.get("languages") or {}).values():
                if isinstance(info, dict) and info.get("hash") in renamed:
                    info["hash"] = renamed[info["hash"]]
            data = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        result.append((path, data))
    return sorted(result)

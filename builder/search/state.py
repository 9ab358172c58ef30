"""`.build/search.json`: what the last build indexed, so the next one re-indexes only what changed.

    {"format":2,"checksum":"sha256:<hex>","code":"<hex>","state":
    {"pages":{"<output path>":"<sha1 of its version-neutral indexed body>",...},
     "shards":{"<lang>/<shard>":{"files":[...],"key":"<hex>"},...}}}

Format 1 was the per-version layout (`<slug>/<lang>/<shard>`): such a state is ignored with DB631.

The checksum covers every byte after the first line. `code` is a digest of this package's code
and Pagefind's version: another one means other index files, so the state is not used. A state
that cannot be read, fails its checksum or names a path outside `_pagefind/` is ignored with a
warning (DB631) and every shard is indexed afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.paths import check_output_path

STATE = ".build/search.json"
FORMAT = 2
_HEAD = '{{"format":{format},"checksum":"sha256:{checksum}","code":"{code}","state":\n'


@lru_cache(maxsize=1)
def code_digest() -> str:
    h = hashlib.sha1()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    try:
        from importlib.metadata import version

        h.update(version("pagefind").encode())
    except Exception:  # noqa: BLE001 - no metadata: the code digest alone
        pass
    return h.hexdigest()


@dataclass
class SearchState:
    pages: dict[str, str] = field(default_factory=dict)
    shards: dict[str, dict] = field(default_factory=dict)

    def layout(self) -> dict[str, list[str]]:
        """lang -> shard names."""
        found: dict[str, list[str]] = {}
        for shard in sorted(self.shards):
            lang, name = shard.split("/")
            found.setdefault(lang, []).append(name)
        return found

    def encode(self) -> bytes:
        body = json.dumps({"pages": self.pages, "shards": self.shards}, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")).encode("utf-8") + b"}\n"
        head = _HEAD.format(format=FORMAT, checksum=hashlib.sha256(body).hexdigest(), code=code_digest())
        return head.encode("utf-8") + body


def write_state(staging: Path, state: SearchState) -> None:
    path = staging / STATE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(state.encode())


def read_state(out: Path, problems: list[Diagnostic]) -> SearchState | None:
    """The last build's state, or None (with a warning when it is there but cannot be trusted)."""
    path = out / STATE
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode) or os.path.islink(out / ".build"):
            raise ValueError("is not a regular file")
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        problems.append(_ignored(path, f"cannot be read ({err})"))
        return None
    head, sep, body = data.partition(b"\n")
    try:
        meta = json.loads(head + b'""}')
        if meta.get("format") != FORMAT:
            raise ValueError(f"is of another format ({meta.get('format')!r})")
        if not sep or meta.get("checksum") != "sha256:" + hashlib.sha256(body).hexdigest():
            raise ValueError("does not match its checksum (it is damaged or was edited)")
        if meta.get("code") != code_digest():
            return None  # written by other code: out of date, not damaged
        plain = json.loads(body[:-2])
        state = SearchState(pages=plain["pages"], shards=plain["shards"])
        _check(state)
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        problems.append(_ignored(path, str(err) if isinstance(err, ValueError) else "is not a search state"))
        return None
    return state


def _check(state: SearchState) -> None:
    if not isinstance(state.pages, dict) or not isinstance(state.shards, dict):
        raise TypeError
    for path, fp in state.pages.items():
        if not isinstance(fp, str) or check_output_path(path) is not None:
            raise ValueError(f"names a path the build refuses ({path!r})")
    for shard, entry in state.shards.items():
        parts = shard.split("/") if isinstance(shard, str) else []
        if len(parts) != 2 or not isinstance(entry.get("key"), str) or not isinstance(entry.get("files"), list):
            raise TypeError
        for rel in entry["files"]:
            if (not isinstance(rel, str) or not rel.startswith(f"_pagefind/{shard}/")
                    or check_output_path(rel) is not None):
                raise ValueError(f"names a path the build refuses ({rel!r})")


def _ignored(path: Path, why: str) -> Diagnostic:
    return Diagnostic(codes.SEARCH_STATE, f"{path} {why}; it is ignored: the search index is built afresh",
                      None, Severity.WARNING)

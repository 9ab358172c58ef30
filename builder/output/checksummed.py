"""Writing a state file whose first bytes hold the SHA-256 of the rest (the manifest, the build
cache) without holding the file in memory: the parts are written as they are made, after a
head of the same length, and the head is written again once the digest is known."""

from __future__ import annotations

import hashlib
from typing import BinaryIO, Callable, Iterable

BATCH = 1 << 20
"""Parts are joined into writes of about this many bytes."""


def write_checksummed(fh: BinaryIO, head: Callable[[str], bytes], parts: Iterable[str]) -> None:
    """Write `head(<sha256 hex of the rest>)` then the parts (UTF-8) into `fh`, a file opened for
    writing at its start, which must be seekable. `head` must give bytes of the same length
    whatever the digest (the digest is always 64 hex digits)."""
    placeholder = head("0" * 64)
    fh.write(placeholder)
    h = hashlib.sha256()
    batch: list[str] = []
    size = 0
    for part in parts:
        batch.append(part)
        size += len(part)
        if size >= BATCH:
            data = "".join(batch).encode("utf-8")
            h.update(data)
            fh.write(data)
            batch, size = [], 0
    data = "".join(batch).encode("utf-8")
    h.update(data)
    fh.write(data)
    final = head(h.hexdigest())
    if len(final) != len(placeholder):
        raise ValueError("the head of a checksummed file changed length")
    fh.seek(0)
    fh.write(final)

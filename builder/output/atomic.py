"""Replacing one file at once: a temporary file beside it, renamed over it (for state files and
for sources the maintainer tools rewrite; the site itself is committed by `commit.py`)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: str | Path, data: bytes, mode: int | None = None) -> None:
    """`path` holds `data` afterwards, or is as it was (never half written). `mode`: the new
    file's permissions (default: the temporary file's, 0o600 less the umask's view)."""
    folder = os.path.dirname(os.fspath(path)) or "."
    fd, tmp = tempfile.mkstemp(prefix=".docs-builder-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

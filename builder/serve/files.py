"""The one way the dev server maps a URL path to a file of the site it serves."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote


def safe_join(base: Path, url_path: str) -> Path | None:
    """The file under `base` a URL path names, or None if it would leave `base` (`..`, `%2e%2e`,
    absolute paths, NUL bytes, symbolic links pointing outside)."""
    text = unquote(url_path)
    if "\x00" in text or "\\" in text:
        return None
    parts = [p for p in text.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return None
    candidate = base.joinpath(*parts) if parts else base
    try:
        real = candidate.resolve()
        root = base.resolve()
    except OSError:
        return None
    if real != root and root not in real.parents:
        return None
    return candidate

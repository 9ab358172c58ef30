"""Reading source files: UTF-8 (a BOM is fine), any line endings."""

from __future__ import annotations

from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.errors import ContentError
from ..core.location import Location


def decode(raw: bytes, rel: str) -> str:
    """Text of a source file with a BOM removed and CRLF/CR turned into LF."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        col = len(before[line_start:].decode("utf-8", "replace")) + 1
        line_end = raw.find(b"\n", err.start)
        shown = raw[line_start : line_end if line_end != -1 else len(raw)].decode("utf-8", "replace")
        raise ContentError(
            Diagnostic(
                codes.FILE_NOT_UTF8,
                f"byte 0x{raw[err.start]:02x} is not valid UTF-8; save the file as UTF-8",
                Location(rel, line, col, shown.rstrip("\r")),
            )
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_source(path: Path, rel: str) -> str:
    return decode(path.read_bytes(), rel)

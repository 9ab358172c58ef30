"""Per-property English fallback for translations: the HTML comment and the warning."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity

ERROR_TYPES = {
    "DB101": "UnicodeDecodeError",
    "DB103": "FrontmatterError",
    "DB104": "YAMLError",
    "DB201": "LiquidSyntaxError",
    "DB202": "LiquidSyntaxError",
    "DB203": "LiquidSyntaxError",
    "DB204": "LiquidSyntaxError",
    "DB205": "RenderError",
    "DB206": "UndefinedError",
    "DB207": "LiquidSyntaxError",
    "DB208": "LiquidSyntaxError",
    "DB210": "LiquidSyntaxError",
    "DB211": "LiquidSyntaxError",
    "DB212": "LiquidSyntaxError",
    "DB214": "LiquidSyntaxError",
    "DB220": "DataReferenceError",
    "DB221": "DataReferenceError",
    "DB222": "DataReferenceError",
    "DB223": "LiquidSyntaxError",
    "DB230": "LiquidSyntaxError",
    "DB401": "LinkError",
    "DB403": "TitleFromAutotitleError",
    **{f"DB7{n}": "RenderedOutputError" for n in range(20, 40)},  # see _OWN_CODE
    "DB830": "UncertainRepair",
}
_HYPHENS = re.compile(r"-{2,}")


@dataclass(frozen=True)
class Fallback:
    """Why a translated property was replaced by the English one."""

    prop: str
    type: str
    file: str
    line: int
    col: int
    message: str
    code: codes.Code | None = None
    """The warning's code when it is not DB502 (the rendered-output checks keep their own)."""

    def comment(self) -> str:
        msg = " ".join(self.message.split())
        if len(msg) > 200:
            msg = msg[:200] + "..."
        # Nothing in a comment is decoded, so only `--` could end it early (`-->`, `--!>`).
        msg = _HYPHENS.sub("-", msg.replace('"', "'"))
        file = _HYPHENS.sub("-", self.file)
        return (
            f'<!-- TRANSLATION_FALLBACK prop={self.prop} type={self.type} file={file} '
            f'line={self.line} col={self.col} msg="{msg}" -->'
        )

    def warning(self, lang: str, page_src: str) -> Diagnostic:
        from ..core.location import Location

        return Diagnostic(
            self.code or codes.TRANSLATION_FALLBACK,
            f"{lang}: {self.prop} of {page_src} falls back to English: {self.type}: {self.message}",
            Location(self.file, self.line, self.col),
            Severity.WARNING,
        )


def fallback_from(prop: str, diag: Diagnostic | None) -> Fallback:
    if diag is None:
        return Fallback(prop, "Error", "", 0, 0, "unknown error")
    loc = diag.location
    return Fallback(
        prop,
        ERROR_TYPES.get(diag.code.code, "Error"),
        loc.path if loc else "",
        loc.line if loc else 0,
        loc.col if loc else 0,
        diag.message,
        diag.code if diag.code.code in _OWN_CODE else None,
    )


_OWN_CODE = {f"DB7{n}" for n in range(20, 40)} | {"DB830"}
"""Rendered-output findings and uncertain repairs: their fallback warning keeps their code
(DB720-DB739, DB830)."""

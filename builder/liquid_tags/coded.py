"""The Liquid errors of ours: a diagnostic code and an exact caret span (`errors.py` turns them,
and python-liquid's own, into diagnostics)."""

from __future__ import annotations

from liquid.exceptions import LiquidError, LiquidSyntaxError
from liquid.token import Token

from ..core.codes import Code
from ..core.diagnostics import Severity


class CodedError(LiquidError):
    """A Liquid error of ours, with a diagnostic code and an exact caret span."""

    def __init__(self, code: Code, message: str, token: Token | None, *, length: int | None = None,
                 notes: tuple[str, ...] = (), severity: Severity = Severity.ERROR):
        super().__init__(message, token=token)
        self.code = code
        self.length = length
        self.notes = notes
        self.severity = severity


class CodedSyntaxError(CodedError, LiquidSyntaxError):
    """A parse-time CodedError."""

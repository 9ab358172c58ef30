"""Exceptions shared by every stage; all derive from `BuildError`."""

from __future__ import annotations

from .diagnostics import Diagnostic

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
"""Every command's exit statuses: done, problems in the content, unusable options or setup, a bug."""


class BuildError(Exception):
    """Base of every error the builder raises on purpose."""

    exit_status = 1

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = diagnostics
        super().__init__("; ".join(d.header() for d in diagnostics))


class ConfigError(BuildError):
    """The site configuration or the command line is unusable (exit status 2)."""

    exit_status = 2


class ContentError(BuildError):
    """A problem in one source file that stops that file from being used (exit status 1)."""

    exit_status = 1

"""What a build did with each page: outputs written, outputs skipped, errors. The `--keep-going`
summary (builder/cli/keep_going.py) names the pages from it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageOutcome:
    written: int
    """Outputs (language x version) the page made."""
    skipped: int
    """Outputs it could not make (a Liquid error or a template error in that version)."""
    errors: bool
    """Whether building it reported an error (in the page, its translation or what it includes)."""


def page_outcomes(results) -> dict[str, PageOutcome]:
    """`content/<rel>` -> what became of the page, for every page built or reused."""
    return {f"content/{r.rel}": PageOutcome(len(r.outputs), r.failed, any(d.is_error for d in r.problems))
            for r in results}

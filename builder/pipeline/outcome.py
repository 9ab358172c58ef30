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
    """Whether building it reported an error (in the page, its translation or what it includes)
    in a version it was written in (or in no version in particular)."""


def page_outcomes(results) -> dict[str, PageOutcome]:
    """`content/<rel>` -> what became of the page, for every page built or reused."""
    return {f"content/{r.rel}": PageOutcome(len(r.outputs), r.failed, _written_with_errors(r)) for r in results}


def _written_with_errors(result) -> bool:
    written = {o.version for o in result.outputs} | {f"{o.lang}/{o.version}" for o in result.outputs}
    return any(d.is_error and (not d.versions or not written.isdisjoint(d.versions)) for d in result.problems)

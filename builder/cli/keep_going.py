"""The `build --keep-going` summary: exactly which pages were not written and which were
written with errors (a broken link or a missing child does not stop a page being written)."""

from __future__ import annotations

SHOWN = 10
"""Pages named per line; the rest are counted."""


def _names(items: list[str]) -> str:
    more = f", and {len(items) - SHOWN} more (their errors are listed above; --format json lists them all)" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def page_lists(report, problems) -> tuple[dict[str, str], list[str]]:
    """The pages not written (`content/<rel>` -> why) and those written with errors."""
    error_files = {d.location.path for d in problems.errors if d.location is not None}
    skipped = {src: "could not be loaded" for src in report.not_loaded}
    with_errors: list[str] = []
    for src, outcome in sorted(report.outcomes.items()):
        if outcome.skipped:
            total = outcome.skipped + outcome.written
            skipped[src] = f"{'all' if not outcome.written else f'{outcome.skipped} of'} {_count(total, 'output')}"
        # An error located in a page but found outside its build (its title, say) is in every
        # output; one of a version the page could not make is said by the line above.
        if outcome.written and (outcome.errors or (src in error_files and not outcome.skipped)):
            with_errors.append(src)
    return dict(sorted(skipped.items())), with_errors


def keep_going_lines(report, problems) -> list[str]:
    """The lines above the status line of a `build --keep-going` that wrote a site with errors."""
    not_written, with_errors = page_lists(report, problems)
    skipped = [f"{src} ({why})" for src, why in not_written.items()]
    lines = []
    if skipped:
        lines.append(f"not written, {_count(len(skipped), 'page')}: {_names(skipped)}")
    if with_errors:
        lines.append(f"written with errors, {_count(len(with_errors), 'page')}: {_names(with_errors)}")
    if not lines:  # errors in no page's build: data files, settings, the site's structure
        lines.append("every page was written; the errors are outside the pages (listed above)")
    return lines

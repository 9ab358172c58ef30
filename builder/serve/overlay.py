"""What the preview adds to pages: the live-reload script, the error page of a page that could
not be built, and the panel listing the problems of a page that was built with some."""

from __future__ import annotations

import sys
from html import escape

from ..core.diagnostics import Diagnostic, Problems

MARK = b"<script data-db-livereload>"
LIVERELOAD = (
    MARK.decode() + "(function(){var g=document.currentScript.getAttribute('data-state');"
    "var s=new EventSource('/__livereload?path='+encodeURIComponent(location.pathname));"
    "s.onmessage=function(e){if(g===null){g=e.data;return}if(e.data!==g)location.reload()};})();</script>"
)
"""Reloads the page when its state on the server changes. The server writes the state the page
was answered in (`with_state`), so an edit saved before the stream is open reloads it too."""

SHOWN = 50
"""Problems listed at most (the terminal has them all)."""

_STYLE = (
    ".db-overlay{max-width:70rem;margin:2rem auto;padding:1.5rem 2rem;background:#2d0b0e;border:2px solid #f85149;"
    "border-radius:8px}.db-overlay h1{color:#ff7b72;font-size:1.3rem}"
    ".db-problems{position:fixed;z-index:2147483647;left:1rem;right:1rem;bottom:1rem;max-height:45vh;overflow:auto;"
    "margin:0;padding:.75rem 1rem;background:#1b1f24;color:#f0f3f6;border:2px solid #d29922;border-radius:8px;"
    "font:14px/1.45 system-ui,sans-serif;box-shadow:0 8px 24px rgba(0,0,0,.4)}"
    ".db-problems.db-has-errors{border-color:#f85149}.db-problems h2{margin:0 0 .5rem;font-size:1rem;color:#f0f3f6}"
    ".db-problems button{float:right;font:inherit;color:#f0f3f6;background:#30363d;border:1px solid #8b949e;"
    "border-radius:6px;padding:.1rem .6rem;cursor:pointer}"
    ".db-error pre,.db-problem pre{white-space:pre-wrap;overflow:auto;background:#0d1117;color:#f0f3f6;"
    "padding:.75rem 1rem;border-radius:6px;margin:.5rem 0;font:13px/1.45 ui-monospace,monospace}"
)


def with_state(html: bytes, state: str) -> bytes:
    """The page with the live-reload state it is answered in."""
    return html.replace(MARK, MARK[:-1] + f' data-state="{escape(state)}">'.encode(), 1)


def inject_livereload(html: str) -> str:
    return html.replace("</body>", LIVERELOAD + "</body>", 1) if "</body>" in html else html + LIVERELOAD


def _count(diagnostics: list[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    return (f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")


def error_page(diagnostics: list[Diagnostic], generation: int = 0) -> str:
    """The page shown instead of one that could not be built (or loaded): every problem, located."""
    items = "".join(
        f'<section class="db-error"><pre>{escape(d.format_text())}</pre></section>' for d in diagnostics[:SHOWN]
    )
    return inject_livereload(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build error</title>"
        "<style>body{margin:0;font:15px/1.5 system-ui,sans-serif;background:#1b1f24;color:#f0f3f6}"
        f"{_STYLE}</style></head><body><main>"
        f'<div class="db-overlay" role="alert"><h1>This page could not be built</h1>'
        f"<p>{_count(diagnostics)}. Fix the problems below and save: the page reloads by itself.</p>"
        f"{items}</div></main></body></html>"
    )


def problems_panel(diagnostics: list[Diagnostic]) -> str:
    """A panel over the bottom of a page that was built, listing what a build reports for it."""
    items = "".join(
        f'<section class="db-problem"><pre>{escape(d.format_text())}</pre></section>' for d in diagnostics[:SHOWN]
    )
    errors = any(d.is_error for d in diagnostics)
    return (
        f"<style>{_STYLE}</style>"
        f'<aside id="db-problems" class="db-problems{" db-has-errors" if errors else ""}" aria-label="Build problems">'
        "<button type=\"button\" onclick=\"this.parentNode.remove()\">Hide</button>"
        f"<h2>{_count(diagnostics)} in this page (a build reports them too); fix and save: the page "
        f"reloads by itself</h2>{items}</aside>"
    )


def with_problems(html: bytes, diagnostics: list[Diagnostic]) -> bytes:
    """`html` with the problems panel before `</body>` (unchanged when there is nothing to show)."""
    if not diagnostics:
        return html
    panel = problems_panel(diagnostics).encode("utf-8")
    at = html.rfind(b"</body>")
    return html[:at] + panel + html[at:] if at >= 0 else html + panel


def sorted_problems(problems) -> Problems:
    """The same problem seen in several versions once, sorted by place (as a build prints them)."""
    found = Problems()
    found.extend(problems)
    return found


def print_problems(url: str, problems: list[Diagnostic]) -> None:
    """The terminal's report: the text a build prints, under the page it is about."""
    if not url:
        head = "the site could not be loaded" if problems else "the site loads again"
    elif problems:
        found = sorted_problems(problems)
        head = f"{url}: {found.summary()}"
    else:
        head = f"{url}: no problems now"
    lines = [f"docs-builder serve: {head}"] + [d.format_text() for d in problems]
    print("\n\n".join(lines) + ("\n" if problems else ""), file=sys.stderr, flush=True)

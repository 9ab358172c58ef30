"""The translation status report: computed from a build's events, printed or published as pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.diagnostics import Diagnostic, github_annotation
from ..core.urls import page_url
from .gitinfo import GitHistory
from .languages import native_name, text_direction
from .status import LanguageStatus, language_status

if TYPE_CHECKING:  # the build's site, handed in by pipeline/extras.py
    from ..pipeline.site import Site

KINDS = ("current", "outdated", "broken", "translated", "missing")
UI_KEY = {"current": "current", "outdated": "outdated", "broken": "broken", "translated": "unknown", "missing": "missing"}


def statuses(site: Site, events: dict[str, dict[str, dict[str, list[str]]]], codes: list[str] | None = None,
             history: GitHistory | None = None) -> list[LanguageStatus]:
    history = history or GitHistory.load(site.root)
    out = []
    for lang in site.config.languages:
        if lang.is_default or (codes and lang.code not in codes):
            continue
        out.append(language_status(site.root, site.tree, lang, history, events.get(lang.code, {})))
    return out


def render_text(results: list[LanguageStatus]) -> str:
    lines: list[str] = []
    for st in results:
        lines.append(f"{st.code} ({st.name}): {st.percent_translated}% translated, {st.percent_current}% up to date "
                     f"of {st.total} pages")
        lines.append("  " + ", ".join([f"{st.count(k)} {UI_KEY[k] if k != 'translated' else 'translated, age unknown'}"
                                       for k in KINDS if st.count(k) or k in ("current", "missing")]
                                      + ([f"{len(st.orphans)} orphan"] if st.orphans else [])))
        if st.note:
            lines.append(f"  note: {st.note}")
        for p in st.pages:
            if p.state == "current":
                continue
            if p.state == "missing":
                lines.append(f"  missing   {p.page}")
                continue
            detail = ""
            if p.outdated:
                detail = f" ({p.commits_behind} commits, {p.lines_behind} lines behind; {p.basis})"
            lines.append(f"  {p.state:<9} {p.translation}{detail}")
            for r in p.repairs:
                lines.append(f"      repaired: {r}")
            for f in p.fallbacks:
                lines.append(f"      fallback: {f}")
        for orphan in st.orphans:
            lines.append(f"  orphan    {orphan} (no English page: not built)")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_github(results: list[LanguageStatus], problems: dict[str, list[Diagnostic]]) -> str:
    """GitHub Actions annotations: the build's warnings about each translation's files (repairs,
    fallbacks, orphans) at their line and column, a warning on each outdated translation, a notice
    on each English page not translated yet, and a notice summing up each language."""
    lines: list[str] = []
    for st in results:
        lines += [d.format_github() for d in problems.get(st.code, [])]
        for p in st.pages:
            if p.state == "outdated":
                lines.append(github_annotation(
                    "warning", f"{st.code}: outdated: the English page {p.page} changed {p.commits_behind} times "
                    f"({p.lines_behind} lines) since this translation ({p.basis})",
                    f"{st.code} translation outdated", p.translation, 1, 1))
            elif p.state == "missing":
                lines.append(github_annotation("notice", f"{st.code}: not translated yet",
                                               f"{st.code} translation missing", p.page, 1, 1))
        summary = (f"{st.code} ({st.name}): {st.percent_translated}% translated, {st.percent_current}% up to date "
                   f"of {st.total} pages; " + ", ".join(f"{st.count(k)} {UI_KEY[k]}" for k in KINDS)
                   + f", {len(st.orphans)} orphan")
        if st.note:
            summary += f"\nnote: {st.note}"
        lines.append(github_annotation("notice", summary, f"{st.code} translation status"))
    return "".join(line + "\n" for line in lines)


def _site_title(site: Site, metas, lang, version) -> str:
    """The site's name as every other page's `<title>` ends: the home page's navigation title."""
    home = site.tree.home
    if metas is None or home is None:
        return ""
    return metas.get(lang, home, version.id).nav_title


def write_status_pages(site: Site, writer, results: list[LanguageStatus], metas=None) -> dict[str, list[str]]:
    """`/<lang>/translation-status/` for every built language, each in its own language."""
    written: dict[str, list[str]] = {}
    if not results:
        return written
    version = site.versions[0]
    for lang in site.languages:
        ui = site.ui[lang.code]
        rows = []
        for st in results:
            parts = []
            for kind in KINDS:
                count = st.count(kind)
                parts.append({
                    "kind": kind if kind != "translated" else "current",
                    "count": count,
                    "width": round(100 * count / st.total, 2) if st.total else 0,
                    "text": ui("status.count", state=ui("status." + UI_KEY[kind]),
                               pages=ui.plural("status.pages", count, lang)),
                })
            other = site.config.language(st.code)
            summary = ui("status.translated_percent", percent=st.percent_translated, current=st.percent_current)
            rows.append({
                "code": st.code, "name": native_name(other), "url": f"/{st.code}/translation-status/",
                "summary": summary, "label": f"{native_name(other)}: {summary}", "parts": parts,
            })
        mine = next((st for st in results if st.code == lang.code), None)
        details = None
        note = ""
        orphans: list[str] = []
        if mine is not None:
            details = []
            for p in mine.pages:
                if p.state == "current":
                    continue
                lines = []
                if p.outdated:
                    lines.append({"label": "", "text": f"{ui.plural('status.behind', p.commits_behind, lang)}, "
                                          f"{ui('status.lines', n=p.lines_behind)}"})
                # The build's own messages stay in English, marked as such for screen readers.
                lines += [{"label": ui("status.repaired"), "text": r} for r in p.repairs]
                lines += [{"label": ui("status.fallback"), "text": f} for f in p.fallbacks]
                details.append({"state": ui("status." + UI_KEY[p.state]), "page": p.translation or p.page, "lines": lines})
            note = "" if mine.outdated_known else ui("status.outdated_unknown")
            orphans = mine.orphans
        context = {
            "lang": lang, "lang_dir": text_direction(lang), "lang_native": native_name(lang),
            "content_lang": lang.code, "version": version, "ui": ui,
            "site_title": _site_title(site, metas, lang, version) or ui("header.github_docs"),
            "home_url": page_url(lang.code, version, ""),
            "product": None,
            "page": {"kind": "article", "title": ui("status.title"), "intro_text": ui("status.intro")},
            "toc": [], "children": [], "breadcrumbs": [], "sidebar": None, "version_picker": [],
            "language_picker": [
                {"code": other.code, "name": native_name(other), "url": f"/{other.code}/translation-status/",
                 "current": other is lang} for other in site.languages],
            "notices": [], "canonical": f"/{lang.code}/translation-status/",
            "alternates": [{"hreflang": o.code, "url": f"/{o.code}/translation-status/"} for o in site.languages],
            "search_index": f"/_pagefind/{lang.code}/shards.json", "search_version": version.slug,
            "search_prefix": f"/{lang.code}/{version.segment}" if version.segment else f"/{lang.code}",
            "languages": rows, "details": details, "note": note, "orphans": orphans,
        }
        rel = f"{lang.code}/translation-status/index.html"
        writer.write(rel, site.layout.template("translation-status.html").render(context))
        written[rel] = []
    return written

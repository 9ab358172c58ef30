"""Translation status per language: current, outdated, broken and missing pages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..sources.config import Language
from ..sources.content import ContentTree
from ..sources.files import is_outside, read_source
from ..sources.frontmatter import split_frontmatter
from .gitinfo import GitHistory

KEY = "ms.sourcegitcommit"
"""The frontmatter key of a translation that names the English commit it was translated from."""


@dataclass
class PageStatus:
    page: str
    """English source, such as `content/packages/quickstart.md`."""
    translation: str | None
    state: str
    """`current`, `outdated`, `broken`, `missing` or `translated` (outdated status unknown)."""
    outdated: bool | None = None
    commits_behind: int = 0
    lines_behind: int = 0
    basis: str = ""
    """How outdated was decided: `ms.sourcegitcommit` or `git history`."""
    repairs: list[str] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)


@dataclass
class LanguageStatus:
    code: str
    name: str
    pages: list[PageStatus]
    outdated_known: bool
    note: str = ""
    orphans: list[str] = field(default_factory=list)
    """Translation files with no English page (never built), such as `translations/fr-FR/content/old.md`."""

    def count(self, state: str) -> int:
        return sum(1 for p in self.pages if p.state == state)

    @property
    def total(self) -> int:
        return len(self.pages)

    @property
    def translated(self) -> int:
        return sum(1 for p in self.pages if p.translation)

    @property
    def percent_translated(self) -> int:
        return round(100 * self.translated / self.total) if self.total else 100

    @property
    def percent_current(self) -> int:
        return round(100 * self.count("current") / self.total) if self.total else 100

    def to_json(self) -> dict:
        return {
            "language": self.code,
            "name": self.name,
            "pages": self.total,
            "translated": self.translated,
            "current": self.count("current"),
            "outdated": self.count("outdated"),
            "broken": self.count("broken"),
            "missing": self.count("missing"),
            "unknown": self.count("translated"),
            "percent_translated": self.percent_translated,
            "percent_current": self.percent_current,
            "outdated_known": self.outdated_known,
            "orphan": len(self.orphans),
            "note": self.note,
            "details": [asdict(p) for p in self.pages],
            "orphans": list(self.orphans),
        }


def language_status(
    root,
    tree: ContentTree,
    lang: Language,
    history: GitHistory,
    events: dict[str, dict[str, list[str]]],
) -> LanguageStatus:
    """Status of `lang`; `events` maps an English page rel to its `repairs` and `fallbacks`."""
    pages: list[PageStatus] = []
    for page in tree.pages.values():
        if not page.versions:
            continue
        rel = f"{lang.dir}/content/{page.rel}"
        found = (root / rel).is_file()
        event = events.get(page.rel, {})
        status = PageStatus(page.src, rel if found else None, "missing")
        if found:
            status.repairs = sorted(set(event.get("repairs", [])))
            status.fallbacks = sorted(set(event.get("fallbacks", [])))
            _outdated(root, history, page.src, rel, status)
            if status.fallbacks or status.repairs:
                status.state = "broken"
            elif status.outdated:
                status.state = "outdated"
            elif status.outdated is None:
                status.state = "translated"
            else:
                status.state = "current"
        pages.append(status)
    note = "" if history.available else f"outdated status unknown: {history.reason}"
    return LanguageStatus(lang.code, lang.name, pages, history.available, note, orphan_translations(root, tree, lang))


def orphan_translations(root, tree: ContentTree, lang: Language) -> list[str]:
    """`<dir>/content/...` files of `lang` whose English page does not exist (sorted): they are never built."""
    if lang.is_default:
        return []
    english = set(tree.pages) | set(tree.unreachable) | tree.failed
    folder = root / lang.dir / "content"
    if not folder.is_dir() or is_outside(root, str(folder)):
        return []  # a folder outside the root is never listed (reading it says why)
    return [f"{lang.dir}/content/{rel}" for rel in
            sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.md"))
            if rel not in english]


def _outdated(root, history: GitHistory, english: str, translation: str, status: PageStatus) -> None:
    if not history.available:
        return
    base = None
    sha = ""
    try:
        text = read_source(root, translation)
        # Most translations carry no such key: parsing their YAML only to find that out took
        # most of the status's time on a big site (an 8,445-page translation: 2.1 of 2.8 s).
        if KEY in text:
            sha = str(split_frontmatter(text, translation, required=False).data.get(KEY) or "")
    except Exception:  # an unreadable translation is reported by the build itself
        sha = ""
    if sha:
        base = history.has_commit(sha)
        if base:
            status.basis = KEY
    if base is None:
        base = history.last_commit(translation)
        status.basis = "git history"
    if base is None:
        status.basis = "not committed yet"
        return
    behind = history.commits_since(english, base)
    status.outdated = behind > 0
    if behind:
        status.commits_behind = behind
        status.lines_behind = history.lines_changed(english, base)

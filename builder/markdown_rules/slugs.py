"""GitHub heading slugs (github-slugger's rules), with numbered duplicates."""

from __future__ import annotations

import unicodedata

_KEEP_PUNCT = {"-", "_", " "}


def github_slug(text: str) -> str:
    """Lower-case; drop punctuation and symbols; spaces become hyphens."""
    out = []
    for ch in text.lower():
        if ch in _KEEP_PUNCT:
            out.append("-" if ch == " " else ch)
            continue
        cat = unicodedata.category(ch)
        if cat[0] in ("L", "M", "N") or cat == "Pc":
            out.append(ch)
    return "".join(out)


class Slugger:
    """Unique slugs within one page: `intro`, `intro-1`, `intro-2`."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def slug(self, text: str) -> str:
        """`text`'s GitHub slug, numbered if already taken; `section` when it has no letters."""
        base = github_slug(text) or "section"
        slug = base
        while slug in self.seen:
            self.seen[base] += 1
            slug = f"{base}-{self.seen[base]}"
        self.seen[slug] = 0
        return slug

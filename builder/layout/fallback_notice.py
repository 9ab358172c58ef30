"""A translated page's parts that fell back to English: marked `lang` and announced.

When a translation's title, intro or body cannot be used (builder/i18n/fallback.py), that part
is shown in English. Readers see a notice in their language just before it ("This part is not
yet translated", `pages.part_not_translated` in the UI strings), and the English part carries
`lang="en"` so that screen readers and hyphenation use English for it, and only for it.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..core.icons import icon_svg

PARTS = ("title", "intro", "body")


def fallen_parts(comments: dict[str, str]) -> set[str]:
    """The parts that fell back, from the page's fallback comments (one per part)."""
    return {part for part in PARTS if comments.get(part)}


def notice_html(text: str) -> Markup:
    """The notice above an English part (the same shape as the page notices of base.html)."""
    return Markup('<div class="notice notice-info translation-fallback-notice" role="note" data-pagefind-ignore>'
                  f'{icon_svg("globe")}<p>{escape(text)}</p></div>')


def english_part(html: Markup, lang: str, notice: str = "") -> Markup:
    """`html` wrapped in an element marked with the English `lang`, after its notice if any."""
    before = notice_html(notice) if notice else Markup("")
    return before + Markup(f'<div class="translation-fallback" lang="{escape(lang)}">') + Markup(html) + Markup("</div>")

"""Language facts from Babel: native names, text direction, plural forms."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

from ..sources.config import Language


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def native_name(lang: Language) -> str:
    """`Français`, `日本語`: the language's own name, capitalised, for the language picker."""
    if lang.native:
        return lang.native
    loc = _locale(lang.code)
    name = loc.get_display_name(loc) if loc else None
    if not name:
        return lang.name
    return name[:1].upper() + name[1:]


def text_direction(lang: Language) -> str:
    loc = _locale(lang.code)
    return loc.text_direction if loc else "ltr"


def plural_category(count: int, lang: Language) -> str:
    """CLDR plural category (`one`, `other`, ...) of `count` in `lang`."""
    loc = _locale(lang.code) or Locale("en")
    return loc.plural_form(count)

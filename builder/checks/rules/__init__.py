"""The content rules of `docs-builder lint`, one small module each (see docs/lint.md)."""

from __future__ import annotations

from . import alt_text, expired, fence_language, hardcoded_names, heading_levels, link_text, table_shape

RULES = (alt_text.RULE, heading_levels.RULE, fence_language.RULE, link_text.RULE, hardcoded_names.RULE,
         expired.RULE, table_shape.RULE)
"""Every rule, in the order of their codes."""

"""The tool and platform pickers at the top of an article, and the CSS that shows one variant.

Every variant stays in the HTML (search, print, readers without JavaScript). `pickers.js`
chooses one (the URL's `?tool=`/`?platform=`, the reader's last choice, the page's default,
for platforms the reader's system, else the first) and sets `data-tool` / `data-platform` on
`<html>`; the rules below hide the other variants then, on screen only.
"""

from __future__ import annotations

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.tools import KINDS, default_platform, default_tool


def picker_context(variants, frontmatter: dict, ui) -> list[dict]:
    """The pickers of one output: `variants` (tools, platforms) found in its HTML, its page's
    frontmatter (defaultTool, defaultPlatform) and the interface strings of its language."""
    if variants is None:
        return []
    pickers = []
    names = ui.strings.get("tool_picker", {}).get("names") or {}
    for kind, found in (("tool", variants.tools), ("platform", variants.platforms)):
        if not found:
            continue
        if kind == "tool":
            default = default_tool(frontmatter.get("defaultTool"), found)
        else:
            default = default_platform(frontmatter.get("defaultPlatform"), found)
        labels = KINDS[kind]
        pickers.append({
            "kind": kind,
            "label": ui(f"tool_picker.{kind}"),
            "default": default,
            "options": [{"id": name, "label": str(names.get(name) or labels[name])} for name in found],
        })
    return pickers


def unused_defaults(page, renders: list) -> list[Diagnostic]:
    """Warnings for a `defaultTool` or `defaultPlatform` that none of the page's versions shows
    (`renders`: the variants of each of its Markdown renders)."""
    problems = []
    for key, kind in (("defaultTool", "tool"), ("defaultPlatform", "platform")):
        declared = page.fm.get(key)
        if not isinstance(declared, str) or declared not in KINDS[kind]:
            continue  # absent, or already an error (DB250)
        used = {name for v in renders if v is not None for name in (v.tools if kind == "tool" else v.platforms)}
        if declared in used:
            continue
        has = f"its {kind}s are {', '.join(n for n in KINDS[kind] if n in used)}" if used else f"it has no {kind} blocks"
        problems.append(page.split.error(
            codes.TOOL_DEFAULT_UNUSED,
            f"{key} is {declared!r}, but no version of this page has a {{% {declared} %}} block ({has})",
            (key,), value=True, severity=Severity.WARNING))
    return problems


def pickers_css() -> str:
    """Rules that hide, on screen, every variant but the chosen one (generated from the tables
    of `core.tools`, so a new tool needs no CSS of its own)."""
    selectors = []
    for kind, names in KINDS.items():
        for name in names:
            chosen = f'html[data-{kind}]:not([data-{kind}="{name}"])'
            selectors.append(f"{chosen} .ghd-tool.{name}, {chosen} .{kind}-{name}")
    return ("/* Tool and platform variants not chosen (builder/layout/pickers.py) */\n@media screen {\n"
            + ",\n".join(selectors) + " { display: none; }\n}\n")


__all__ = ["picker_context", "pickers_css", "unused_defaults"]

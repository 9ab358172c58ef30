"""The tool and platform pickers at the top of an article, and the CSS that shows one variant.

Every variant stays in the HTML (search, print, readers without JavaScript). `pickers.js`
chooses one (the URL's `?tool=`/`?platform=`, the reader's last choice, the page's default,
for platforms the reader's system, else the first) and sets `data-tool` / `data-platform` on
`<html>`; the rules below hide the other variants then, on screen only.
"""

from __future__ import annotations

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


__all__ = ["picker_context", "pickers_css"]

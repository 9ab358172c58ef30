"""The tools and platforms a page may show one at a time (GitHub Docs' all-tools.ts and
all-platforms.ts): their tag names, in the pickers' order, with their display names.

Pure data, used by the Liquid tags (`{% webui %}`), the frontmatter schema (`defaultTool`,
`defaultPlatform`) and the layout (the pickers). A site's `data/ui.yml` may translate a display
name under `tools.<name>` (`tools.webui: Navigateur web`).
"""

from __future__ import annotations

import re

TOOLS: dict[str, str] = {
    "agents": "Agents",
    "api": "API",
    "azure_data_studio": "Azure Data Studio",
    "bash": "Bash",
    "cli": "GitHub CLI",
    "codespaces": "Codespaces",
    "curl": "curl",
    "desktop": "Desktop",
    "eclipse": "Eclipse",
    "importer_cli": "GitHub Enterprise Importer CLI",
    "javascript": "JavaScript",
    "jetbrains": "JetBrains IDEs",
    "jetbrains_beta": "JetBrains IDEs (Beta)",
    "mobile": "Mobile",
    "skillsets": "Skillsets",
    "vimneovim": "Vim/Neovim",
    "powershell": "PowerShell",
    "visualstudio": "Visual Studio",
    "vscode": "Visual Studio Code",
    "webui": "Web browser",
    "windowsterminal": "Windows Terminal",
    "xcode": "Xcode",
}
"""Tool tag -> display name, in GitHub Docs' order (the picker lists a page's tools in it)."""

PLATFORMS: dict[str, str] = {"mac": "Mac", "windows": "Windows", "linux": "Linux"}
"""Platform tag -> display name, in the platform picker's order."""

KINDS: dict[str, dict[str, str]] = {"tool": TOOLS, "platform": PLATFORMS}

ALERT_KINDS: dict[str, str] = {"note": "note", "tip": "tip", "warning": "warning", "danger": "caution"}
"""The legacy alert blocks (`{% note %}`…) and the kind of alert each is rendered as."""

BLOCK_TAGS: tuple[str, ...] = (*TOOLS, *PLATFORMS, "rowheaders")
"""Every name written `{% name %}…{% endname %}` that wraps its content in `<div class="ghd-tool name">`."""

PREFERRED_TOOLS = ("webui", "cli")
"""Without a `defaultTool` on the page, the first of these the page uses is shown (as GitHub Docs does)."""

_BLOCK = re.compile(r'class="ghd-tool ([a-z_]+)')
_CLASS = re.compile(r'class="([^"<>]*-[^"<>]*)"')
_INLINE = re.compile(r'(?<![\w-])(tool|platform)-([a-z_]+)(?![\w-])')


def detect(html: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The tools and the platforms whose variants `html` contains (`<div class="ghd-tool cli">`,
    or an element with the class `tool-cli` / `platform-mac`), each in the pickers' order."""
    if "ghd-tool" not in html and "tool-" not in html and "platform-" not in html:
        return (), ()
    found = set(_BLOCK.findall(html))
    if "tool-" in html or "platform-" in html:
        for classes in _CLASS.findall(html):
            for kind, name in _INLINE.findall(classes):
                if name in KINDS[kind]:
                    found.add(name)
    return tuple(t for t in TOOLS if t in found), tuple(p for p in PLATFORMS if p in found)


def default_tool(declared: object, tools: tuple[str, ...]) -> str:
    """The tool shown first on a page that uses `tools`: the frontmatter's `defaultTool` if the
    page uses it, else webui, else cli, else the first."""
    if isinstance(declared, str) and declared in tools:
        return declared
    return next((t for t in PREFERRED_TOOLS if t in tools), tools[0] if tools else "")


def default_platform(declared: object, platforms: tuple[str, ...]) -> str:
    """The frontmatter's `defaultPlatform` if the page uses it, else "" (the reader's system
    decides in the browser, else the first platform)."""
    return declared if isinstance(declared, str) and declared in platforms else ""

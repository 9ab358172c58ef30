"""Fenced code: the info string (`yaml{:copy}`, `yaml copy`) and Pygments highlighting."""

from __future__ import annotations

import re
from functools import lru_cache

from html import escape

from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

_META = re.compile(r"\{:?([^}]*)\}")
ALIASES = {"shell": "console", "sh": "bash", "jsonc": "json", "text": "text", "plaintext": "text"}
DISPLAY = {
    "yaml": "YAML", "yml": "YAML", "json": "JSON", "shell": "Shell", "bash": "Bash", "sh": "Shell",
    "console": "Shell", "javascript": "JavaScript", "js": "JavaScript", "typescript": "TypeScript",
    "python": "Python", "ruby": "Ruby", "xml": "XML", "html": "HTML", "dockerfile": "Dockerfile",
    "powershell": "PowerShell", "shell-session": "Shell", "toml": "TOML", "ini": "INI", "text": "Text",
    "groovy": "Groovy", "kotlin": "Kotlin", "java": "Java", "csharp": "C#", "go": "Go", "graphql": "GraphQL",
}


def parse_info(info: str) -> tuple[str, set[str]]:
    """`yaml{:copy}` or `yaml copy annotate` -> ('yaml', {'copy', 'annotate'})."""
    info = info.strip()
    flags: set[str] = set()
    for m in _META.finditer(info):
        flags.update(w.strip(":") for w in m.group(1).replace(",", " ").split() if w)
    info = _META.sub(" ", info)
    words = info.split()
    lang = words[0] if words else ""
    for word in words[1:]:
        key = re.split(r"[:=]", word, maxsplit=1)[0]
        flags.add(key)
    return lang, flags


@lru_cache(maxsize=256)
def _lexer(name: str):
    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return None


@lru_cache(maxsize=512)
def _css_class(ttype) -> str:
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
    return STANDARD_TYPES[ttype]


@lru_cache(maxsize=4096)
def highlight_code(code: str, lang: str) -> str | None:
    """Highlighted HTML for `code` (without the <pre> wrapper), or None when `lang` is unknown.

    Tokens become `<span class="...">` with Pygments' short class names, as HtmlFormatter(nowrap)
    writes them, without its line-by-line machinery (which cost more than the lexing)."""
    if not lang:
        return None
    name = ALIASES.get(lang.lower(), lang.lower())
    if name == "console" and not any(line.startswith("$ ") for line in code.splitlines()):
        name = "bash"
    lexer = _lexer(name)
    if lexer is None:
        return None
    out: list[str] = []
    pending_class = None
    pending: list[str] = []
    for ttype, value in lexer.get_tokens(code):
        cls = _css_class(ttype)
        if cls != pending_class and pending:
            text = "".join(pending)
            out.append(f'<span class="{pending_class}">{text}</span>' if pending_class else text)
            pending = []
        pending_class = cls
        pending.append(escape(value, quote=False))
    if pending:
        text = "".join(pending)
        out.append(f'<span class="{pending_class}">{text}</span>' if pending_class else text)
    return "".join(out)


def display_name(lang: str) -> str:
    return DISPLAY.get(lang.lower(), lang[:1].upper() + lang[1:] if lang else "Code")


def pygments_css(light: str = "default", dark: str = "github-dark") -> str:
    """Token colours for the light theme and, under [data-theme=dark], the dark theme."""
    light_css = _tokens_only(HtmlFormatter(style=light).get_style_defs(".markdown-body pre code"))
    dark = HtmlFormatter(style=dark)
    forced = dark.get_style_defs(':root[data-color-mode="dark"] .markdown-body pre code')
    auto = dark.get_style_defs(':root[data-color-mode="auto"] .markdown-body pre code')
    return (
        light_css + "\n" + _tokens_only(forced)
        + "\n@media (prefers-color-scheme: dark) {\n" + _tokens_only(auto) + "\n}"
    )


def _tokens_only(css: str) -> str:
    """Pygments rules for tokens only (its block background would fight our theme)."""
    return "\n".join(line for line in css.splitlines() if "code ." in line or "code span" in line)

"""`data/site.yml`: site-wide settings (optional). Today one: `base_url`, the site's absolute
URL, used for the absolute URLs `sitemap.xml` needs (and `llms.txt`); `--base-url` overrides it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.errors import ConfigError, ContentError
from ..core.location import LineIndex, Location
from ..core.paths import describe_char, is_control, is_space
from .files import read_source
from .frontmatter import describe_yaml_error

SETTINGS = "data/site.yml"
KEYS = ("base_url",)
EXAMPLE = "https://docs.example.com"


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a site's base URL, or None: an absolute http(s) URL with a host,
    without query, fragment, spaces, control characters, quotes or angle brackets."""
    for ch in url:
        if is_control(ch) or is_space(ch) or ch in "\"'<>\\`":
            return f"it contains {describe_char(ch)}"
    try:
        parts = urlsplit(url)
    except ValueError as err:
        return f"it is not a URL ({err})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"it must be an absolute http:// or https:// URL, such as {EXAMPLE}"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return "it must not have a query (?) or a fragment (#)"
    return None


def load_base_url(root: Path) -> str:
    """`base_url` from `data/site.yml`, '' when the file or the setting is absent. Raises
    `ConfigError` (DB821, exit status 2) for a file that is not a mapping of known settings or
    a base URL that is not absolute."""
    if not (root / SETTINGS).is_file():
        return ""
    try:
        text = read_source(root, SETTINGS)
    except ContentError as err:
        raise ConfigError(err.diagnostics) from None
    lines = LineIndex(text)

    def fail(message: str, mark=None, length: int = 1) -> ConfigError:
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return ConfigError(Diagnostic(codes.SITE_SETTINGS, f"{SETTINGS}: {message}",
                                      Location(SETTINGS, line, col, lines.line_text(line), max(1, length))))

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        line, col, message = describe_yaml_error(err, text)
        raise ConfigError(Diagnostic(codes.SITE_SETTINGS, f"{SETTINGS} is not valid YAML: {message}",
                                     Location(SETTINGS, line, col, lines.line_text(line), 1))) from None
    if node is None:
        return ""
    if not isinstance(node, yaml.MappingNode):
        raise fail(f"expected a mapping of settings ({', '.join(KEYS)})", node.start_mark)
    base = ""
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else ""
        if name not in KEYS:
            raise fail(f"unknown setting {str(name)[:60]!r}; known: {', '.join(KEYS)}", key.start_mark,
                       len(str(name)))
        if not isinstance(value, yaml.ScalarNode) or value.tag != "tag:yaml.org,2002:str":
            raise fail(f"base_url must be a URL such as {EXAMPLE}", value.start_mark)
        problem = base_url_problem(value.value)
        if problem is not None:
            raise fail(f"base_url {value.value[:80]!r} cannot be the site's URL: {problem}", value.start_mark,
                       len(value.value) if value.start_mark.line == value.end_mark.line else 1)
        base = value.value
    return base


def check_base_url_option(url: str | None) -> None:
    """`--base-url` checked like `base_url`: raises `ConfigError` (DB821, exit status 2)."""
    problem = base_url_problem(url) if url else None
    if problem is not None:
        raise ConfigError(Diagnostic(codes.SITE_SETTINGS, f"--base-url {url[:80]!r} cannot be the site's URL: {problem}"))

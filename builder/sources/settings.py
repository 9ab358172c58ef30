"""`data/site.yml`: site-wide settings (optional), read once here.

- `base_url`: the site's absolute URL, used for the absolute URLs `sitemap.xml` needs (and
  `llms.txt`); `--base-url` overrides it. Errors: DB821.
- `host`: the host profile (`cloudflare`, or a mapping `{name: cloudflare, limits: {...},
  redirects: map}`); `build --host NAME` wins over it. This module only hands it on as plain
  data (`Settings.host`); builder/output/hosts.py checks it (errors: DB690)."""

from __future__ import annotations

from dataclasses import dataclass
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
KEYS = ("base_url", "host")
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


@dataclass(frozen=True)
class Settings:
    base_url: str = ""
    """'' when not set."""
    host: tuple = ()
    """The `host:` setting as plain data for builder/output/hosts.py, () when absent: entries
    (key, value, key location, value location), the first keyed "host" (the whole setting), then,
    when it is a mapping, one per key of it ("name", "redirects", "limits", "limits.files", ...,
    and any other key as written). Values are plain Python (str, int, list, dict, None)."""


def load_settings(root: Path) -> Settings:
    """`data/site.yml`, read once; `Settings()` when the file is absent. Raises `ConfigError`
    (DB821, exit status 2) for a file that is not a mapping of known settings or a base URL that
    is not absolute. The host part is checked by builder/output/hosts.py."""
    if not (root / SETTINGS).is_file():
        return Settings()
    try:
        text = read_source(root, SETTINGS)
    except ContentError as err:
        raise ConfigError(err.diagnostics) from None
    lines = LineIndex(text)

    def where(node) -> Location:
        mark, end = node.start_mark, node.end_mark
        line = mark.line + 1
        length = end.column - mark.column if end.line == mark.line else 1
        return Location(SETTINGS, line, mark.column + 1, lines.line_text(line), max(1, length))

    def fail(message: str, mark=None, length: int = 1) -> ConfigError:
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return ConfigError(Diagnostic(codes.SITE_SETTINGS, f"{SETTINGS}: {message}",
                                      Location(SETTINGS, line, col, lines.line_text(line), max(1, length))))

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as err:
        line, col, message = describe_yaml_error(err, text)
        raise ConfigError(Diagnostic(codes.SITE_SETTINGS, f"{SETTINGS} is not valid YAML: {message}",
                                     Location(SETTINGS, line, col, lines.line_text(line), 1))) from None
    finally:
        loader.dispose()
    if node is None:
        return Settings()
    if not isinstance(node, yaml.MappingNode):
        raise fail(f"expected a mapping of settings ({', '.join(KEYS)})", node.start_mark)

    def plain(value):
        if isinstance(value, yaml.MappingNode):  # keys as text, whatever they are
            return {str(plain(k)): plain(v) for k, v in value.value}
        try:
            return loader.construct_object(value, deep=True)
        except (yaml.YAMLError, TypeError):  # an odd tag: shown as written
            return getattr(value, "value", None) if isinstance(value, yaml.ScalarNode) else None

    base = ""
    host: list = []
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else ""
        if name not in KEYS:
            raise fail(f"unknown setting {str(name)[:60]!r}; known: {', '.join(KEYS)}", key.start_mark,
                       len(str(name)))
        if name == "host":
            host.append(("host", plain(value), where(key), where(value)))
            if isinstance(value, yaml.MappingNode):
                for sub_key, sub_value in value.value:
                    sub = str(plain(sub_key))
                    host.append((sub, plain(sub_value), where(sub_key), where(sub_value)))
                    if sub == "limits" and isinstance(sub_value, yaml.MappingNode):
                        host.extend((f"limits.{plain(k)}", plain(v), where(k), where(v)) for k, v in sub_value.value)
            continue
        if not isinstance(value, yaml.ScalarNode) or value.tag != "tag:yaml.org,2002:str":
            raise fail(f"base_url must be a URL such as {EXAMPLE}", value.start_mark)
        problem = base_url_problem(value.value)
        if problem is not None:
            raise fail(f"base_url {value.value[:80]!r} cannot be the site's URL: {problem}", value.start_mark,
                       len(value.value) if value.start_mark.line == value.end_mark.line else 1)
        base = value.value
    return Settings(base, tuple(host))


def check_base_url_option(url: str | None) -> None:
    """`--base-url` checked like `base_url`: raises `ConfigError` (DB821, exit status 2)."""
    problem = base_url_problem(url) if url else None
    if problem is not None:
        raise ConfigError(Diagnostic(codes.SITE_SETTINGS, f"--base-url {url[:80]!r} cannot be the site's URL: {problem}"))

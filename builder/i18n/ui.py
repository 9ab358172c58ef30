"""Interface strings: package defaults, the site's `data/ui.yml`, then the translation's."""

from __future__ import annotations

from importlib import resources

import yaml

from ..sources.config import Language
from ..sources.data import DataStore
from ..sources.frontmatter import Loader


def _merge(base: dict, over: object) -> dict:
    if not isinstance(over, dict):
        return base
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif value is not None:
            out[key] = value
    return out


def _package_strings(code: str) -> dict:
    name = "ui.yml" if code == "en" else f"ui.{code}.yml"
    try:
        text = resources.files("builder.i18n").joinpath(name).read_text("utf-8")
    except (FileNotFoundError, OSError):
        return {}
    return yaml.load(text, Loader=Loader) or {}


def load_ui(data: DataStore, lang: Language) -> dict:
    """All interface strings for `lang`, English filling every gap."""
    strings = _package_strings("en")
    if not lang.is_default:
        strings = _merge(strings, _package_strings(lang.code))
    english = data.load_yaml("data/ui.yml", required=True)
    strings = _merge(strings, english)
    if not lang.is_default:
        strings = _merge(strings, data.load_yaml(f"{lang.dir}/data/ui.yml", required=False))
    return strings


class UI:
    """Dotted lookups into the merged strings: `ui("pages.miniToc")`."""

    def __init__(self, strings: dict):
        self.strings = strings

    def __call__(self, key: str, **values: object) -> str:
        node: object = self.strings
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return key
            node = node[part]
        text = str(node)
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def plural(self, key: str, n: int, lang, **values: object) -> str:
        """A string with CLDR plural forms (`one`, `few`, `many`, `other`...) chosen by Babel."""
        from .languages import plural_category

        node: object = self.strings
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return self(key, n=n, **values)
        form = node.get(plural_category(n, lang)) or node.get("other") or next(iter(node.values()))
        text = str(form).replace("{n}", str(n))
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def alert_titles(self) -> dict[str, str]:
        alerts = self.strings.get("alerts") or {}
        return {str(k).lower(): str(v) for k, v in alerts.items() if isinstance(v, str)}

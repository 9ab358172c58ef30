"""The `data/` tree: features, variables and reusables, per language with English fallback."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Callable

import yaml

from ..core import codes
from ..core.describe import describe
from ..core.diagnostics import Diagnostic, Severity
from ..core.errors import ContentError
from ..core.location import Location, LineIndex
from ..versions.applicable import evaluate_versions
from .config import Language, SiteConfig
from .files import check_names, is_outside, outside_diagnostic, outside_link, read_source, source_exists
from .frontmatter import DuplicateKey, FrontmatterLoader, describe_yaml_error, split_frontmatter

SEGMENT = re.compile(r"^[A-Za-z0-9_\-\[\]]+$")


def versions_diagnostics(problems, locate: Callable[..., Location]) -> list[Diagnostic]:
    """Diagnostics for `evaluate_versions` problems of a `versions:` block, each where
    `locate(keys, value=...)` finds its key (or its value, for a bad range or type)."""
    return [Diagnostic(p.code, p.message, locate(("versions",) + p.key,
                                                 value=p.code in (codes.VERSIONS_BAD_RANGE, codes.FM_WRONG_TYPE)))
            for p in problems]


class DataPathError(ValueError):
    """A `data` path that is malformed or would leave `data/`."""


def split_data_path(path: str) -> list[str]:
    """`reusables.a.version-3.4` -> ['reusables', 'a', 'version-3.4'] (GitHub's smart split)."""
    if ".." in path or "/" in path or "\\" in path:
        raise DataPathError(
            f"'{path}' would leave data/: a data path is dotted names only, such as "
            "variables.product.name (no '/', '\\' or '..')"
        )
    if not path:
        raise DataPathError("empty data path; expected something like variables.product.name")
    raw = path.split(".")
    parts: list[str] = []
    for seg in raw:
        if parts and parts[-1] and seg and parts[-1][-1].isdigit() and seg[0].isdigit():
            parts[-1] += "." + seg
        else:
            parts.append(seg)
    for seg in parts:
        if seg in ("", ".", "..") or not SEGMENT.match(seg.replace(".", "")):
            raise DataPathError(
                f"{path!r} is not a dotted data path: segment {seg!r} is not allowed "
                "(letters, digits, '-' and '_' only; a path never leaves data/)"
            )
    return parts


@dataclass(frozen=True)
class DataValue:
    value: object
    file: str
    """The file the value came from, relative to the root."""


class DataStore:
    """Lazy, cached access to `data/` for every language."""

    def __init__(self, config: SiteConfig, *, repair: Callable | None = None):
        self.config = config
        self.root = config.root
        self.repair = repair
        """`repair(translated_text, english_text, rel, lang) -> text` for translated data."""
        self.problems: list[Diagnostic] = []
        self._lock = threading.RLock()
        self._yaml: dict[str, dict | None] = {}
        self._text: dict[str, str | None] = {}
        self.unreadable: set[str] = set()
        # Lookups by (language code, parts): {% data %} asks the same ones on every page, and
        # the files do not change during a build (the dev server makes a new store per reload).
        self._variables: dict[tuple, DataValue | None] = {}
        self._probes: dict[tuple, tuple[str, ...]] = {}
        self.problems.extend(check_names(self.root, "data"))
        for lang in config.languages:
            if lang.dir:
                self.problems.extend(check_names(self.root, lang.dir, Severity.WARNING))
        self.features, self.feature_files = self._load_features()

    # Features ----------------------------------------------------------------

    def _load_features(self) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
        folder = self.root / "data" / "features"
        features: dict[str, frozenset[str]] = {}
        files: dict[str, str] = {}
        if not folder.is_dir():
            return features, files
        if is_outside(self.root, str(folder)):  # never list a folder outside the root
            self.problems.append(outside_diagnostic(outside_link(self.root, "data/features") or "data/features"))
            return features, files
        for path in sorted(folder.glob("*.yml")):
            rel = path.relative_to(self.root).as_posix()
            data = self.load_yaml(rel, required=True)
            name = path.stem
            files[name] = rel
            if data is None:
                features[name] = frozenset()
                continue
            if not isinstance(data, dict) or "versions" not in data:
                self.problems.append(Diagnostic(
                    codes.DATA_YAML,
                    "a feature file holds a 'versions:' block, such as versions: {ghes: '>= 3.5'}",
                    Location(rel, 1, 1, self._line(rel, 1))))
                features[name] = frozenset()
                continue
            for key in data:
                if key != "versions":
                    self.problems.append(Diagnostic(
                        codes.FEATURE_UNKNOWN_KEY,
                        f"unknown key {describe(key) if not isinstance(key, str) else repr(key)} in a feature file; "
                        "it holds only a 'versions:' block, such as versions: {ghes: '>= 3.5'}",
                        self._key_location(rel, (key,))))
            ids, problems = evaluate_versions(data["versions"], self.config.space, None, allow_feature=False)
            self.problems.extend(versions_diagnostics(
                problems, lambda keys, value=False: self._key_location(rel, keys, value=value)))
            features[name] = ids
        return features, files

    # Files -------------------------------------------------------------------

    def _line(self, rel: str, line: int) -> str:
        text = self._text.get(rel)
        return LineIndex(text).line_text(line) if text else ""

    def _key_location(self, rel: str, keys: tuple, *, value: bool = False) -> Location:
        from .frontmatter import find_in_yaml

        text = self._text.get(rel) or ""
        line, col, length = find_in_yaml(text, keys, value=value)
        return Location(rel, line, col, LineIndex(text).line_text(line), length)

    def read_text(self, rel: str) -> str | None:
        """Text of a file under the root (cached), or None if there is none."""
        with self._lock:
            if rel in self._text:
                return self._text[rel]
            text = None
            if source_exists(self.root, rel):
                try:
                    text = read_source(self.root, rel)
                except ContentError as err:
                    self.problems.extend(self._as_fallback(rel, err.diagnostics))
                    self.unreadable.add(rel)
            self._text[rel] = text
            return text

    def _as_fallback(self, rel: str, diags: list[Diagnostic]) -> list[Diagnostic]:
        """A translated file that cannot be used never fails the build: English is used."""
        if not any(lang.dir and rel.startswith(lang.dir + "/") for lang in self.config.languages):
            return diags
        return [Diagnostic(codes.TRANSLATION_FALLBACK, f"translation unusable, English is used instead: {d.message}",
                           d.location, Severity.WARNING) for d in diags]

    def load_yaml(self, rel: str, *, required: bool) -> dict | None:
        with self._lock:
            if rel in self._yaml:
                return self._yaml[rel]
            text = self.read_text(rel)
            data = None
            if text is not None:
                try:
                    data = yaml.load(text, Loader=FrontmatterLoader) or {}
                except yaml.YAMLError as err:
                    line, col, message = describe_yaml_error(err, text)
                    length = err.length if isinstance(err, DuplicateKey) else 1
                    self.problems.append(
                        Diagnostic(
                            codes.DATA_YAML,
                            f"not valid YAML: {message}"
                            + ("" if required else "; the English file is used instead"),
                            Location(rel, line, col, LineIndex(text).line_text(line), length),
                            severity=Severity.ERROR if required else Severity.WARNING,
                        )
                    )
                    data = None
            self._yaml[rel] = data
            return data

    # Lookups -----------------------------------------------------------------

    def _lang_rel(self, lang: Language, rel: str) -> str:
        return f"{lang.dir}/{rel}" if lang.dir else rel

    def variable(self, lang: Language, parts: list[str]) -> DataValue | None:
        """`variables.a.b.key` -> key `key` of `data/variables/a/b.yml` (nested keys allowed)."""
        key = (lang.code, tuple(parts))
        if key not in self._variables:
            self._variables[key] = self._variable(lang, parts)
        return self._variables[key]

    def _variable(self, lang: Language, parts: list[str]) -> DataValue | None:
        for split in range(len(parts) - 1, 1, -1):
            rel = "data/" + "/".join(parts[:split]) + ".yml"
            english = self.load_yaml(rel, required=True)
            if english is None and rel in self.unreadable:
                return DataValue("", rel)  # its own error is reported; no second one
            if english is None and self.read_text(rel) is None:
                continue
            keys = parts[split:]
            if not lang.is_default:
                translated = self.load_yaml(self._lang_rel(lang, rel), required=False)
                if translated is not None:
                    found = _dig(translated, keys)
                    if found is not None:
                        value = found
                        if self.repair is not None and isinstance(value, str):
                            en_value = _dig(english, keys) if english else None
                            value = self.repair(value, en_value if isinstance(en_value, str) else None,
                                                self._lang_rel(lang, rel), lang)
                        return DataValue(value, self._lang_rel(lang, rel))
            found = _dig(english, keys) if english is not None else None
            if found is None:
                return None
            return DataValue(found, rel)
        return None

    def probes(self, lang: Language, parts: list[str]) -> tuple[str, ...]:
        """Every file a lookup of `parts` in `lang` looks at, present or not (dependencies)."""
        key = (lang.code, tuple(parts))
        found = self._probes.get(key)
        if found is None:
            found = self._probes[key] = tuple(self._find_probes(lang, parts))
        return found

    def _find_probes(self, lang: Language, parts: list[str]) -> list[str]:
        if parts[0] == "reusables":
            rel = "data/" + "/".join(parts) + ".md"
            return [rel] if lang.is_default else [self._lang_rel(lang, rel), rel]
        out = []
        for split in range(len(parts) - 1, 1, -1):
            rel = "data/" + "/".join(parts[:split]) + ".yml"
            out.append(rel)
            if not lang.is_default:
                out.append(self._lang_rel(lang, rel))
        return out

    def reusable_file(self, lang: Language, parts: list[str]) -> str | None:
        """The file that provides `reusables.a.b` in `lang` (a translation or English).

        A file that exists but cannot be read still counts (its own problem is reported)."""
        rel = "data/" + "/".join(parts) + ".md"
        if not lang.is_default:
            translated = self._lang_rel(lang, rel)
            if self.read_text(translated) is not None:
                return translated
        if self.read_text(rel) is not None or rel in self.unreadable:
            return rel
        return None

    def reusable_source(self, rel: str, lang: Language | None = None) -> str:
        """A reusable's text with any frontmatter blanked out (line numbers kept).

        A translated reusable has its broken Liquid repaired against the English one.
        """
        text = self._strip_frontmatter(rel, self.read_text(rel) or "")
        if lang is not None and lang.dir and rel.startswith(lang.dir + "/") and self.repair is not None:
            english_rel = rel[len(lang.dir) + 1 :]
            english = self._strip_frontmatter(english_rel, self.read_text(english_rel) or "")
            text = self.repair(text, english or None, rel, lang)
        return text

    @staticmethod
    def _strip_frontmatter(rel: str, text: str) -> str:
        if text.startswith("---"):
            try:
                return split_frontmatter(text, rel, required=False).padded_body
            except ContentError:
                pass
        return text


def _dig(data: object, keys: list[str]) -> object:
    for key in keys:
        if isinstance(data, dict) and key in data:
            data = data[key]
        else:
            return None
    return data

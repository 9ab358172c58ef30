"""Site configuration: `data/versions.yml` and `data/languages.yml`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.errors import ConfigError, ContentError
from ..core.location import Location, LineIndex
from ..core.paths import PathIssue, check_site_path_decoded, explain
from ..core.spans import narrow
from ..versions.model import VersionError, VersionSpace
from .files import read_source
from .frontmatter import DuplicateKey, FrontmatterLoader, Loader, describe_yaml_error

LANG_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
"""A language code, matched whole (`fullmatch`: `$` would let a trailing line break through)."""
RELEASE = re.compile(r"[0-9]+(\.[0-9]+){1,2}")
"""A release number as it appears in URLs: ASCII digits and dots only, matched whole."""


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    dir: str | None
    """Folder of the translation relative to the root; None for the default language."""
    index: int
    native: str | None = None
    """The language's own name for the picker (`native_name:`); Babel's when absent."""

    @property
    def is_default(self) -> bool:
        return self.dir is None


@dataclass(frozen=True)
class SiteConfig:
    root: Path
    space: VersionSpace
    languages: tuple[Language, ...]
    base_url: str = ""
    """`base_url` of data/site.yml (builder/sources/settings.py): '' when not set."""
    host: tuple = ()
    """`host` of data/site.yml as plain data (`Settings.host`), for builder/output/hosts.py."""

    @property
    def default_language(self) -> Language:
        return self.languages[0]

    def language(self, code: str) -> Language | None:
        for lang in self.languages:
            if lang.code == code:
                return lang
        return None


def load_config(root: Path) -> SiteConfig:
    """Read and check the configuration files; raises `ConfigError` (exit status 2)."""
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(
            Diagnostic(codes.CONFIG_SELECTION, f"--root {root} is not a folder")
        )
    space = _load_versions(root)
    languages = _load_languages(root)
    from .settings import load_settings

    settings = load_settings(root)
    return SiteConfig(root.resolve(), space, languages, settings.base_url, settings.host)


def _read_yaml(root: Path, rel: str, code) -> tuple[object, str]:
    path = root / rel
    if not path.is_file():
        raise ConfigError(
            Diagnostic(code, f"{rel} is missing; see README.md for its format", Location(rel, 1, 1))
        )
    try:
        text = read_source(root, rel)
    except ContentError as err:
        raise ConfigError(err.diagnostics) from None
    try:
        return yaml.load(text, Loader=FrontmatterLoader), text
    except yaml.YAMLError as err:
        line, col, message = describe_yaml_error(err, text)
        raise ConfigError(
            Diagnostic(code, f"{rel} is not valid YAML: {message}", Location(
                rel, line, col, LineIndex(text).line_text(line), err.length if isinstance(err, DuplicateKey) else 1))
        ) from None


def _load_versions(root: Path) -> VersionSpace:
    rel = "data/versions.yml"
    data, text = _read_yaml(root, rel, codes.CONFIG_VERSIONS)
    _check_unquoted_releases(rel, text)
    _check_url_names(rel, text)
    try:
        return VersionSpace.from_data(data)
    except VersionError as err:
        raise ConfigError(
            Diagnostic(codes.CONFIG_VERSIONS, f"{rel}: {err}", _first_mention(rel, text, str(err)))
        ) from None


def _mapping_node(text: str) -> yaml.MappingNode | None:
    """The YAML node tree of a configuration file when it is a mapping (to locate values)."""
    try:
        root = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError:
        return None
    return root if isinstance(root, yaml.MappingNode) else None


def _check_unquoted_releases(rel: str, text: str) -> None:
    """`releases: [3.10]` is the float 3.1 to YAML: say so with the number as written."""
    root = _mapping_node(text)
    if root is None:
        return
    plans = next((v for k, v in root.value if k.value == "plans"), None)
    if not isinstance(plans, yaml.SequenceNode):
        return
    for i, plan in enumerate(plans.value):
        if not isinstance(plan, yaml.MappingNode):
            continue
        for key, value in plan.value:
            if key.value not in ("releases", "deprecated") or not isinstance(value, yaml.SequenceNode):
                continue
            for item in value.value:
                if isinstance(item, yaml.ScalarNode) and not item.style and item.tag.endswith(":float"):
                    written = item.value
                    mark = item.start_mark
                    line = mark.line + 1
                    raise ConfigError(Diagnostic(
                        codes.CONFIG_VERSIONS,
                        f"{rel}: plans[{i}].{key.value}: release {written} must be quoted (\"{written}\"), "
                        f"or YAML reads {written} as {float(written):g}",
                        Location(rel, line, mark.column + 1, LineIndex(text).line_text(line), len(written))))


def _node_location(rel: str, text: str, node, value: str = "", offset: int = 0, length: int = 0) -> Location:
    """Where a YAML node is, the caret on `value[offset:offset + length]` when given."""
    line = node.start_mark.line + 1
    loc = Location(rel, line, node.start_mark.column + 1, LineIndex(text).line_text(line), max(1, len(value)))
    return narrow(loc, value, offset, length) if value and length else loc


def _check_url_names(rel: str, text: str) -> None:
    """Plan names and release numbers become URL segments and lines of host files
    (`/enterprise-server@3.17/...`): each must be a plain name, checked by the path policy."""
    root = _mapping_node(text)
    if root is None:
        return
    for key, value in root.value:
        if key.value == "retired" and isinstance(value, yaml.SequenceNode):
            for j, item in enumerate(value.value):
                _check_url_name(rel, text, f"retired[{j}]", "name", item)
        if key.value != "plans" or not isinstance(value, yaml.SequenceNode):
            continue
        for i, plan in enumerate(value.value):
            if not isinstance(plan, yaml.MappingNode):
                continue
            for pkey, pvalue in plan.value:
                if pkey.value in ("short", "name"):
                    _check_url_name(rel, text, f"plans[{i}].{pkey.value}", "name", pvalue)
                elif pkey.value in ("releases", "deprecated") and isinstance(pvalue, yaml.SequenceNode):
                    for item in pvalue.value:
                        _check_url_name(rel, text, f"plans[{i}].{pkey.value}", "release", item)


def _check_url_name(rel: str, text: str, where: str, kind: str, node) -> None:
    if not isinstance(node, yaml.ScalarNode) or not node.tag.endswith(":str"):
        return  # numbers and other types: the version model reports them
    value = node.value
    issue = check_site_path_decoded(value)
    if issue is None and "/" in value:
        issue = PathIssue(value.index("/"), 1, "contains '/'")
    if issue is not None:
        example = 'a release number such as "3.17"' if kind == "release" else "a lower-case name such as 'ghes'"
        raise ConfigError(Diagnostic(
            codes.CONFIG_VERSIONS,
            f"{rel}: {where}: " + explain(kind, value, issue, ("" if where.startswith("retired") else "it becomes part of URLs; ")
                                         + f"write {example}", suggest=False),
            _node_location(rel, text, node, value, issue.offset, issue.length)))
    if kind == "release" and not RELEASE.fullmatch(value):
        raise ConfigError(Diagnostic(
            codes.CONFIG_VERSIONS,
            f"{rel}: {where}: expected release numbers such as \"3.17\" (ASCII digits and dots), found {value!r}",
            _node_location(rel, text, node, value, 0, len(value))))


def _first_mention(rel: str, text: str, message: str) -> Location:
    """Best-effort line for a config message: the first quoted word of it found in the file."""
    index = LineIndex(text)
    for word in re.findall(r"'([^']+)'|\"([^\"]+)\"", message):
        word = word[0] or word[1]
        pos = text.find(word)
        if pos != -1:
            line, col = index.line_col(pos)
            return Location(rel, line, col, index.line_text(line), len(word))
    return Location(rel, 1, 1, index.line_text(1))


def _load_languages(root: Path) -> tuple[Language, ...]:
    rel = "data/languages.yml"
    data, text = _read_yaml(root, rel, codes.CONFIG_LANGUAGES)
    index = LineIndex(text)

    composed = _mapping_node(text)
    entries = composed.value if composed is not None else []

    def refuse(i: int, what: str, value: str, issue, instead: str, field: str | None = None):
        """A code or folder the path policy refuses, the caret on the characters at fault."""
        node = entries[i][0] if i < len(entries) else None
        if node is not None and field is not None:
            spec = entries[i][1]
            node = next((v for k, v in spec.value if k.value == field), None) if isinstance(spec, yaml.MappingNode) else None
        loc = (_node_location(rel, text, node, value, issue.offset, issue.length) if node is not None
               else Location(rel, 1, 1, index.line_text(1)))
        raise ConfigError(Diagnostic(codes.CONFIG_LANGUAGES, f"{rel}: " + explain(what, value, issue, instead, suggest=False), loc))

    def fail(code, message, key=None):
        loc = Location(rel, 1, 1, index.line_text(1))
        if key is not None:
            m = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
            if m:
                line, col = index.line_col(m.start())
                loc = Location(rel, line, col, index.line_text(line), len(key))
        raise ConfigError(Diagnostic(code, f"{rel}: {message}", loc))

    if not isinstance(data, dict) or not data:
        fail(codes.CONFIG_LANGUAGES, "expected a mapping of language codes, such as  en: {name: English}")
    languages: list[Language] = []
    for i, (code, spec) in enumerate(data.items()):
        code = str(code)
        if not LANG_CODE.fullmatch(code):
            issue = check_site_path_decoded(code)
            if issue is not None:
                refuse(i, "language code", code, issue, "it becomes part of URLs; write a code such as 'fr' or 'pt-br'")
            fail(codes.CONFIG_LANGUAGES, f"{code!r} is not a language code such as 'fr' or 'pt-br'", code)
        if not isinstance(spec, dict):
            fail(codes.CONFIG_LANGUAGES, f"{code}: expected a mapping such as {{name: French, dir: translations/fr-FR}}", code)
        extra = sorted(set(spec) - {"name", "dir", "native_name"})
        if extra:
            fail(codes.CONFIG_LANGUAGES, f"{code}: unknown key {extra[0]!r}; expected name and dir", code)
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip():
            fail(codes.CONFIG_LANGUAGES, f"{code}: 'name' must be text", code)
        folder = spec.get("dir")
        if i == 0:
            if folder not in (None, "", "."):
                fail(codes.CONFIG_LANGUAGES, f"{code}: the first (default) language is read from the root; remove 'dir'", code)
            folder = None
        else:
            if not isinstance(folder, str) or not folder.strip():
                fail(codes.CONFIG_LANGUAGES, f"{code}: 'dir' must name the folder of its translation, such as translations/{code}", code)
            normalized = Path(folder)
            if normalized.is_absolute() or ".." in normalized.parts:
                fail(codes.CONFIG_LANGUAGES, f"{code}: dir {folder!r} must be a folder inside the root", code)
            issue = check_site_path_decoded(folder)
            if issue is not None:
                refuse(i, f"{code}: dir", folder, issue, f"write the folder of its translation, such as translations/{code}",
                       "dir")
            if not (root / folder).is_dir():
                fail(codes.CONFIG_LANGUAGE_DIR, f"{code}: dir {folder!r} does not exist", code)
            folder = normalized.as_posix()
        native = spec.get("native_name")
        if native is not None and (not isinstance(native, str) or not native.strip()):
            fail(codes.CONFIG_LANGUAGES, f"{code}: 'native_name' must be text", code)
        languages.append(Language(code, name, folder, i, native))
    return tuple(languages)

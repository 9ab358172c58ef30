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
from ..versions.model import VersionError, VersionSpace
from .files import read_source
from .frontmatter import Loader, describe_yaml_error

LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


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
    return SiteConfig(root.resolve(), space, languages)


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
        return yaml.load(text, Loader=Loader), text
    except yaml.YAMLError as err:
        line, col, message = describe_yaml_error(err, text)
        raise ConfigError(
            Diagnostic(code, f"{rel} is not valid YAML: {message}", Location(rel, line, col, LineIndex(text).line_text(line)))
        ) from None


def _load_versions(root: Path) -> VersionSpace:
    rel = "data/versions.yml"
    data, text = _read_yaml(root, rel, codes.CONFIG_VERSIONS)
    _check_unquoted_releases(rel, text)
    try:
        return VersionSpace.from_data(data)
    except VersionError as err:
        raise ConfigError(
            Diagnostic(codes.CONFIG_VERSIONS, f"{rel}: {err}", _first_mention(rel, text, str(err)))
        ) from None


def _check_unquoted_releases(rel: str, text: str) -> None:
    """`releases: [3.10]` is the float 3.1 to YAML: say so with the number as written."""
    try:
        root = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError:
        return
    if not isinstance(root, yaml.MappingNode):
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
        if not LANG_CODE.match(code):
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
            if not (root / folder).is_dir():
                fail(codes.CONFIG_LANGUAGE_DIR, f"{code}: dir {folder!r} does not exist", code)
            folder = normalized.as_posix()
        native = spec.get("native_name")
        if native is not None and (not isinstance(native, str) or not native.strip()):
            fail(codes.CONFIG_LANGUAGES, f"{code}: 'native_name' must be text", code)
        languages.append(Language(code, name, folder, i, native))
    return tuple(languages)

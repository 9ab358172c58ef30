"""The Liquid environment for one language: our tags, strict variables, collected errors."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Iterator

from liquid import Environment, StrictUndefined
from liquid.builtin.content import ContentNode, Literal
from liquid.exceptions import LiquidError, StopRender
from liquid.template import BoundTemplate
from liquid.token import Token

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.location import LineIndex, Location
from ..sources.config import Language, SiteConfig
from ..sources.data import DataStore, DataValue
from ..sources.frontmatter import find_in_yaml
from ..versions.conditions import Condition, compile_condition, normalize, original_span
from ..versions.expression import ExpressionError
from ..versions.model import Version
from . import limits
from .alert_tags import ALERT_TAGS
from .data_tag import DataTag, IndentedDataReferenceTag, data_missing
from .errors import CodedError, to_diagnostic
from .ifversion_tag import IfversionTag
from .octicon_tag import OcticonTag
from .builtin_tags import IllegalTag, closing_tags
from .parse_log import ParseLog, after_unclosed, defined_names
from .prompt_tag import PromptTag
from .rowheaders_tag import RowheadersTag
from .tool_tags import TOOL_TAGS
from .state import CURRENT, Frame, MappedBuffer


class MappedContentNode(ContentNode):
    """Template text that records where it came from in a `MappedBuffer`."""

    __slots__ = ()

    def render_to_output(self, _context, buffer) -> int:
        marks = getattr(buffer, "marks", None)
        if marks is not None:
            marks.append((buffer.tell(), self.token, buffer.path, 0))
        return buffer.write(self.text)


class MappedLiteral(Literal):
    node_class = MappedContentNode


@dataclass
class Parsed:
    """A parsed file or string and the problems found while parsing it."""

    template: BoundTemplate | None
    diagnostics: list[Diagnostic]
    path: str
    refs: tuple[tuple[tuple[str, ...], Token], ...] = ()
    """The data paths its `{% data %}` tags name (those that exist), with their tokens, in
    source order: what a file that does not parse may include (see `reach`)."""
    defines: frozenset[str] = frozenset()
    """For a file that does not parse: the names its tags assign, which a dropped tag may
    have failed to define (see `reach.cascades`)."""

    @property
    def ok(self) -> bool:
        return self.template is not None and not any(d.is_error for d in self.diagnostics)


def _version_num(value: object) -> str:
    return str(value).rsplit("@", 1)[-1]


def _slugify(value: object) -> str:
    from ..markdown_rules.slugs import github_slug

    return github_slug(str(value))


class DocsEnvironment(Environment):
    """One per language. Parse with `parse()`, render through `liquid_tags.render`."""

    suppress_blank_control_flow_blocks = False
    block_nesting_limit = 40
    context_depth_limit = 40
    loop_iteration_limit = limits.MAX_LOOP
    output_stream_limit = limits.MAX_CAPTURE
    local_namespace_limit = limits.MAX_LOCALS

    def __init__(self, config: SiteConfig, data: DataStore, language: Language):
        super().__init__(undefined=StrictUndefined, autoescape=False)
        self.config = config
        self.space = config.space
        self.data = data
        self.language = language
        self._local = threading.local()
        self._lock = threading.RLock()
        self._conditions: dict[str, Condition | ExpressionError] = {}
        self._parsed: dict[object, Parsed] = {}
        """Reusables by path, variable values by (path, text)."""
        for tag in (MappedLiteral, IllegalTag, IfversionTag, DataTag, IndentedDataReferenceTag, OcticonTag, *ALERT_TAGS,
                    *TOOL_TAGS, RowheadersTag, PromptTag):
            self.add_tag(tag)
        self.add_filter("version_num", _version_num)
        self.add_filter("obj_size", lambda value: len(value) if hasattr(value, "__len__") else 0)
        self.add_filter("slugify", _slugify)
        for tag in closing_tags(self.tags):
            self.add_tag(tag)
        for name, func in list(self.filters.items()):
            self.filters[name] = limits.bounded(name, func)
        self.static_globals = self._static_globals()

    # Parsing -----------------------------------------------------------------

    def parse(self, source: str, path: str) -> Parsed:
        """Parse `source` (from `path`), collecting every problem instead of stopping at one."""
        stack = self._parse_stack()
        log = ParseLog()
        stack.append(log)
        try:
            try:
                template = self.from_string(source, path=path)
            except LiquidError as err:
                log.errors.append(err)
                template = None
        finally:
            stack.pop()
        diagnostics = after_unclosed([to_diagnostic(err, path, source=source) for err in log.without_cascades()])
        failed = template is None or any(d.is_error for d in diagnostics)
        return Parsed(template, diagnostics, path, tuple(log.refs), defined_names(source) if failed else frozenset())

    def _parse_stack(self) -> list[ParseLog]:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def error(self, exc, msg=None, token: Token | None = None) -> None:
        if not isinstance(exc, LiquidError):
            exc = exc(msg, token=token)
        elif not exc.token:
            exc.token = token
        stack = self._parse_stack()
        if stack:
            stack[-1].errors.append(exc)
            return
        state = CURRENT.get()
        if state is not None:
            if state.stopped:  # the limit was reported where it was reached
                raise StopRender
            state.errors.append((exc, list(state.stack)))
            if limits.stops_render(exc):
                state.stopped = True
                raise StopRender
            return
        raise exc

    def warn(self, exc: CodedError) -> None:
        """A parse-time warning (such as a deprecated release in a condition)."""
        stack = self._parse_stack()
        if stack:
            stack[-1].errors.append(exc)

    def condition(self, text: str) -> Condition:
        """A compiled `ifversion` condition, cached by its whitespace-normalized text; raises
        `ExpressionError`. Offsets of errors are in `text`; those of warnings in the normalized text."""
        key = normalize(text)
        found = self._conditions.get(key)
        if found is None:
            try:
                found = compile_condition(key, self.space, self.data.features)
            except ExpressionError as err:
                found = err
            self._conditions[key] = found
        if isinstance(found, ExpressionError):
            raise ExpressionError(found.code, found.message, *original_span(text, found.offset, found.length))
        return found

    def check_data_exists(self, parts: list[str], token: Token) -> None:
        """Parse-time check that English data has `parts` (translations fall back to it)."""
        english = self.config.default_language
        if parts[0] == "reusables":
            ok = self.data.reusable_file(english, parts) is not None
        else:
            ok = self.data.variable(english, parts) is not None
        if not ok:
            raise data_missing(parts, token)
        stack = self._parse_stack()
        if stack:
            stack[-1].refs.append((tuple(parts), token))

    def reusable_parsed(self, rel: str) -> Parsed:
        """The reusable `rel` parsed (once per environment)."""
        return self._parse_cached(rel, rel, lambda: self.data.reusable_source(rel, self.language))

    def value_parsed(self, found: DataValue) -> Parsed:
        """The text of the variable value `found` parsed (once per environment)."""
        text = str(found.value)
        return self._parse_cached((found.file, text), found.file, lambda: text)

    def reusable_template(self, rel: str, state, include_token: Token | None = None) -> BoundTemplate | None:
        """The parsed reusable `rel`; its parse problems go to the render state. One that does
        not parse is still rendered as far as it parsed, for the problems further in.

        A translated reusable that does not parse is replaced by the English one (a warning).
        """
        parsed = self.reusable_parsed(rel)
        state.met.add(rel)
        frame = Frame(rel, include_token)
        if self._translated(rel) and not parsed.ok:
            self._report(parsed, state, frame, fallback="reusable")
            english = rel[len(self.language.dir) + 1 :]
            state.reads.add(english)
            return self.reusable_template(english, state, include_token)
        return self._report(parsed, state, frame)

    def value_template(self, parts: list[str], found: DataValue, state,
                       include_token: Token) -> tuple[BoundTemplate | None, Frame]:
        """The parsed text of the variable `parts` (`found`), and the frame to render it in;
        its parse problems go to the render state, located in its YAML file.

        A translated value that does not parse is replaced by the English one (a warning).
        """
        rel, text = found.file, str(found.value)
        parsed = self.value_parsed(found)
        state.met.add((rel, text))
        frame = Frame(rel, include_token, partial(self.value_location, rel, _value_keys(rel, parts), text))
        if self._translated(rel) and not parsed.ok:
            english = self.data.variable(self.config.default_language, parts)
            if english is not None and isinstance(english.value, str):
                self._report(parsed, state, frame, fallback="variable")
                state.reads.add(english.file)
                return self.value_template(parts, english, state, include_token)
        return self._report(parsed, state, frame), frame

    def value_location(self, rel: str, keys: tuple[str, ...], text: str, loc: Location | None) -> Location:
        """Where `loc`, a place in `text` (the value at `keys` of the YAML file `rel`), is in that
        file: the same place when the value's line appears there as it is, else the value's start."""
        source = self.data.read_text(rel) or ""
        line, col, length = find_in_yaml(source, keys, value=True)
        index = LineIndex(source)
        lines = text.split("\n")
        wanted = lines[loc.line - 1] if loc is not None and 0 < loc.line <= len(lines) else ""
        if wanted.strip():
            # a one-line value sits on its key's line; the lines of a block scalar (`|`) follow it
            for number in (line + loc.line - 1, line + loc.line):
                found = index.line_text(number).find(wanted, col - 1 if number == line else 0)
                if found != -1:
                    return Location(rel, number, found + loc.col, index.line_text(number), loc.length)
        return Location(rel, line, col, index.line_text(line), length)

    def _parse_cached(self, key: object, rel: str, read: Callable[[], str]) -> Parsed:
        with self._lock:
            parsed = self._parsed.get(key)
            if parsed is None:
                parsed = self._parsed[key] = self.parse(read(), rel)
            return parsed

    def _translated(self, rel: str) -> bool:
        return bool(self.language.dir) and rel.startswith(self.language.dir + "/")

    @staticmethod
    def _report(parsed: Parsed, state, frame: Frame, *, fallback: str = "") -> BoundTemplate | None:
        """Hand `parsed`'s problems to the render state (with the include stack); its template
        (as far as it parsed). With `fallback` (a translated `reusable` or `variable` that is replaced by the
        English one), a warning instead."""
        diagnostics = parsed.diagnostics
        if fallback:
            first = next(d for d in diagnostics if d.is_error)
            diagnostics = [Diagnostic(codes.TRANSLATION_FALLBACK,
                                      f"translated {fallback} falls back to English: {first.message}",
                                      first.location, Severity.WARNING)]
        if frame.relocate is not None:
            diagnostics = [replace(d, location=frame.relocate(d.location)) for d in diagnostics]
        chain = list(state.stack) + [frame]
        if diagnostics:
            state.parse_problems.append((Parsed(None, diagnostics, parsed.path), chain))
        if not fallback and not parsed.ok:
            state.failed.append((parsed, chain))
        return parsed.template

    # Globals -----------------------------------------------------------------

    def _static_globals(self) -> dict[str, object]:
        space = self.space
        numbered = [p for p in space.plans if p.numbered]
        ghes = numbered[0] if numbered else None
        out: dict[str, object] = {
            "currentLanguage": self.language.code,
            "enterpriseServerVersions": [v.id for v in space.versions if ghes and v.plan is ghes],
            "enterpriseServerReleases": {
                "supported": list(ghes.releases) if ghes else [],
                "deprecated": list(ghes.deprecated) if ghes else [],
                "latest": ghes.releases[0] if ghes else "",
                "oldestSupported": ghes.releases[-1] if ghes else "",
            },
            "allVersions": {v.id: {"version": v.id, "versionTitle": v.title, "shortName": v.short} for v in space.versions},
        }
        for name in space.retired:
            out[name] = False
        return out

    def version_value(self, key: str, version: Version) -> object:
        """The value of a version-dependent global; KeyError when `key` is not one."""
        if key == "currentVersion":
            return version.id
        if key == "currentRelease":
            return version.release
        if key == "currentVersionShortName":
            return version.short
        if key == "currentVersionObj":
            return {"version": version.id, "shortName": version.short, "currentRelease": version.release,
                    "plan": version.plan.name, "versionTitle": version.title}
        plan = self.space.plan(key)
        if plan is not None and plan.short == key:
            return version.plan is plan
        if key in self.data.features:
            return version.id in self.data.features[key]
        raise KeyError(key)

    def globals_for(self, version: Version) -> "VersionGlobals":
        return VersionGlobals(self, version)


class VersionGlobals(Mapping):
    """Render globals for one version; reading a version-dependent one is traced."""

    __slots__ = ("env", "version")

    def __init__(self, env: DocsEnvironment, version: Version):
        self.env = env
        self.version = version

    def __getitem__(self, key: str) -> object:
        static = self.env.static_globals
        if key in static:
            return static[key]
        value = self.env.version_value(key, self.version)
        state = CURRENT.get()
        if state is not None:
            state.trace[("var", key)] = value
            if key in self.env.data.feature_files:
                state.reads.add(self.env.data.feature_files[key])
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.env.static_globals)

    def __len__(self) -> int:
        return len(self.env.static_globals)


def _value_keys(rel: str, parts: list[str]) -> tuple[str, ...]:
    """The keys inside the YAML file `rel` of the variable `parts` (after its file's path)."""
    for split in range(len(parts) - 1, 1, -1):
        if rel.endswith("data/" + "/".join(parts[:split]) + ".yml"):
            return tuple(parts[split:])
    return tuple(parts[2:])


__all__ = ["DocsEnvironment", "Parsed", "Frame", "MappedBuffer", "VersionGlobals"]

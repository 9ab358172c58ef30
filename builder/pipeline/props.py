"""Liquid for one property of a localized page, with per-property English fallback."""

from __future__ import annotations

from dataclasses import dataclass, replace

from liquid.token import Token

from ..core.diagnostics import Diagnostic, Severity
from ..i18n.fallback import Fallback, fallback_from
from ..i18n.localize import LocalizedPage, PropSource, shift_to_value
from ..liquid_tags.environment import DocsEnvironment, Parsed
from ..liquid_tags.render import Outcome, render_versions
from ..versions.model import Version


@dataclass
class PropOutcome:
    """Rendered Liquid of a property for some versions, and where it came from."""

    outcome: Outcome
    source: PropSource
    fallback: Fallback | None = None

    @property
    def versions(self) -> list[Version]:
        return self.outcome.versions

    @property
    def text(self) -> str:
        return self.outcome.text


class PropRenderer:
    """Parses each property once per build and renders it per distinct version outcome."""

    def __init__(self, envs: dict[str, DocsEnvironment], default_lang: str):
        self.envs = envs
        self.default_lang = default_lang
        self._parsed: dict[tuple[str, str, str], Parsed] = {}

    def parse(self, lang: str, source: PropSource) -> Parsed:
        key = (lang, source.path, source.key)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = self.envs[lang].parse(source.text, source.path)
            if parsed.diagnostics and source.key != "body":
                parsed.diagnostics = shift_to_value(parsed.diagnostics, source)
            self._parsed[key] = parsed
        return parsed

    def forget(self, lang: str, source: PropSource | None) -> None:
        if source is not None:
            self._parsed.pop((lang, source.path, source.key), None)

    def render(self, loc: LocalizedPage, prop: str, versions: list[Version]) -> tuple[list[PropOutcome], list[Diagnostic]]:
        """Outcomes for `versions`; English errors are returned, translation errors fall back."""
        source = loc.props.get(prop)
        if source is None or not versions:
            return [], []
        # An untranslated property is English through and through: English data, not the
        # translation's variables and reusables.
        lang = loc.lang.code if source.translated else self.default_lang
        if source.translated and source.doubt is not None:  # a broken tag only English could have confirmed
            return self._english(loc, prop, versions, loc.english.get(prop), fallback_from(prop, source.doubt)), []
        text = source.text
        if "{%" not in text and "{{" not in text:
            mark = (0, Token("content", text, 0, text), source.path, 0)
            return [PropOutcome(Outcome(list(versions), text, [mark], [], set()), source)], []
        parsed = self.parse(lang, source)
        problems: list[Diagnostic] = []
        if not source.translated:
            problems.extend(parsed.diagnostics)
            # One that does not parse is still rendered as far as it parsed, for the problems
            # further on and in what it includes (`render_once`); its text is not used.
            outcomes = render_versions(self.envs[lang], parsed, versions)
            for o in outcomes:
                problems.extend(self._located(o.diagnostics, source, o.versions))
            return ([PropOutcome(o, source) for o in outcomes] if parsed.ok else []), problems

        english = loc.english.get(prop)
        if not parsed.ok:
            first = next(d for d in parsed.diagnostics if d.is_error)
            # What it includes is looked at all the same: a translated reusable that is broken
            # too is reported now (a warning), not after this page is repaired.
            for o in render_versions(self.envs[lang], parsed, versions):
                problems.extend(self._located([d for d in o.diagnostics if not d.is_error], source))
            return self._english(loc, prop, versions, english, fallback_from(prop, first)), problems
        results: list[PropOutcome] = []
        failed: list[Version] = []
        first_error: Diagnostic | None = None
        problems.extend(d for d in parsed.diagnostics if not d.is_error)
        for o in render_versions(self.envs[lang], parsed, versions):
            problems.extend(d for d in o.diagnostics if not d.is_error)
            errors = [d for d in o.diagnostics if d.is_error]
            if errors:
                failed.extend(o.versions)
                first_error = first_error or errors[0]
            else:
                results.append(PropOutcome(o, source))
        if failed:
            results.extend(self._english(loc, prop, failed, english, fallback_from(prop, first_error)))
            results.sort(key=lambda r: r.versions[0].index)
        return results, problems

    @staticmethod
    def _located(diags: list[Diagnostic], source: PropSource, versions: list[Version] | None = None) -> list[Diagnostic]:
        if diags and source.key != "body":
            diags = shift_to_value(diags, source)
        return [_for_versions(d, versions) for d in diags] if versions else diags

    def _english(self, loc, prop, versions, english: PropSource | None, fallback: Fallback) -> list[PropOutcome]:
        if english is None:
            return []
        parsed = self.parse(self.default_lang, english)
        if parsed.template is None or not parsed.ok:
            return []
        outcomes = render_versions(self.envs[self.default_lang], parsed, versions)
        return [PropOutcome(o, english, fallback) for o in outcomes if o.ok]


def _for_versions(diag: Diagnostic, versions: list[Version]) -> Diagnostic:
    return replace(diag, versions=tuple(v.id for v in versions))


__all__ = ["PropOutcome", "PropRenderer", "Severity"]

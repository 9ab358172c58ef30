"""Liquid stage: case files rendered for every version, errors with file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.liquid_tags.environment import DocsEnvironment
from builder.liquid_tags.render import render_versions
from builder.liquid_tags.sourcemap import collapse_blank_lines
from builder.sources.config import load_config
from builder.sources.data import DataStore
from tests.casefile import read_cases, split_expected

HERE = Path(__file__).resolve().parent.parent
SITE = HERE / "sites" / "liquid"
SHORT = {"fpt": "free-pro-team@latest", "ghec": "enterprise-cloud@latest"}


@pytest.fixture(scope="module")
def env():
    config = load_config(SITE)
    return DocsEnvironment(config, DataStore(config), config.languages[0])


def render_all(env, text: str, path: str = "content/test.md") -> tuple[dict[str, str], list]:
    parsed = env.parse(text, path)
    outputs: dict[str, str] = {}
    diags = list(parsed.diagnostics)
    if parsed.template is None or not parsed.ok:
        return outputs, diags
    for outcome in render_versions(env, parsed, list(env.space.versions)):
        diags.extend(outcome.diagnostics)
        text_out, _ = collapse_blank_lines(outcome.text, [])
        for version in outcome.versions:
            outputs[version.id] = text_out.strip("\n")
    return outputs, diags


@pytest.mark.parametrize("source, expected", read_cases(HERE / "cases" / "liquid.md"))
def test_liquid_cases(env, source, expected):
    outputs, diags = render_all(env, source)
    assert [d.format_text() for d in diags if d.is_error] == []
    wanted = split_expected(expected)
    if "*" in wanted:
        wanted = {v: wanted["*"] for v in outputs}
    for key, text in wanted.items():
        version = SHORT.get(key, key if "@" in key else f"enterprise-server@{key}")
        assert _norm(outputs[version]) == _norm(text), version


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def test_versions_with_the_same_outcome_share_one_render(env):
    parsed = env.parse("{% ifversion ghes %}server{% else %}cloud{% endifversion %} {% ifversion cr %}cr{% endif %}", "content/x.md")
    outcomes = render_versions(env, parsed, list(env.space.versions))
    groups = sorted(sorted(v.id for v in o.versions) for o in outcomes)
    assert groups == [
        ["enterprise-cloud@latest"],
        ["enterprise-server@3.10", "enterprise-server@3.9"],
        ["enterprise-server@3.8"],
        ["free-pro-team@latest"],
    ]
    plain = render_versions(env, env.parse("No conditions {% data variables.stuff.foo %}", "content/y.md"),
                            list(env.space.versions))
    assert len(plain) == 1 and len(plain[0].versions) == 5


@pytest.mark.parametrize("source, expected", read_cases(HERE / "cases" / "liquid_errors.md"))
def test_liquid_errors(env, source, expected):
    _, diags = render_all(env, source, "content/broken.md")
    shown = "\n".join(d.format_text() for d in diags)
    assert shown == expected.strip("\n")


def test_conditions_that_differ_in_whitespace_share_one_compiled_condition(env):
    spaced = env.condition("  ghes  >   3.7 ")
    assert spaced is env.condition("ghes > 3.7")
    assert spaced.warnings and spaced.text == "ghes > 3.7"


def test_a_page_that_does_not_parse_is_still_rendered_once_per_distinct_outcome(env):
    parsed = env.parse("{% bogus %}\n{% ifversion ghes %}{{ server }}{% else %}{{ cloud }}{% endifversion %}",
                       "content/x.md")
    assert not parsed.ok
    outcomes = render_versions(env, parsed, list(env.space.versions))
    found = sorted((sorted(v.id for v in o.versions), [d.message.split(";")[0] for d in o.diagnostics])
                   for o in outcomes)
    assert found == [
        (["enterprise-cloud@latest", "free-pro-team@latest"], ["'cloud' is undefined"]),
        (["enterprise-server@3.10", "enterprise-server@3.8", "enterprise-server@3.9"], ["'server' is undefined"]),
    ]


def test_what_a_block_lost_to_a_syntax_error_includes_is_read_and_checked(env):
    parsed = env.parse("{% if true %}\n{% data reusables.nested.outer %}", "content/x.md")
    [outcome] = render_versions(env, parsed, [env.space.versions[0]])
    assert {"data/reusables/nested/outer.md", "data/reusables/nested/inner.md"} <= outcome.reads


def test_a_clean_render_checks_nothing_more(env, monkeypatch):
    from builder.liquid_tags import render

    def fail(*args):
        raise AssertionError("a clean render walked what it includes")

    monkeypatch.setattr(render, "check_unreached", fail)
    parsed = env.parse("{% data reusables.nested.outer %}", "content/x.md")
    [outcome] = render_versions(env, parsed, [env.space.versions[0]])
    assert outcome.ok and "inner" in outcome.text.lower()

"""Versions: the ifversion truth table, malformed conditions, ranges, applicable versions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from builder.core import codes
from builder.versions.applicable import evaluate_versions
from builder.versions.conditions import compile_condition, normalize, original_span
from builder.versions.expression import ExpressionError
from builder.versions.model import VersionError, VersionSpace
from builder.versions.ranges import RangeError, satisfies
from tests.conftest import make_space

CASES = Path(__file__).resolve().parent.parent / "cases"
SPACE = make_space()
FEATURES = {"cr": frozenset({"free-pro-team@latest", "enterprise-server@3.10", "enterprise-server@3.9"})}
SHORT = {"fpt": "free-pro-team@latest", "ghec": "enterprise-cloud@latest"}


def _load(name: str) -> list[dict]:
    return yaml.safe_load((CASES / name).read_text("utf-8"))


@pytest.mark.parametrize("case", _load("ifversion.yml"), ids=lambda c: c["expr"])
def test_truth_table(case):
    condition = compile_condition(case["expr"], SPACE, FEATURES)
    expected = {SHORT.get(str(v), f"enterprise-server@{v}") for v in case["holds"]}
    actual = {v.id for v in SPACE.versions if condition(v)}
    assert actual == expected


@pytest.mark.parametrize("case", _load("ifversion_errors.yml"), ids=lambda c: c["expr"] or "<empty>")
def test_malformed_conditions(case):
    with pytest.raises(ExpressionError) as info:
        compile_condition(case["expr"], SPACE, FEATURES)
    err = info.value
    assert err.code.code == case["code"]
    assert case["message"] in err.message
    assert err.offset + 1 == case["col"]


def test_deprecated_release_is_a_warning_that_says_the_condition_is_constant():
    condition = compile_condition("ghes > 3.7", SPACE, FEATURES)
    assert [w.code for w in condition.warnings] == [codes.IFVERSION_DEPRECATED]
    assert "'ghes > 3.7' is true on every supported ghes release" in condition.warnings[0].message
    assert {v.id for v in SPACE.versions if condition(v)} == {
        "enterprise-server@3.10", "enterprise-server@3.9", "enterprise-server@3.8"}
    never = compile_condition("ghes = 3.6", SPACE, FEATURES)
    assert "is false on every supported ghes release" in never.warnings[0].message


def test_feature_names_are_the_features_a_condition_reads():
    assert compile_condition("fpt or (not cr and ghes > 3.9) or cr", SPACE, FEATURES).feature_names == ("cr",)
    assert compile_condition("fpt or ghes", SPACE, FEATURES).feature_names == ()


@pytest.mark.parametrize("text, span, expected", [
    ("ghes > 3.7", (0, 10), "ghes > 3.7"),
    ("  ghes  >   3.7 ", (0, 10), "ghes  >   3.7"),
    ("fpt or  ghes  > 3.7", (7, 10), "ghes  > 3.7"),
    ("fpt  or  ghez", (7, 4), "ghez"),
])
def test_original_span_maps_a_span_of_the_normalized_text(text, span, expected):
    assert normalize(text)[span[0]:span[0] + span[1]] == normalize(expected)
    offset, length = original_span(text, *span)
    assert text[offset:offset + length] == expected


def test_future_release_is_accepted_silently():
    condition = compile_condition("ghes >= 3.11", SPACE, FEATURES)
    assert condition.warnings == []
    assert not any(condition(v) for v in SPACE.versions)


@pytest.mark.parametrize(
    "release, rng, expected",
    [
        ("3.5", "*", True),
        ("3.5", ">= 3.5", True),
        ("3.4", ">=3.5", False),
        ("3.10", ">3.9", True),
        ("3.9", "<3.10", True),
        ("3.2", ">3.2", False),
        ("3.3", ">3.2", True),
        ("2.22", ">=2.22 <3.1", True),
        ("3.1", ">=2.22 <3.1", False),
        ("3.7", "3.x", True),
        ("4.0", "3.x", False),
        ("3.5", "<=3.5", True),
        ("3.6", "<=3.5", False),
        ("3.5", "3.4 - 3.6", True),
        ("3.7", "3.4 - 3.6", False),
        ("3.5", "<3.0 || >=3.5", True),
        ("3.5", "~3.5", True),
        ("3.6", "~3.5", False),
    ],
)
def test_semver_ranges(release, rng, expected):
    assert satisfies(release, rng) is expected


@pytest.mark.parametrize("rng", ["latest-ish", ">= three", "3.5.5.5 <", ">>3"])
def test_bad_ranges(rng):
    with pytest.raises(RangeError):
        satisfies("3.5", rng)


def _ids(value, features=None):
    ids, problems = evaluate_versions(value, SPACE, features or FEATURES)
    return set(ids), [(p.code.code, p.key, p.message) for p in problems]


def test_applicable_versions():
    assert _ids({"fpt": "*", "ghes": "*"})[0] == {
        "free-pro-team@latest", "enterprise-server@3.10", "enterprise-server@3.9", "enterprise-server@3.8"}
    assert _ids({"fpt": "*", "ghes": ">3.8"})[0] == {
        "free-pro-team@latest", "enterprise-server@3.10", "enterprise-server@3.9"}
    assert _ids({"enterprise-server": "<3.9"})[0] == {"enterprise-server@3.8"}
    assert _ids({"ghec": "*", "ghae": "*"})[0] == {"enterprise-cloud@latest"}
    assert _ids({"feature": "cr"})[0] == FEATURES["cr"]
    assert _ids({"feature": ["cr"], "ghec": "*"})[0] == FEATURES["cr"] | {"enterprise-cloud@latest"}


def test_applicable_versions_problems():
    ids, problems = _ids({"fpt": "*", "ftp": "*"})
    assert ids == {"free-pro-team@latest"}
    assert problems[0][0] == "DB111" and problems[0][1] == ("ftp",)
    assert "unknown plan 'ftp' in versions; expected one of fpt, ghec, ghes" in problems[0][2]
    assert _ids({"ghes": ">= banana"})[1][0][0] == "DB110"
    assert _ids({"feature": "nope"})[1][0][0] == "DB113"
    assert _ids("*")[1][0][0] == "DB108"
    assert "versions must be a mapping" in _ids("*")[1][0][2]


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "non-empty 'plans' list"),
        ({"plans": [{"short": "fpt", "name": "free-pro-team"}], "bogus": 1}, "unknown key 'bogus'"),
        ({"plans": [{"short": "fpt", "name": "free-pro-team", "releases": [3.1]}]}, "must be quoted"),
        ({"plans": [{"short": "Fpt", "name": "x"}]}, "lower-case name"),
        ({"plans": [{"short": "a", "name": "b", "releases": ["1.0"], "deprecated": ["1.0"]}]}, "both supported and deprecated"),
    ],
)
def test_bad_versions_config(data, message):
    with pytest.raises(VersionError) as info:
        VersionSpace.from_data(data)
    assert message in str(info.value)


def test_version_order_and_urls():
    assert [v.id for v in SPACE.versions] == [
        "free-pro-team@latest", "enterprise-cloud@latest",
        "enterprise-server@3.10", "enterprise-server@3.9", "enterprise-server@3.8"]
    assert SPACE.default.segment == ""
    assert SPACE.by_id["enterprise-server@3.9"].segment == "enterprise-server@3.9"
    assert [v.id for v in SPACE.resolve("ghes")] == [
        "enterprise-server@3.10", "enterprise-server@3.9", "enterprise-server@3.8"]
    assert [v.id for v in SPACE.resolve("enterprise-server@latest")] == ["enterprise-server@3.10"]
    assert SPACE.resolve("nope") is None

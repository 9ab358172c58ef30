"""explain's analysis: verdicts, the simplest equivalent condition and version descriptions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from builder.core import codes
from builder.maintain.explain import Simplifier, analyse_block, describe_versions, finding, size
from builder.versions.applicable import evaluate_versions
from builder.versions.conditions import compile_condition
from builder.versions.model import VersionSpace

CASES = yaml.safe_load((Path(__file__).resolve().parent.parent / "cases" / "explain.yml").read_text("utf-8"))
SPACE = VersionSpace.from_data(yaml.safe_load("""
plans:
  - {short: fpt, name: free-pro-team, title: Free}
  - {short: ghec, name: enterprise-cloud, title: Cloud}
  - {short: ghes, name: enterprise-server, title: Server, releases: ["3.17", "3.16", "3.15", "3.14"],
     deprecated: ["3.13", "3.12"]}
retired: [ghae]
"""))
FEATURES = {
    "cr": evaluate_versions({"fpt": "*", "ghec": "*", "ghes": ">= 3.15"}, SPACE)[0],
    "cloud": evaluate_versions({"fpt": "*", "ghec": "*"}, SPACE)[0],
}


def _condition(text: str):
    return compile_condition(text, SPACE, FEATURES)


def _taken(page: dict, within: str | None, conditions) -> dict[str, int]:
    """What a render records: for each version reaching the block, the first branch whose
    condition holds (the number of conditions when none does)."""
    versions, problems = evaluate_versions(page, SPACE, FEATURES)
    assert not problems
    parent = _condition(within) if within else None
    taken = {}
    for version in SPACE.versions:
        if version.id not in versions or (parent is not None and not parent(version)):
            continue
        taken[version.id] = next((i for i, c in enumerate(conditions) if c is not None and c(version)),
                                 sum(1 for c in conditions if c is not None))
    return taken


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_verdicts(case):
    conditions = [None if text == "else" else _condition(text) for text in case["block"]]
    reports = analyse_block(conditions, _taken(case["page"], case.get("within"), conditions),
                            Simplifier(SPACE, FEATURES))
    assert [r.verdict for r in reports] == case["expect"]
    assert [r.simplest for r in reports] == case.get("simplest", [None] * len(reports))
    for r in reports:  # the simplest equivalent is true exactly where the condition is, where evaluated
        if r.simplest is not None:
            simple = _condition(r.simplest)
            assert {v for v in r.evaluated if simple(SPACE.by_id[v])} == set(r.rendered_in)
            assert size(simple.node) < size(_condition(r.condition).node)


def test_reports_say_where_each_branch_is_evaluated_true_and_rendered():
    conditions = [_condition("ghes > 3.15 or fpt"), _condition("ghes or fpt"), None]
    reports = analyse_block(conditions, _taken({"fpt": "*", "ghes": "*"}, None, conditions), Simplifier(SPACE, FEATURES))
    first, second, other = reports
    assert first.block == ("free-pro-team@latest", "enterprise-server@3.17", "enterprise-server@3.16",
                           "enterprise-server@3.15", "enterprise-server@3.14")
    assert first.true_in == first.rendered_in == ("free-pro-team@latest", "enterprise-server@3.17", "enterprise-server@3.16")
    assert second.evaluated == ("enterprise-server@3.15", "enterprise-server@3.14")
    assert second.true_in == first.block and second.rendered_in == second.evaluated
    assert second.verdict == "redundant" and other.verdict == "unreached" and other.after == 1


def test_findings_name_the_condition_the_versions_and_the_fix():
    conditions = [_condition("ghes < 3.2"), _condition("fpt or ghes"), None]
    reports = analyse_block(conditions, _taken({"fpt": "*", "ghes": ">= 3.16"}, None, conditions), Simplifier(SPACE, FEATURES))
    dead, redundant, unreached = (finding(reports, i, SPACE) for i in range(3))
    assert dead.code is codes.CONDITION_DEAD
    assert dead.message == ("condition 'ghes < 3.2' is never true where it is evaluated (fpt, ghes 3.16-3.17), "
                            "so its text is never rendered; remove the branch")
    assert redundant.code is codes.CONDITION_REDUNDANT
    assert redundant.message == ("condition 'fpt or ghes' is always true where it is evaluated (fpt, ghes 3.16-3.17); "
                                 "write {% else %} instead (the branch after it is never rendered)")
    assert unreached is None
    only = [_condition("ghes")]
    first = analyse_block(only, _taken({"ghes": "*"}, None, only), Simplifier(SPACE, FEATURES))
    assert finding(first, 0, SPACE).message == (
        "condition 'ghes' is always true where it is evaluated (ghes); remove the condition and keep its text")


@pytest.mark.parametrize("ids, text", [
    (["free-pro-team@latest", "enterprise-cloud@latest"], "fpt, ghec"),
    ([v.id for v in SPACE.versions], "fpt, ghec, ghes"),
    (["enterprise-server@3.14", "enterprise-server@3.15", "enterprise-server@3.17"], "ghes 3.14-3.15, 3.17"),
    (["enterprise-server@3.16", "enterprise-cloud@latest"], "ghec, ghes 3.16"),
    ([], "no version"),
])
def test_describe_versions(ids, text):
    assert describe_versions(ids, SPACE) == text


def test_the_search_is_cached_and_quick_on_many_releases():
    releases = [f"3.{n}" for n in range(30, 0, -1)]
    space = VersionSpace.from_data({"plans": [{"short": "fpt", "name": "free-pro-team"},
                                              {"short": "ghes", "name": "enterprise-server", "releases": releases}]})
    simplifier = Simplifier(space, {})
    condition = compile_condition("ghes = 3.5 or ghes = 3.6 or ghes = 3.7 or fpt", space, {})
    evaluated = [v.id for v in space.versions]
    true_in = [v.id for v in space.versions if condition(v)]
    assert simplifier.simplest(condition, evaluated, true_in) == "fpt or ghes > 3.4 and ghes < 3.8"

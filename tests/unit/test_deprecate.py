"""Deprecation's pure parts: the condition simplifier (fuzzed), block rewrites (case file), ranges,
and the edit of data/versions.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.maintain.blocks import StructureError, parse
from builder.maintain.rewrite import apply, rewrite_text
from builder.maintain.simplify import REMOVE, make_deprecation, simplify_condition, simplify_range, truth
from builder.maintain.yaml_edit import move_release
from builder.versions.expression import Compare, parse_expression
from builder.versions.model import release_key
from tests.conftest import make_space

CASES = Path(__file__).resolve().parent.parent / "cases" / "deprecate.yml"
SPACE = make_space()  # ghes 3.10, 3.9, 3.8 supported; 3.7, 3.6 deprecated
FEATURES = {"cr": {"fpt": "*", "ghes": ">= 3.9"}, "old": {"ghes": "< 3.9"}}
DEP = make_deprecation(SPACE, SPACE.plan("ghes"), "3.8", FEATURES)


# The simplifier, fuzzed ------------------------------------------------------------------------

RELEASES = ["3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "4.0"]
atoms = st.one_of(
    st.sampled_from(["fpt", "ghec", "ghes", "cr", "old", "ghae"]),
    st.builds(lambda op, rel: f"ghes {op} {rel}", st.sampled_from(["=", "!=", "<", ">", "<=", ">="]),
              st.sampled_from(RELEASES)),
)
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.builds(lambda a: f"not {a}", atoms),
        st.builds(lambda a, op, b: f"{a} {op} {b}", inner, st.sampled_from(["and", "or"]), inner),
        st.builds(lambda a: f"({a})", inner),
    ),
    max_leaves=6,
)


def _comparisons(text: str) -> list[Compare]:
    found, stack = [], [parse_expression(text)]
    while stack:
        node = stack.pop()
        if isinstance(node, Compare):
            found.append(node)
        stack += [getattr(node, k) for k in ("left", "right", "operand") if hasattr(node, k)]
    return found


@settings(max_examples=400, deadline=None)
@given(conditions)
def test_simplified_condition_holds_exactly_where_the_original_did(text):
    before = truth(parse_expression(text), DEP, "new_plus")  # remaining and future releases
    s = simplify_condition(text, DEP)
    if s.value is not None:
        everything = frozenset(v.id for v in DEP.new_plus.versions)
        assert before == (everything if s.value else frozenset()), text
        return
    assert truth(parse_expression(s.text), DEP, "new_plus") == before, (text, s.text)
    if s.changed:  # nothing left that could only be about a deprecated release
        for node in _comparisons(s.text):
            assert release_key(node.release) > release_key("3.9") or (
                node.release == "3.9" and node.op not in (">=", "<")), (text, s.text)


def test_unchanged_conditions_keep_their_text():
    s = simplify_condition("fpt or  ghes > 3.9", DEP)
    assert (s.text, s.changed) == ("fpt or  ghes > 3.9", False)


# Block rewrites ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", yaml.safe_load(CASES.read_text("utf-8")), ids=lambda c: c["name"])
def test_rewrite_cases(case):
    done = rewrite_text(case["input"], DEP)
    assert done.text == case.get("expected", case["input"])
    assert apply(case["input"], done.edits) == done.text
    assert bool(done.kept) == case.get("kept", False)


def test_unbalanced_liquid_is_refused_with_its_offset():
    with pytest.raises(StructureError) as info:
        parse("a\n{% ifversion ghes %}\nb\n")
    assert info.value.offset == 2


# Ranges -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("rng, expected", [
    (">= 3.8", "*"), (">=3.7", "*"), ("> 3.7", "*"), ("*", "*"), ("< 3.9", REMOVE), ("<=3.8", REMOVE),
    ("=3.8", REMOVE), (">=3.9", "*"), ("< 3.10", "< 3.10"), (">=3.7 <3.10", "<3.10"),
    ("3.x", "3.x"), ("<3.11", "<3.11"), ("<3.9 || >=3.10", ">=3.10"),
])
def test_ranges(rng, expected):
    assert simplify_range("ghes", rng, DEP) == expected


# data/versions.yml ------------------------------------------------------------------------------

VERSIONS_FLOW = """\
# plans
plans:
  - short: ghes   # the server
    name: enterprise-server
    title: Enterprise Server
    releases: ["3.10", "3.9", "3.8"]  # newest first
    deprecated: ['3.7', '3.6']
retired: [ghae]
"""


@pytest.mark.parametrize("before, after", [
    (VERSIONS_FLOW, VERSIONS_FLOW.replace('["3.10", "3.9", "3.8"]', '["3.10", "3.9"]')
     .replace("['3.7', '3.6']", "[\"3.8\", '3.7', '3.6']")),
    (VERSIONS_FLOW.replace("    deprecated: ['3.7', '3.6']\n", ""),
     VERSIONS_FLOW.replace('["3.10", "3.9", "3.8"]', '["3.10", "3.9"]')
     .replace("    deprecated: ['3.7', '3.6']\n", '    deprecated: ["3.8"]\n')),
    ("plans:\n  - short: ghes\n    name: enterprise-server\n    releases:\n      - '3.10'\n      - '3.9'\n"
     "      - '3.8'  # oldest\n    deprecated:\n      - '3.6'\n      - '3.7'\n",
     "plans:\n  - short: ghes\n    name: enterprise-server\n    releases:\n      - '3.10'\n      - '3.9'\n"
     "    deprecated:\n      - '3.6'\n      - '3.7'\n      - '3.8'\n"),
])
def test_versions_file_edit_keeps_everything_else(before, after):
    assert apply(before, move_release(before, "ghes", "3.8")) == after

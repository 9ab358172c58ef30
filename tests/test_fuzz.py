"""Property tests with hypothesis: the ifversion parser, data paths and frontmatter.

- the condition parser raises nothing but `ExpressionError`, whatever the text;
- on well-formed conditions it agrees with a small reference evaluator written here;
- random `{% data %}` paths and random frontmatter never crash a build (exit 0, 1 or 2).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.versions.conditions import compile_condition
from builder.versions.expression import ExpressionError
from tests.conftest import VERSIONS_YML, make_space, page, run_cli, site_files, write_tree

SPACE = make_space()
FEATURES = {
    "cr": frozenset({"free-pro-team@latest", "enterprise-server@3.10", "enterprise-server@3.9"}),
    "dx": frozenset({"enterprise-cloud@latest", "enterprise-server@3.8"}),
    "none-yet": frozenset(),
}
PLANS = ("fpt", "ghec", "ghes")
RETIRED = ("ghae",)
OPERATORS = ("=", "!=", "<", ">", "<=", ">=")
RELEASES = ("3.7", "3.8", "3.9", "3.10", "3.11")  # 3.7 deprecated (a warning), 3.11 future
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CLI_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""For tests that run the CLI (about 40 ms a run)."""


# 1. The parser raises only ExpressionError -------------------------------------------------

TOKENS = (
    *PLANS, *RETIRED, *FEATURES, "enterprise-server", "free-pro-team", "nope", "and", "or", "not",
    "And", "OR", "(", ")", "((", "))", *OPERATORS, "==", "=>", "=<", "<>", "!", "!!", "&&", "||",
    "3", "3.9", "3.10", "3.8.5", "03.9", "3.", ".9", "1e5", "99999999999999999999.1", "-", "_",
    "%}", "{%", "\"", "'", ",", "ß", "٣", "３.９", "\u00a0", "\u200b", "\t", "\n",
)


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_parser_raises_only_expression_error_on_random_text(text):
    _compile_or_expression_error(text)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=14), st.lists(st.sampled_from(["", " ", "  "]), min_size=14, max_size=14))
def test_parser_raises_only_expression_error_on_token_soup(tokens, gaps):
    text = "".join(tok + gap for tok, gap in zip(tokens, gaps))
    _compile_or_expression_error(text)


@SETTINGS
@given(st.text(alphabet=string.printable, max_size=80))
def test_parser_raises_only_expression_error_on_printable_text(text):
    _compile_or_expression_error(text)


def _compile_or_expression_error(text: str) -> None:
    try:
        condition = compile_condition(text, SPACE, FEATURES)
    except ExpressionError as err:
        assert err.code.code in {"DB210", "DB211", "DB212", "DB214"}
        assert 0 <= err.offset <= len(text)
        assert err.message
        return
    for version in SPACE.versions:
        assert condition(version) in (True, False)


@pytest.mark.parametrize("text", [
    " or ".join(["ghec"] * 2000) + " or fpt",
    "not " * 1000 + "fpt",
    "(" * 1000 + "fpt" + ")" * 1000,
], ids=["2000-term or chain", "1000 nots", "1000 parentheses"])
def test_long_and_deep_conditions_do_not_overflow_the_stack(text):
    try:
        compile_condition(text, SPACE, FEATURES)
    except ExpressionError:
        pass


# 2. Well-formed conditions agree with a reference evaluator ----------------------------------

@dataclass(frozen=True)
class Operand:
    nots: int
    atom: object  # str (a name), ("cmp", op, release) or Flat


@dataclass(frozen=True)
class Flat:
    """`operand (and|or operand)*`, written flat as Liquid reads it."""

    operands: tuple[Operand, ...]
    ops: tuple[str, ...]


NAMES = st.sampled_from(PLANS + RETIRED + tuple(FEATURES))
COMPARISONS = st.tuples(st.just("cmp"), st.sampled_from(OPERATORS), st.sampled_from(RELEASES))


def _flat(atoms):
    operand = st.builds(Operand, st.integers(0, 2), atoms)

    def build(operands, ops):
        return Flat(tuple(operands), tuple(ops[: len(operands) - 1]))

    return st.builds(build, st.lists(operand, min_size=1, max_size=4), st.lists(st.sampled_from(["and", "or"]), min_size=3, max_size=3))


FLATS = st.recursive(_flat(st.one_of(NAMES, COMPARISONS)),
                     lambda inner: _flat(st.one_of(NAMES, COMPARISONS, inner)), max_leaves=12)


def render(expr: Flat, space: str) -> str:
    parts = [render_operand(expr.operands[0], space)]
    for op, operand in zip(expr.ops, expr.operands[1:]):
        parts += [op, render_operand(operand, space)]
    return space.join(parts)


def render_operand(operand: Operand, space: str) -> str:
    atom = operand.atom
    if isinstance(atom, str):
        text = atom
    elif isinstance(atom, Flat):
        text = "(" + render(atom, space) + ")"
    else:
        _, op, release = atom
        text = f"ghes{space}{op}{space}{release}"
    return "not " * operand.nots + text


def release_tuple(release: str) -> tuple[int, ...]:
    return tuple(int(part) for part in release.split("."))


def reference(expr: Flat, version) -> bool:
    """Liquid's rules: `not` binds to the next operand; and/or group right to left."""
    values = [reference_operand(o, version) for o in expr.operands]
    result = values[-1]
    for op, value in zip(reversed(expr.ops), reversed(values[:-1])):
        result = (value and result) if op == "and" else (value or result)
    return result


def reference_operand(operand: Operand, version) -> bool:
    atom = operand.atom
    if isinstance(atom, Flat):
        value = reference(atom, version)
    elif isinstance(atom, str):
        if atom in RETIRED:
            value = False
        elif atom in PLANS:
            value = version.plan.short == atom
        else:
            value = version.id in FEATURES[atom]
    else:
        _, op, release = atom
        if version.plan.short != "ghes":
            value = op == "!="
        else:
            a, b = release_tuple(version.release), release_tuple(release)
            value = {"=": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    for _ in range(operand.nots):
        value = not value
    return value


@SETTINGS
@given(FLATS, st.sampled_from([" ", "  ", "\t"]))
def test_well_formed_conditions_agree_with_the_reference(expr, space):
    text = render(expr, space)
    condition = compile_condition(text, SPACE, FEATURES)
    for version in SPACE.versions:
        assert condition(version) == reference(expr, version), (text, version.id)


def test_the_reference_groups_right_to_left():
    fpt = SPACE.by_id["free-pro-team@latest"]
    # `ghec and fpt or fpt` is `ghec and (fpt or fpt)`: false on fpt (left to right it is true).
    expr = Flat((Operand(0, "ghec"), Operand(0, "fpt"), Operand(0, "fpt")), ("and", "or"))
    assert reference(expr, fpt) is False
    assert compile_condition(render(expr, " "), SPACE, FEATURES)(fpt) is False


# 3. Random data paths and frontmatter never crash a build -------------------------------------

@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-site")
    files = site_files({"a.md": page("A", "Body\n", versions="{fpt: '*', ghes: '*'}")})
    files["data/versions.yml"] = VERSIONS_YML
    files["data/variables/product.yml"] = "name: Nimbus\nnested:\n  key: value\nlist: [a, b]\n"
    files["data/reusables/steps/one.md"] = "Step {% data variables.product.name %}\n"
    files["data/features/cr.yml"] = "versions: {fpt: '*', ghes: '>= 3.9'}\n"
    return write_tree(root, files)


def _check(root: Path) -> None:
    result = run_cli("check", "--root", str(root), "--jobs", "1")
    output = result.stdout + result.stderr
    assert result.status in (0, 1, 2), output[-2000:]
    assert "Traceback" not in output
    assert "internal error" not in output


PATH_PARTS = st.sampled_from([
    "variables", "reusables", "product", "name", "nested", "key", "list", "steps", "one", "..", ".",
    "/", "\\", "/etc/passwd", "~", "$HOME", "%2e%2e", "3.9", "-", "_", "[0]", "[]", " ", "%}", "{{", "é",
    "\u0000", "\u202e", "CON", "nul",
])
DATA_PATHS = st.one_of(
    st.lists(PATH_PARTS, min_size=1, max_size=7).map("".join),
    st.lists(PATH_PARTS, min_size=1, max_size=5).map(".".join),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
)


@CLI_SETTINGS
@given(path=DATA_PATHS, tag=st.sampled_from(["data", "indented_data_reference"]))
def test_random_data_paths_never_crash(tiny_site, path, tag):
    body = f"Before {{% {tag} {path} %}} after\n\n- item\n  {{% {tag} {path} %}}\n"
    (tiny_site / "content" / "a.md").write_text(page("A", body, versions="{fpt: '*', ghes: '*'}"), "utf-8")
    _check(tiny_site)


KNOWN_KEYS = ["title", "versions", "children", "intro", "shortTitle", "redirect_from", "layout",
              "hidden", "topics", "type", "miniTocMaxHeadingLevel", "defaultPlatform", "effectiveDate",
              "feature", "product", "permissions", "showMiniToc", "childGroups", "ms.topic"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**12), st.floats(allow_nan=True),
    st.text(max_size=20), st.sampled_from(["*", ">= 3.9", "<3.10", "3.x", "fpt", "cr", "/a", "../x",
                                           "{% ifversion ghes %}x{% endif %}", "{{ nope }}", "{% data variables.product.name %}",
                                           "<script>x</script>", "---", "", " "]),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(["fpt", "ghes", "ghec", "feature", "ghae", "x"]),
                                                      st.text(max_size=8)), inner, max_size=4)),
    max_leaves=10,
)
MAPPINGS = st.dictionaries(
    st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12), st.integers(0, 5)),
    VALUES, max_size=8,
)


def _frontmatter_text(fm: dict, keep_required: bool) -> str:
    if keep_required:
        fm = {"title": "A", "versions": {"fpt": "*"}, **fm}
    return yaml.safe_dump(fm, allow_unicode=True, sort_keys=False)


FRONTMATTER_TEXTS = st.one_of(
    st.builds(_frontmatter_text, MAPPINGS, st.booleans()),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120),  # not even YAML
)


@CLI_SETTINGS
@given(FRONTMATTER_TEXTS)
def test_random_frontmatter_never_crashes(tiny_site, fm_text):
    (tiny_site / "content" / "a.md").write_text("---\n" + fm_text + "\n---\nBody\n", "utf-8")
    _check(tiny_site)

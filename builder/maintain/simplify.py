"""What deprecating a release makes of conditions, `ifversion` blocks and version ranges (pure).

Equivalence is judged on the releases that remain *and on releases still to come*: each numbered
plan gets two future releases (the next minor and the next major), so `ghes < 3.18` is never
mistaken for "always true" just because 3.17 is today's newest release. Only what deprecation
changed is rewritten: a comparison that is constant on every remaining and future release (it can
only be about deprecated ones), or a condition that distinguished the deprecated release and is
now constant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Mapping

from ..versions.applicable import evaluate_versions
from ..versions.expression import BoolOp, Compare, Name, Node, Not, parse_expression
from ..versions.model import Plan, VersionSpace, release_key
from ..versions.ranges import RangeError, coerce, parse_range


@dataclass(frozen=True, slots=True)
class Const(Node):
    """A condition part whose value no longer depends on the version."""

    value: bool

    def evaluate(self, version, features, retired) -> bool:
        return self.value


@dataclass
class Deprecation:
    """The site's versions before and after deprecating `release` of `plan`."""

    plan: Plan
    release: str
    old: VersionSpace
    new: VersionSpace
    old_plus: VersionSpace
    """`old` with future releases (see the module docstring)."""
    new_plus: VersionSpace
    features: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    """Space name ("old", "new", "old_plus", "new_plus") -> feature name -> version ids."""

    def space(self, which: str) -> VersionSpace:
        return getattr(self, which)


def make_deprecation(space: VersionSpace, plan: Plan, release: str,
                     feature_versions: Mapping[str, object]) -> Deprecation:
    """The spaces for deprecating `plan`'s `release`; `feature_versions` maps each feature name to
    the `versions:` block of its file."""
    new_plans = tuple(
        replace(p, releases=tuple(r for r in p.releases if r != release),
                deprecated=tuple(sorted({*p.deprecated, release}, key=release_key, reverse=True)))
        if p.short == plan.short else p
        for p in space.plans)
    numbers = _numbers(feature_versions)
    old = space
    new = VersionSpace(new_plans, space.retired)
    dep = Deprecation(plan, release, old, new, _with_future(old, numbers), _with_future(new, numbers))
    for which in ("old", "new", "old_plus", "new_plus"):
        target = dep.space(which)
        dep.features[which] = {
            name: evaluate_versions(value, target, None, allow_feature=False)[0]
            for name, value in feature_versions.items()}
    return dep


def _numbers(feature_versions: Mapping[str, object]) -> list[str]:
    found = []
    for value in feature_versions.values():
        if isinstance(value, dict):
            for rng in value.values():
                found += re.findall(r"\d+(?:\.\d+)*", str(rng))
    return found


def _with_future(space: VersionSpace, numbers: list[str]) -> VersionSpace:
    plans = []
    for p in space.plans:
        if p.numbered:
            newest = release_key(p.releases[0])
            major = max([newest[0], *(release_key(n)[0] for n in numbers)]) + 1
            future = {f"{newest[0]}.{newest[1] + 1 if len(newest) > 1 else 1}", f"{major}.0"}
            p = replace(p, releases=tuple(sorted({*p.releases, *future}, key=release_key, reverse=True)))
        plans.append(p)
    return VersionSpace(tuple(plans), space.retired)


# Conditions -----------------------------------------------------------------------------------


def truth(node: Node, dep: Deprecation, which: str) -> frozenset[str]:
    """Ids of the versions of `dep.<which>` where `node` holds."""
    space, features = dep.space(which), dep.features[which]
    return frozenset(v.id for v in space.versions if node.evaluate(v, features, space.retired))


def _all(dep: Deprecation, which: str) -> frozenset[str]:
    return frozenset(v.id for v in dep.space(which).versions)


def _fold(node: Node, dep: Deprecation) -> tuple[Node, bool]:
    """`node` with every comparison that is constant on the remaining and future releases of its
    plan replaced, and constants folded; whether anything changed."""
    if isinstance(node, Compare):
        value = _constant_compare(node, dep.new)
        if value is None:
            return node, False
        if node.op == "!=":
            return (Const(True) if value else Not(Name(node.plan, node.offset))), True
        return (Name(node.plan, node.offset) if value else Const(False)), True
    if isinstance(node, Not):
        inner, changed = _fold(node.operand, dep)
        if isinstance(inner, Const):
            return Const(not inner.value), True
        return (Not(inner) if changed else node), changed
    if isinstance(node, BoolOp):
        left, lc = _fold(node.left, dep)
        right, rc = _fold(node.right, dep)
        for const, other in ((left, right), (right, left)):
            if isinstance(const, Const):
                absorbing = const.value == (node.op == "or")
                return (Const(const.value) if absorbing else other), True
        return (BoolOp(node.op, left, right) if lc or rc else node), lc or rc
    return node, False


def _constant_compare(node: Compare, new: VersionSpace) -> bool | None:
    """The value of `plan OP release` on every release of the plan from its oldest remaining one
    on (today's and future ones), or None when it depends on the release."""
    plan = new.plan(node.plan)
    if plan is None or not plan.numbered or node.plan in new.retired:
        return None
    oldest, rel = release_key(plan.releases[-1]), release_key(node.release)
    if rel < oldest:
        return node.op in (">", ">=", "!=")
    if rel == oldest and node.op in (">=", "<"):
        return node.op == ">="
    return None


def condition_text(node: Node) -> str:
    """The condition as `ifversion` text (right-to-left grouping needs brackets only on the left)."""
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Compare):
        return f"{node.plan} {node.op} {node.release}"
    if isinstance(node, Const):
        return "true" if node.value else "false"
    if isinstance(node, Not):
        inner = condition_text(node.operand)
        return f"not ({inner})" if isinstance(node.operand, BoolOp) else f"not {inner}"
    assert isinstance(node, BoolOp)
    left = condition_text(node.left)
    if isinstance(node.left, BoolOp):
        left = f"({left})"
    return f"{left} {node.op} {condition_text(node.right)}"


@dataclass(frozen=True)
class Simplified:
    """A condition after deprecation: `value` when it became constant, else `text`."""

    text: str | None
    value: bool | None
    changed: bool
    new: frozenset[str]
    """Where it holds among the remaining (and future) versions."""
    old: frozenset[str]
    """Where the original held among the old (and future) versions."""


def simplify_condition(text: str, dep: Deprecation) -> Simplified:
    """Raises `ExpressionError` when `text` does not parse."""
    node = parse_expression(text)
    old = truth(node, dep, "old_plus")
    folded, changed = _fold(node, dep)
    new = truth(folded, dep, "new_plus")
    if isinstance(folded, Const):
        return Simplified(None, folded.value, True, new, old)
    everything, old_all = _all(dep, "new_plus"), _all(dep, "old_plus")
    constant_now = new in (everything, frozenset())
    constant_before = old in (old_all, frozenset())
    if constant_now and (changed or not constant_before):
        return Simplified(None, new == everything, True, new, old)
    if changed:
        return Simplified(condition_text(folded), None, True, new, old)
    return Simplified(text, None, False, new, old)


# Blocks ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BranchPlan:
    action: str
    """"keep", "drop" or "default" (the branch becomes the block's `else`, or its only text)."""
    text: str | None = None
    """The new condition of a kept branch whose condition changed."""


def plan_block(conditions: list[str], has_else: bool, dep: Deprecation) -> tuple[list[BranchPlan], str]:
    """What becomes of each branch of `{% ifversion c1 %}…{% elsif c2 %}…{% else %}…`, and of the
    `else` ("keep", "drop"; "drop" also when there is none)."""
    plans: list[BranchPlan] = []
    covered_new: frozenset[str] = frozenset()
    covered_old: frozenset[str] = frozenset()
    everything, old_all = _all(dep, "new_plus"), _all(dep, "old_plus")
    dropped = False
    for i, text in enumerate(conditions):
        s = simplify_condition(text, dep)
        reach_new, reach_old = s.new - covered_new, s.old - covered_old
        covered_old |= s.old
        if s.value is False or (not reach_new and reach_old):
            plans.append(BranchPlan("drop"))
            dropped = True
            continue
        rest = everything - covered_new
        if s.value is True or (s.new >= rest and (dropped or s.changed)):
            plans.append(BranchPlan("default"))
            plans += [BranchPlan("drop")] * (len(conditions) - i - 1)
            return plans, "drop"
        plans.append(BranchPlan("keep", s.text if s.changed else None))
        covered_new |= s.new
    if not has_else:
        return plans, "drop"
    reach_new, reach_old = everything - covered_new, old_all - covered_old
    return plans, "drop" if not reach_new and reach_old else "keep"


# Ranges ---------------------------------------------------------------------------------------

REMOVE = "<remove>"
"""`simplify_range`'s answer for a range that holds for no remaining release."""

_COMPARATOR = re.compile(r"(?:<=|>=|<|>|=|~|\^)?\s*v?[0-9xX*][0-9xX*.]*")


def _holds(rng: str, releases) -> frozenset[str]:
    test = parse_range(rng)
    return frozenset(r for r in releases if test(coerce(r)))


def simplify_range(plan_key: str, rng: str, dep: Deprecation) -> str:
    """The frontmatter range `rng` of plan `plan_key` after deprecation: `'*'` when it now holds
    for every release, `REMOVE` for none, comparisons about deprecated releases dropped, or `rng`
    itself. Ranges that do not parse are returned as they are."""
    plan = dep.new_plus.plan(plan_key)
    if plan is None or not plan.numbered or not isinstance(rng, str):
        return rng
    try:
        new = _holds(rng, plan.releases)
        old = _holds(rng, dep.old_plus.plan(plan_key).releases)
    except RangeError:
        return rng
    if new == frozenset(plan.releases):
        return rng if rng.strip() in ("*", "x", "X") else "*"
    if not new:
        return REMOVE if old else rng
    candidate = _drop_constant_comparators(rng, plan)
    if candidate != rng:
        try:
            if _holds(candidate, plan.releases) == new:
                return candidate
        except RangeError:
            pass
    return rng


def _drop_constant_comparators(rng: str, plan: Plan) -> str:
    """`rng` without the comparators that hold (or the alternatives that fail) on every release
    from the oldest remaining one on."""
    if re.search(r"\s-\s", rng):
        return rng  # hyphen ranges are left as written
    sample = plan.releases  # remaining and future releases
    alternatives = []
    for alt in rng.split("||"):
        words = [m for m in _COMPARATOR.finditer(alt)]
        kept, failed = [], False
        for m in words:
            word = re.sub(r"\s+", "", m.group())
            try:
                held = _holds(word, sample)
            except RangeError:
                return rng
            if held == frozenset(sample):
                continue
            if not held and not _mentions_newer(word, plan):
                failed = True
                break
            kept.append(m.group())
        if failed:
            continue
        alternatives.append(" ".join(kept) if kept else "*")
    if not alternatives:
        return rng
    if "*" in alternatives:
        return "*"
    return " || ".join(alternatives)


def _mentions_newer(word: str, plan: Plan) -> bool:
    nums = re.findall(r"\d+(?:\.\d+)*", word)
    return bool(nums) and release_key(nums[0]) > release_key(plan.releases[-1])

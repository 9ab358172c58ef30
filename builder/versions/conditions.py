"""`ifversion` conditions checked against the site's plans, releases and features (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from ..core import codes
from .expression import BoolOp, Compare, ExpressionError, Name, Node, Not, Warning_, parse_expression
from .model import Version, VersionSpace, release_key

@dataclass
class Condition:
    """A parsed, checked condition; evaluation is cached per version."""

    text: str
    node: Node
    space: VersionSpace
    features: Mapping[str, frozenset[str]]
    warnings: list[Warning_] = field(default_factory=list)
    feature_names: tuple[str, ...] = ()
    """Features this condition reads (their files are dependencies of what it decides)."""
    _cache: dict[str, bool] = field(default_factory=dict, repr=False)

    def __call__(self, version: Version) -> bool:
        try:
            return self._cache[version.id]
        except KeyError:
            result = self._cache[version.id] = self.node.evaluate(
                version, self.features, self.space.retired
            )
            return result

    def __reduce__(self):  # conditions travel to worker processes as text
        return (compile_condition, (self.text, self.space, self.features))


def compile_condition(
    text: str, space: VersionSpace, features: Mapping[str, frozenset[str]]
) -> Condition:
    """Parse and check `text`; unknown names and plan misuse raise `ExpressionError`."""
    node = parse_expression(text)
    warnings: list[Warning_] = []
    names = _check(node, text, space, features, warnings)
    return Condition(text, node, space, features, warnings, names)


def _check(root: Node, text: str, space: VersionSpace, features, warnings) -> tuple[str, ...]:
    """Check every leaf; the names of the features the condition reads."""
    names: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, BoolOp):
            stack += [node.right, node.left]
        elif isinstance(node, Not):
            stack.append(node.operand)
        else:
            _check_leaf(node, text, space, features, warnings)
            if isinstance(node, Name) and node.name in features:
                names.add(node.name)
    return tuple(sorted(names))


def normalize(text: str) -> str:
    """A condition with its whitespace collapsed (the form conditions are cached by)."""
    return " ".join(text.split())


def original_span(original: str, offset: int, length: int) -> tuple[int, int]:
    """Offset and length in `original` of a span of its `normalize`d form."""
    start = _original_offset(original, offset)
    if length <= 1:
        return start, length
    return start, _original_offset(original, offset + length - 1) + 1 - start


def _original_offset(original: str, offset: int) -> int:
    pos = 0
    for m in re.finditer(r"\S+", original):
        size = len(m.group())
        if offset < pos + size:
            return m.start() + (offset - pos)
        pos += size + 1
    return len(original.rstrip())


def _check_leaf(node: Node, text: str, space: VersionSpace, features, warnings) -> None:
    if isinstance(node, Name):
        name = node.name
        if name in space.retired or name in features:
            return
        plan = space.plan(name)
        if plan is not None and plan.short == name:
            return
        if plan is not None:
            raise ExpressionError(
                codes.IFVERSION_UNKNOWN_NAME,
                f"{name!r} is a plan's long name; ifversion uses short names: use {plan.short!r}",
                node.offset,
                len(name),
            )
        known = ", ".join(p.short for p in space.plans)
        raise ExpressionError(
            codes.IFVERSION_UNKNOWN_NAME,
            f"unknown version or feature {name!r}; expected a plan ({known}), a feature from "
            f"data/features/, or a comparison such as 'ghes > 3.4'",
            node.offset,
            len(name),
        )
    elif isinstance(node, Compare):
        length = len(text[node.offset :].split(node.release, 1)[0]) + len(node.release)
        if node.plan in space.retired:
            return
        plan = space.plan(node.plan)
        if plan is None:
            raise ExpressionError(
                codes.IFVERSION_UNKNOWN_NAME,
                f"unknown plan {node.plan!r} in comparison; expected a plan with numbered releases"
                f" ({', '.join(p.short for p in space.plans if p.numbered) or 'none'})",
                node.offset,
                len(node.plan),
            )
        if plan.short != node.plan:
            raise ExpressionError(
                codes.IFVERSION_UNKNOWN_NAME,
                f"{node.plan!r} is a plan's long name; ifversion uses short names: use {plan.short!r}",
                node.offset,
                len(node.plan),
            )
        if not plan.numbered:
            raise ExpressionError(
                codes.IFVERSION_NO_RELEASES,
                f"{plan.short!r} has no numbered releases, so it cannot be compared; "
                f"use '{plan.short}' alone",
                node.offset,
                length,
            )
        rel = node.release
        if rel in plan.releases:
            return
        key = release_key(rel)
        if rel in plan.deprecated or key < release_key(plan.releases[-1]):
            always = _constant_value(node, plan)
            warnings.append(
                Warning_(
                    codes.IFVERSION_DEPRECATED,
                    f"{plan.short} {rel} is {'deprecated' if rel in plan.deprecated else 'older than every supported release'}: "
                    f"'{plan.short} {node.op} {rel}' is {str(always).lower()} on every supported "
                    f"{plan.short} release, so the condition can be simplified",
                    node.offset,
                    length,
                )
            )
            return
        if key > release_key(plan.releases[0]):
            return  # a future release: content written ahead of it is fine
        raise ExpressionError(
            codes.IFVERSION_UNKNOWN_RELEASE,
            f"{plan.short} {rel} is not a release; supported releases are "
            f"{', '.join(plan.releases)}",
            node.offset,
            length,
        )


def _constant_value(node: Compare, plan) -> bool:
    results = {
        Compare(node.plan, node.op, node.release, 0).evaluate(_FakeVersion(plan, r), {}, ())
        for r in plan.releases
    }
    return results.pop() if len(results) == 1 else False


@dataclass(frozen=True)
class _FakeVersion:
    plan: object
    release: str
    id: str = ""

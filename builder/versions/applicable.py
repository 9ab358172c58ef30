"""Frontmatter `versions:` -> the versions a page is built for (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..core import codes
from ..core.codes import Code
from ..core.describe import describe
from .model import VersionSpace
from .ranges import RangeError, parse_range, coerce


@dataclass(frozen=True)
class VersionsProblem:
    code: Code
    key: tuple[str, ...]
    """Path of the offending key inside `versions` (empty for the whole block)."""
    message: str


def evaluate_versions(
    value: object,
    space: VersionSpace,
    features: Mapping[str, frozenset[str]] | None = None,
    *,
    allow_feature: bool = True,
) -> tuple[frozenset[str], list[VersionsProblem]]:
    """Applicable version ids of a `versions:` block, and the problems found in it.

    Keys are short or long plan names with semver-range values; `feature:` (a name or a
    list) adds the versions of `data/features/<name>.yml`; retired plans add nothing.
    """
    problems: list[VersionsProblem] = []
    if not isinstance(value, dict):
        shown = "'*'" if value == "*" else describe(value)
        problems.append(
            VersionsProblem(
                codes.FM_WRONG_TYPE,
                (),
                f"versions must be a mapping of plans to ranges, such as {{fpt: '*', ghes: '>= 3.5'}}; found {shown}",
            )
        )
        return frozenset(), problems
    result: set[str] = set()
    for key, rng in value.items():
        key = str(key)
        if key == "feature" and allow_feature:
            names = rng if isinstance(rng, list) else [rng]
            for name in names:
                if not isinstance(name, str):
                    problems.append(
                        VersionsProblem(codes.FM_WRONG_TYPE, (key,), f"feature names must be text, found {describe(name)}")
                    )
                elif features is None or name not in features:
                    known = ", ".join(sorted(features or ())) or "none"
                    problems.append(
                        VersionsProblem(
                            codes.VERSIONS_UNKNOWN_FEATURE,
                            (key,),
                            f"unknown feature {name!r}; expected a file data/features/{name}.yml (known: {known})",
                        )
                    )
                else:
                    result |= features[name]
            continue
        if key in space.retired:
            continue
        plan = space.plan(key)
        if plan is None:
            known = ", ".join(p.short for p in space.plans)
            problems.append(
                VersionsProblem(
                    codes.VERSIONS_UNKNOWN_PLAN,
                    (key,),
                    f"unknown plan {key!r} in versions; expected one of {known}"
                    + (", feature" if allow_feature else "")
                    + (f" or a retired name ({', '.join(sorted(space.retired))})" if space.retired else ""),
                )
            )
            continue
        if isinstance(rng, (int, float)) and not isinstance(rng, bool):
            rng = str(rng)
        if not isinstance(rng, str):
            problems.append(
                VersionsProblem(codes.FM_WRONG_TYPE, (key,), f"the range for {key} must be text such as '*', found {describe(rng)}")
            )
            continue
        try:
            test = parse_range(rng)
        except RangeError as err:
            problems.append(VersionsProblem(codes.VERSIONS_BAD_RANGE, (key,), f"bad range {rng!r} for {key}: {err}"))
            continue
        for version in space.versions:
            if version.plan is not plan:
                continue
            if not plan.numbered or test(coerce(version.release)):
                result.add(version.id)
    return frozenset(result), problems


def matches_deprecated(value: object, space: VersionSpace) -> bool:
    """Whether a `versions:` block names deprecated releases (and so was valid once)."""
    if not isinstance(value, dict):
        return False
    for key, rng in value.items():
        plan = space.plan(str(key))
        if plan is None or not plan.deprecated or not isinstance(rng, (str, int, float)):
            continue
        try:
            test = parse_range(str(rng))
        except RangeError:
            continue
        if any(test(coerce(r)) for r in plan.deprecated):
            return True
    return False

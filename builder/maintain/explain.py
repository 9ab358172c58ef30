"""Dead, redundant and simplifiable `ifversion` conditions, and the simplest equivalent (pure).

The input is what a render recorded: for each version a block was evaluated in, the branch it
took. A branch's condition is judged only where it is evaluated (the versions that reach the
block and skip the branches before it): never true there is dead, always true there is
redundant, and true exactly where a shorter condition is true is simplifiable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from ..core import codes
from ..core.codes import Code
from ..versions.conditions import Condition, compile_condition
from ..versions.expression import BoolOp, Compare, Node, Not
from ..versions.model import VersionSpace

OK, DEAD, REDUNDANT, SIMPLIFIABLE, UNREACHED = "ok", "dead", "redundant", "simplifiable", "unreached"
COMPARISONS = (">", "<", "=", ">=")
"""Operators tried for the simplest equivalent, in order of preference (among equal sizes)."""
MAX_TERMS = 3
"""The simplest equivalent is looked for among conditions of at most this many terms."""
MAX_STEPS = 200_000
"""Combinations tried at most for one search (a site with hundreds of releases stops early)."""


@dataclass(frozen=True)
class BranchReport:
    """What one branch (`ifversion`, `elsif` or `else`) of a block does in the versions it is in."""

    tag: str
    condition: str | None
    """The condition's text (whitespace collapsed); None for `else`."""
    block: tuple[str, ...]
    """Versions the whole block is evaluated in (site order)."""
    evaluated: tuple[str, ...]
    """Versions this branch's condition is evaluated in: the block's, minus those an earlier
    branch took."""
    true_in: tuple[str, ...]
    """Versions of the block where the condition is true (for `else`: where it is rendered)."""
    rendered_in: tuple[str, ...]
    verdict: str
    simplest: str | None = None
    """For `simplifiable`: the shortest condition true on the same versions where it is evaluated."""
    after: int = -1
    """For an unreached branch: the index of the redundant branch before it (else -1)."""


def analyse_block(conditions: Sequence[Condition | None], taken: Mapping[str, int],
                  simplifier: Simplifier) -> list[BranchReport]:
    """One report per branch. `conditions` lists the branches in order (None for a final
    `else`); `taken` maps each version the block was evaluated in to the index of the branch it
    rendered (the number of conditions when it rendered `else` or nothing)."""
    order = [v for v in simplifier.space.versions if v.id in taken]
    block = tuple(v.id for v in order)
    reports: list[BranchReport] = []
    redundant_at = -1
    for i, condition in enumerate(conditions):
        tag = "else" if condition is None else ("ifversion" if i == 0 else "elsif")
        evaluated = tuple(v.id for v in order if taken[v.id] >= i)
        rendered = tuple(v.id for v in order if taken[v.id] == i)
        true_in = rendered if condition is None else tuple(v.id for v in order if condition(v))
        text = None if condition is None else condition.text
        simplest = None
        if not block or redundant_at >= 0:
            verdict = UNREACHED
        elif not rendered:  # evaluated somewhere: with nothing left, the branch before was redundant
            verdict = DEAD
        elif condition is not None and rendered == evaluated:
            verdict = REDUNDANT
            redundant_at = i
        elif condition is not None:
            simplest = simplifier.simplest(condition, evaluated, rendered)
            verdict = SIMPLIFIABLE if simplest is not None else OK
        else:
            verdict = OK
        reports.append(BranchReport(tag, text, block, evaluated, true_in, rendered, verdict, simplest,
                                    redundant_at if verdict == UNREACHED and block else -1))
    return reports


# The simplest equivalent --------------------------------------------------------------------


def size(node: Node) -> int:
    """The size of a condition in terms: a plan or a feature counts 1, a comparison 3 (name,
    operator, release), each `and`, `or` and `not` 1. (Iterative: a chain of `or` may be long.)"""
    total, stack = 0, [node]
    while stack:
        node = stack.pop()
        if isinstance(node, Compare):
            total += 3
        else:
            total += 1
            if isinstance(node, Not):
                stack.append(node.operand)
            elif isinstance(node, BoolOp):
                stack += [node.left, node.right]
    return total


class Simplifier:
    """Finds the simplest equivalent of conditions of one site (results are kept: a site has few
    distinct pairs of versions evaluated and versions true)."""

    def __init__(self, space: VersionSpace, features: Mapping[str, frozenset[str]]):
        self.space = space
        self.features = features
        self._compiled: dict[str, Condition] = {}
        self._found: dict[tuple, str | None] = {}
        self._atoms = [(plan.short, 1) for plan in space.plans] + [
            (f"{plan.short} {op} {release}", 3)
            for plan in space.plans for op in COMPARISONS for release in reversed(plan.releases)]

    def simplest(self, condition: Condition, evaluated: Sequence[str], true_in: Sequence[str]) -> str | None:
        """A condition smaller than `condition` that is true on exactly `true_in` among
        `evaluated`, or None when there is none. Candidates are plans and comparisons with
        supported releases joined by `and`/`or` (at most `MAX_TERMS` of them), and a feature the
        condition names whose versions are exactly those."""
        key = (tuple(evaluated), frozenset(true_in), condition.feature_names, size(condition.node))
        if key not in self._found:
            self._found[key] = self._search(*key)
        return self._found[key]

    def _mask(self, text: str, versions: list) -> int:
        test = self._compiled.get(text)
        if test is None:
            test = self._compiled[text] = compile_condition(text, self.space, self.features)
        return sum(1 << i for i, v in enumerate(versions) if test(v))

    def _search(self, evaluated: tuple[str, ...], true_in: frozenset[str], named: tuple[str, ...],
                budget: int) -> str | None:
        versions = [self.space.by_id[v] for v in evaluated]
        full = (1 << len(versions)) - 1
        target = sum(1 << i for i, v in enumerate(versions) if v.id in true_in)
        if target in (0, full) or budget <= 1:
            return None
        for name in named:  # a feature the writer already uses, alone
            if self._mask(name, versions) == target:
                return name
        atoms: dict[int, tuple[int, str]] = {}
        for text, cost in self._atoms:
            m = self._mask(text, versions)
            if m not in (0, full) and m not in atoms:
                atoms[m] = (cost, text)
        best = dict(atoms)
        frontier = dict(atoms)
        for _ in range(MAX_TERMS - 1):
            if len(atoms) * len(frontier) > MAX_STEPS:
                break
            grown: dict[int, tuple[int, str]] = {}
            for am, (ac, at) in atoms.items():
                for fm, (fc, ft) in frontier.items():
                    cost = ac + 1 + fc
                    if cost >= budget:
                        continue
                    # Liquid groups right to left: `a or b and c` is `a or (b and c)`.
                    for op, m in (("or", am | fm), ("and", am & fm)):
                        if cost < best.get(m, (budget, ""))[0] and cost < grown.get(m, (budget, ""))[0]:
                            grown[m] = (cost, f"{at} {op} {ft}")
            best.update(grown)
            frontier = grown
        found = best.get(target)
        return found[1] if found is not None and found[0] < budget else None


# Describing versions and findings ----------------------------------------------------------


def describe_versions(ids: Sequence[str], space: VersionSpace) -> str:
    """`fpt, ghec, ghes 3.14-3.16`: plans in site order; a plan with every release by its name,
    else its releases, runs of consecutive supported releases joined by a dash."""
    chosen = set(ids)
    parts: list[str] = []
    for plan in space.plans:
        mine = [v for v in space.versions if v.plan is plan]
        have = [v for v in mine if v.id in chosen]
        if not have:
            continue
        if len(have) == len(mine):
            parts.append(plan.short)
            continue
        ascending = list(reversed(plan.releases))
        runs: list[list[str]] = []
        for release in ascending:
            if f"{plan.name}@{release}" in chosen:
                if runs and ascending.index(runs[-1][-1]) == ascending.index(release) - 1:
                    runs[-1].append(release)
                else:
                    runs.append([release])
        parts.append(plan.short + " " + ", ".join(r[0] if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs))
    return ", ".join(parts) if parts else "no version"


@dataclass(frozen=True)
class Finding:
    """A dead or redundant branch, as a warning to print at the branch's condition (or tag)."""

    code: Code
    message: str


def finding(reports: Sequence[BranchReport], index: int, space: VersionSpace) -> Finding | None:
    """The warning for branch `index` of a block, when it is dead or redundant."""
    r = reports[index]
    later = len(reports) - index - 1
    if r.verdict == DEAD:  # an else is never dead: where nothing before it is true, it renders
        return Finding(codes.CONDITION_DEAD,
                       f"condition '{r.condition}' is never true where it is evaluated "
                       f"({describe_versions(r.evaluated, space)}), so its text is never rendered; remove the branch")
    if r.verdict == REDUNDANT:
        advice = ("remove the condition and keep its text" if index == 0
                  else "write {% else %} instead")
        if later:
            advice += (" (the branch after it is" if later == 1 else " (the branches after it are") + " never rendered)"
        return Finding(codes.CONDITION_REDUNDANT,
                       f"condition '{r.condition}' is always true where it is evaluated "
                       f"({describe_versions(r.evaluated, space)}); {advice}")
    return None

"""Render a parsed template once per distinct outcome of its version conditions.

A render records every version-dependent observation it made (each `ifversion` condition
it evaluated, each version-dependent variable it read). Another version whose observations
replay to the same values would take exactly the same path through the template, so it
shares that render instead of rendering again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from liquid.context import RenderContext
from liquid.exceptions import StopRender

from ..core.diagnostics import Diagnostic
from ..versions.model import Version
from .environment import DocsEnvironment, Parsed
from .errors import to_diagnostic
from .reach import cascades, check_unreached
from .sourcemap import Mark, included_from
from .state import CURRENT, Frame, MappedBuffer, RenderState


@dataclass
class Outcome:
    """One distinct rendering of a template and the versions that share it."""

    versions: list[Version]
    text: str
    marks: list[Mark]
    diagnostics: list[Diagnostic]
    reads: set[str]
    trace: dict = field(repr=False, default_factory=dict)
    includes: dict = field(repr=False, default_factory=dict)
    blocks: dict | None = field(repr=False, default=None)
    """With `record_blocks`: the branch each ifversion block took (see `RenderState.blocks`)."""

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def replays(env: DocsEnvironment, trace: dict, version: Version) -> bool:
    """Whether `version` makes every observation in `trace` come out the same."""
    for (kind, key), value in trace.items():
        if kind == "cond":
            if env.condition(key)(version) != value:
                return False
        elif env.version_value(key, version) != value:
            return False
    return True


def render_versions(env: DocsEnvironment, parsed: Parsed, versions: list[Version], *,
                    record_blocks: bool = False) -> list[Outcome]:
    """Outcomes covering `versions` in order; versions with the same observations share one
    (and so take the same branch of every ifversion block: `record_blocks` records them)."""
    outcomes: list[Outcome] = []
    for version in versions:
        for outcome in outcomes:
            if replays(env, outcome.trace, version):
                outcome.versions.append(version)
                break
        else:
            outcomes.append(render_once(env, parsed, version, record_blocks=record_blocks))
    return outcomes


def render_once(env: DocsEnvironment, parsed: Parsed, version: Version, *, record_blocks: bool = False) -> Outcome:
    """Render `parsed` for `version`. A template that did not parse completely is rendered as far
    as it parsed, for the problems of the rest of it and of what it includes (its text is of no use).
    `record_blocks`: also record which branch of each `ifversion` block was taken (for `explain`)."""
    path = parsed.path
    state = RenderState(version, blocks={} if record_blocks else None)
    state.stack.append(Frame(path))
    buffer = MappedBuffer(path)
    token = CURRENT.set(state)
    try:
        if parsed.template is not None:
            context = RenderContext(parsed.template, globals=env.globals_for(version))
            parsed.template.render_with_context(context, buffer)
    except StopRender:  # a limit was reached (see limits): its error is in state.errors
        pass
    finally:
        CURRENT.reset(token)
    names: frozenset[str] = frozenset()
    if not parsed.ok or state.failed:  # a file did not parse: check what it names beyond the render
        failed = state.failed
        if not parsed.ok:
            failed.insert(0, (parsed, [Frame(path)]))
        check_unreached(env, state, failed)
        names = frozenset().union(*(p.defines for p, _ in failed))
    diagnostics: list[Diagnostic] = []
    for reusable, stack in state.parse_problems:
        notes = _included_from(stack)
        diagnostics.extend(_with_notes(d, notes) for d in reusable.diagnostics)
    for err, stack in state.errors:
        if names and cascades(err, names):
            continue
        where = stack[-1].path if stack else path
        diag = to_diagnostic(err, where, notes=_included_from(stack), render=True)
        if stack and stack[-1].relocate is not None:
            diag = replace(diag, location=stack[-1].relocate(diag.location))
        diagnostics.append(diag)
    if state.stopped:  # a limit was reached: the partial text is of no use
        return Outcome([version], "", [], diagnostics, state.reads, state.trace, state.includes, state.blocks)
    return Outcome([version], buffer.getvalue(), buffer.marks, diagnostics, state.reads, state.trace,
                   state.includes, state.blocks)


def _included_from(stack: list[Frame]) -> tuple[str, ...]:
    return tuple(included_from(below.path, frame.include_token, below.relocate)
                 for below, frame in zip(reversed(stack[:-1]), reversed(stack[1:]))
                 if frame.include_token is not None)


def _with_notes(diag: Diagnostic, notes: tuple[str, ...]) -> Diagnostic:
    return replace(diag, notes=diag.notes + notes) if notes else diag

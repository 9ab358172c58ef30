"""What a file that does not parse includes beyond where its render could go, checked anyway.

A file with a Liquid syntax error is rendered as far as it parsed (for the problems further
on), but a tag that failed to parse takes its contents with it: the reusables and variables
named inside it are never rendered. Their problems would then show only once the first one
is fixed. So every data path the failed file names (recorded while parsing) that the render
did not reach is parsed here, and so on down what those include: each problem at its own file,
line and column, with the include chain as notes. Nothing here renders, so it adds no problem
that depends on a version, and it runs only for a render that already failed.
"""

from __future__ import annotations

from liquid.exceptions import UndefinedError
from liquid.token import TOKEN_WORD

from .data_tag import MAX_DEPTH
from .state import Frame, RenderState


def check_unreached(env, state: RenderState, failed: list) -> None:
    """Parse what each failed file (`Parsed`, include stack) names and the render did not meet."""
    for parsed, chain in failed:
        _walk(env, state, parsed, list(chain))


def _walk(env, state: RenderState, parsed, chain: list[Frame]) -> None:
    if len(chain) > MAX_DEPTH:
        return
    for parts, token in parsed.refs:
        if parts[0] == "reusables":
            rel = env.data.reusable_file(env.language, list(parts))
            if rel is None or rel in state.met or any(f.path == rel for f in chain):
                continue
            state.reads.add(rel)
            _with_stack(state, chain, lambda: env.reusable_template(rel, state, token))
            _walk(env, state, env.reusable_parsed(rel), chain + [Frame(rel, token)])
        else:
            found = env.data.variable(env.language, list(parts))
            if found is None or not isinstance(found.value, str):
                continue
            state.reads.add(found.file)
            if ("{%" not in found.value and "{{" not in found.value) or (found.file, found.value) in state.met:
                continue
            _, frame = _with_stack(state, chain, lambda: env.value_template(list(parts), found, state, token))
            _walk(env, state, env.value_parsed(found), chain + [frame])


def _with_stack(state: RenderState, chain: list[Frame], call):
    saved = state.stack
    state.stack = list(chain)
    try:
        return call()
    finally:
        state.stack = saved


def cascades(err, names: frozenset[str]) -> bool:
    """Whether `err` only says that a name is undefined which a tag lost to a syntax error
    (one of `names`, what the failed files assign) may have defined."""
    token = err.token
    return (isinstance(err, UndefinedError) and token is not None and token.kind == TOKEN_WORD
            and token.value in names)

"""markdown-it's link label scan, with the same results and cache, in linear time.

For each `[` (and `![`) the parser walks forward to find the `]` that closes the label, taking
each step through `skipToken`, which nests up to the parser's nesting limit. On a line of
200,000 `[` that is some ten million calls (over ten seconds). The walk here is the same walk,
step for step, except that it does not repeat itself: a step already taken in an earlier walk
(a position whose result is in the parser's cache and that neither closes the label nor is a
`[` starting another token) is remembered as a jump, and runs of such steps are crossed in
one go (the jumps are compressed as they are followed). Only new positions go through
`skipToken`, as before.
"""

from __future__ import annotations

import threading
import weakref
from types import SimpleNamespace

from markdown_it import MarkdownIt, helpers
from markdown_it.rules_inline import StateInline

_LOCAL = threading.local()


def _jumps(state: StateInline) -> dict[int, tuple[int, int]]:
    """position -> (where the walk goes on, the plain `[` crossed), for the text of `state`."""
    ref = getattr(_LOCAL, "state", None)
    if ref is None or ref() is not state:
        _LOCAL.state = weakref.ref(state)
        _LOCAL.jumps = {}
    return _LOCAL.jumps


def _follow(jumps: dict[int, tuple[int, int]], pos: int) -> tuple[int, int]:
    """Where the jumps from `pos` lead and the `[` they cross; the path is compressed."""
    hops = []
    while True:
        hop = jumps.get(pos)
        if hop is None:
            break
        hops.append((pos, hop[1]))
        pos = hop[0]
    crossed = 0
    for at, opens in reversed(hops):
        crossed += opens
        jumps[at] = (pos, crossed)
    return pos, crossed


def parse_link_label(state: StateInline, start: int, disable_nested: bool = False) -> int:
    """The offset of the `]` closing the label that starts at `start`, or -1."""
    old_pos = state.pos
    src, cache, skip = state.src, state.cache, state.md.inline.skipToken
    jumps = _jumps(state)
    level = 1
    pos = start + 1
    end = -1
    while pos < state.posMax:
        if pos in jumps:
            pos, opens = _follow(jumps, pos)
            level += opens
            continue
        marker = src[pos]
        if marker == "]":
            level -= 1
            if level == 0:
                end = pos
                break
        after = cache.get(pos)
        if after is None:
            state.pos = pos
            skip(state)
            after = state.pos
        if marker == "[":
            if after == pos + 1:  # a `[` that is plain text, not part of another token
                level += 1
                jumps[pos] = (after, 1)
            elif disable_nested:
                state.pos = old_pos
                return -1
        elif marker != "]":
            jumps[pos] = (after, 0)
        pos = after
    state.pos = old_pos
    return end


def use_fast_labels(md: MarkdownIt) -> None:
    """Give `md` (only) the faster label scan."""
    found = {name: getattr(helpers, name) for name in helpers.__all__}
    md.helpers = SimpleNamespace(**{**found, "parseLinkLabel": parse_link_label})

"""Bounds on the Markdown of one page: the number of elements (markdown-it tokens) it makes,
and the empty cells a table makes up.

markdown-it's elements cost some 300 bytes each, and a table pads every row to its header's
width: a header of 1,000 columns over rows of a single `|` made 65,000 cells from 4 KB (33 KB
took 9 s and 600 MB). Both are checked before the elements are made, so a page stops early.
Real pages make a few tens of thousands of elements, and tables fill their rows.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table as gfm_table
from markdown_it.rules_inline import StateInline

MAX_TOKENS = 250_000
"""Elements of one page's Markdown (for each version that renders differently)."""
CELLS_PER_CHARACTER = 2
"""A table may have at most this many cells per character of its text (plus 1,000): rows
may leave out cells, not nearly all of them."""


def use_budget(md: MarkdownIt) -> None:
    md.block.ruler.before("table", "budget", _block_budget)
    md.block.ruler.at("table", _bounded_table, {"alt": ["paragraph", "reference"]})
    md.inline.ruler.before("text", "budget", _inline_budget)


def over(env: dict, line: int) -> None:
    """Record that the budget ran out at `line` (0-based), once."""
    env.setdefault("too_large", line + 1)


def _block_budget(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Before each block: once the page has made MAX_TOKENS elements, the rest is left out."""
    if len(state.tokens) < MAX_TOKENS or silent:
        return False
    over(state.env, start)
    state.line = end
    return True


def _inline_budget(state: StateInline, silent: bool) -> bool:
    """Inside a paragraph: the same, counting what the page made before it (`inline_base`)."""
    if silent or state.env.get("inline_base", 0) + len(state.tokens) < MAX_TOKENS:
        return False
    over(state.env, state.env.get("inline_line", 0))
    state.pos = state.posMax
    return True


def _bounded_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's table, once its size is known to be within bounds: its cells (rows until
    the next blank line, each as wide as the header) are counted before they are made."""
    if not gfm_table(state, start, end, True):
        return False
    delimiter = state.src[state.bMarks[start + 1] + state.tShift[start + 1]: state.eMarks[start + 1]].strip()
    columns = len(delimiter.strip("|").split("|"))
    size = state.eMarks[start + 1] - state.bMarks[start]
    line = start + 2
    while line < end and not state.isEmpty(line):
        size += state.eMarks[line] - state.bMarks[line] + 1
        line += 1
    cells = columns * (line - start)
    if cells > CELLS_PER_CHARACTER * size + 1000:
        if not silent:
            state.env.setdefault("padded_table", (start + 1, cells, size))
        return False
    if len(state.tokens) + 3 * cells > MAX_TOKENS:
        if not silent:
            over(state.env, start)
        return False
    return gfm_table(state, start, end, silent)


def core_inline_within_budget(state) -> None:
    """markdown-it's inline stage, stopping when the page's elements reach MAX_TOKENS."""
    made = len(state.tokens)
    env = state.env
    for token in state.tokens:
        if token.type != "inline":
            continue
        if made >= MAX_TOKENS:
            over(env, token.map[0] if token.map else 0)
            token.children = []
            continue
        env["inline_base"], env["inline_line"] = made, token.map[0] if token.map else 0
        if token.children is None:
            token.children = []
        before = len(token.children)
        state.md.inline.parse(token.content, state.md, env, token.children)
        made += len(token.children) - before
    env.pop("inline_base", None)
    env.pop("inline_line", None)


def problems(rendered) -> list[tuple[int, object, str]]:
    """(1-based line, code, message) of the limits a rendering (a RenderedMarkdown) reached."""
    from ..core import codes

    found = []
    if rendered.padded_table:
        line, cells, size = rendered.padded_table
        found.append((line, codes.TABLE_PADDED,
                      f"this table would make {cells:,} cells from {size:,} characters, most of them empty (the "
                      f"limit is {CELLS_PER_CHARACTER} per character, plus 1,000): it is shown as text; write "
                      "the cells of each row, or give the header fewer columns"))
    if rendered.too_large:
        found.append((rendered.too_large, codes.MARKDOWN_TOO_LARGE,
                      f"the page's Markdown would make more than {MAX_TOKENS:,} elements (the limit); from "
                      "here on it is not rendered in full: split the page"))
    return found

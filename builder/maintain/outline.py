"""The `ifversion` blocks and `data` references of a parsed file, in source order (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from liquid.ast import BlockNode, Node
from liquid.token import Token

from ..core.location import Location, locate
from ..liquid_tags.data_tag import DataNode
from ..liquid_tags.ifversion_tag import IfversionNode
from ..liquid_tags.sourcemap import tag_start
from ..versions.conditions import Condition


@dataclass(frozen=True)
class DataRef:
    """A `{% data %}` (or `indented_data_reference`) tag."""

    name: str
    """The dotted path: `reusables.a.b` or `variables.product.name`."""
    at: Location
    """The tag's `{%`."""

    @property
    def kind(self) -> str:
        return "reusable" if self.name.startswith("reusables.") else "variable"


@dataclass
class Branch:
    """One branch of an `ifversion` block: its tag, condition and what it contains."""

    tag: str
    condition: Condition | None
    at: Location
    """The tag's `{%`."""
    subject: Location
    """The condition's text (the `else` keyword for `else`): where a warning points."""
    blocks: list["Block"] = field(default_factory=list)
    data: list[DataRef] = field(default_factory=list)


@dataclass
class Block:
    """An `ifversion` block, keyed as a render records it: (file, offset of its tag name)."""

    key: tuple[str, int]
    branches: list[Branch]

    @property
    def conditions(self) -> list[Condition | None]:
        return [b.condition for b in self.branches]


@dataclass
class Outline:
    """What a file contains outside any block, and its blocks."""

    blocks: list[Block] = field(default_factory=list)
    data: list[DataRef] = field(default_factory=list)


def outline(path: str, nodes: list[Node]) -> Outline:
    """The blocks and data references of a parsed template's `nodes` (`template.nodes`)."""
    top = Outline()
    _walk(path, nodes, top.blocks, top.data)
    return top


def block_of(path: str, node: IfversionNode) -> Block:
    """The branches of one parsed block, with their tags' places (the `elsif`/`else` tag that
    ends a branch is the token of that branch's parsed body)."""
    tokens = [node.token] + [body.token for _, body in node.branches]
    branches = [Branch(tag.value, condition, _at(path, tag), _subject(path, tag))
                for tag, (condition, _) in zip(tokens, node.branches)]
    if node.default is not None:
        tag = tokens[-1]
        branches.append(Branch("else", None, _at(path, tag), _subject(path, tag)))
    return Block((path, node.token.start_index), branches)


def _walk(path: str, nodes, blocks: list[Block], data: list[DataRef]) -> None:
    for node in nodes:
        if isinstance(node, IfversionNode):
            block = block_of(path, node)
            bodies = [body for _, body in node.branches] + ([node.default] if node.default is not None else [])
            for branch, body in zip(block.branches, bodies):
                _walk(path, body.nodes, branch.blocks, branch.data)
            blocks.append(block)
        elif isinstance(node, DataNode):
            data.append(DataRef(node.dotted, _at(path, node.token)))
        elif isinstance(node, BlockNode):
            _walk(path, node.nodes, blocks, data)
        else:
            _walk(path, list(node.children(None, include_partials=False)), blocks, data)


def _at(path: str, token: Token) -> Location:
    source = token.source
    start = tag_start(source, token.start_index)
    end = source.find("%}", token.start_index)
    return locate(path, source, start, (end + 2 if end != -1 else len(source)) - start)


def _subject(path: str, token: Token) -> Location:
    """The condition after the tag name (the tag name itself when it has none)."""
    source = token.source
    name_end = token.start_index + len(token.value)
    end = source.find("%}", name_end)
    end = len(source) if end == -1 else end
    raw = source[name_end:end].rstrip().removesuffix("-").rstrip()
    stripped = raw.lstrip()
    if not stripped:
        return locate(path, source, token.start_index, len(token.value))
    return locate(path, source, name_end + len(raw) - len(stripped), len(stripped))

"""Surgical edits of YAML text: a release moved in `versions.yml`, `versions:` ranges simplified,
a `children` entry removed, and where each string value is written (pure).

Nodes are found with PyYAML's composer (the pure-Python one: its marks count characters), and only
the characters of the nodes concerned change; comments, quoting and layout elsewhere stay.
"""

from __future__ import annotations

import yaml

from ..versions.model import release_key
from .rewrite import Edit
from .simplify import REMOVE, Deprecation, simplify_range


def compose(text: str):
    """The YAML node tree of `text` (None when empty); raises `yaml.YAMLError`."""
    return yaml.compose(text, Loader=yaml.SafeLoader)


def mapping_get(node, key: str):
    """(key node, value node) of `key` in a mapping node, or (None, None)."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
    return None, None


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end == -1 else end + 1


def _quote_like(text: str, node, value: str) -> str:
    quote = text[node.start_mark.index] if node.start_mark.index < len(text) else ""
    if quote == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "'" + value.replace("'", "''") + "'"


def _delete_item(text: str, seq, index: int) -> Edit:
    """Delete item `index` of a sequence node (flow: with its comma; block: its line)."""
    items = seq.value
    item = items[index]
    if seq.flow_style:
        if index + 1 < len(items):
            return Edit(item.start_mark.index, items[index + 1].start_mark.index)
        if index > 0:
            return Edit(items[index - 1].end_mark.index, item.end_mark.index)
        return Edit(item.start_mark.index, item.end_mark.index)
    return Edit(_line_start(text, item.start_mark.index), _line_end(text, item.end_mark.index - 1))


def delete_entry(text: str, mapping, key_node, value_node) -> Edit:
    """Delete one `key: value` entry of a mapping node (flow: with its comma; block: its lines)."""
    if mapping.flow_style:
        pairs = mapping.value
        i = next(j for j, (k, _) in enumerate(pairs) if k is key_node)
        if i + 1 < len(pairs):
            return Edit(key_node.start_mark.index, pairs[i + 1][0].start_mark.index)
        if i > 0:
            return Edit(pairs[i - 1][1].end_mark.index, value_node.end_mark.index)
        return Edit(key_node.start_mark.index, value_node.end_mark.index)
    end = value_node.end_mark.index
    return Edit(_line_start(text, key_node.start_mark.index), _line_end(text, max(end - 1, key_node.end_mark.index)))


def move_release(text: str, plan_short: str, release: str) -> list[Edit]:
    """Edits of `data/versions.yml` moving `release` of the plan from `releases` to `deprecated`."""
    root = compose(text)
    _, plans = mapping_get(root, "plans")
    plan = next(p for p in plans.value if mapping_get(p, "short")[1].value == plan_short)
    rel_key, releases = mapping_get(plan, "releases")
    index = next(i for i, n in enumerate(releases.value) if n.value == release)
    edits = [_delete_item(text, releases, index)]
    quoted = _quote_like(text, releases.value[index], release) if text[releases.value[index].start_mark.index] in "'\"" \
        else f'"{release}"'
    _, deprecated = mapping_get(plan, "deprecated")
    if deprecated is None or not isinstance(deprecated, yaml.SequenceNode):
        indent = rel_key.start_mark.column
        at = _line_end(text, releases.end_mark.index - 1)
        line = " " * indent + f"deprecated: [{quoted}]\n"
        if at == len(text) and not text.endswith("\n"):
            line = "\n" + line.rstrip("\n")
        edits.append(Edit(at, at, line))
        return edits
    items = deprecated.value
    if not items:
        edits.append(Edit(deprecated.start_mark.index, deprecated.end_mark.index, f"[{quoted}]"))
        return edits
    keys = [release_key(n.value) for n in items if n.value.replace(".", "").isdigit()]
    ascending = len(keys) > 1 and keys == sorted(keys)
    if deprecated.flow_style:
        if ascending:
            at = items[-1].end_mark.index
            edits.append(Edit(at, at, f", {quoted}"))
        else:
            at = items[0].start_mark.index
            edits.append(Edit(at, at, f"{quoted}, "))
        return edits
    first = items[-1] if ascending else items[0]
    line_start = _line_start(text, first.start_mark.index)
    prefix = text[line_start : first.start_mark.index]
    if ascending:
        at = _line_end(text, first.end_mark.index - 1)
        edits.append(Edit(at, at, ("" if text[:at].endswith("\n") else "\n") + prefix + quoted + "\n"))
    else:
        edits.append(Edit(line_start, line_start, prefix + quoted + "\n"))
    return edits


def range_edits(text: str, mapping, dep: Deprecation) -> tuple[list[Edit], list[str]]:
    """Edits simplifying each plan range of a `versions:` mapping node, and the keys removed."""
    edits: list[Edit] = []
    removed: list[str] = []
    if not isinstance(mapping, yaml.MappingNode):
        return edits, removed
    for key, value in mapping.value:
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode) or key.value == "feature":
            continue
        new = simplify_range(key.value, value.value, dep)
        if new == value.value:
            continue
        if new == REMOVE:
            edits.append(delete_entry(text, mapping, key, value))
            removed.append(key.value)
        else:
            edits.append(Edit(value.start_mark.index, value.end_mark.index, _quote_like(text, value, new)))
    return edits, removed


def remove_child(text: str, root, child: str) -> Edit | None:
    """The edit removing `child` from the `children:` list of a frontmatter node tree."""
    _, children = mapping_get(root, "children")
    if not isinstance(children, yaml.SequenceNode):
        return None
    for i, node in enumerate(children.value):
        if isinstance(node, yaml.ScalarNode) and node.value.rstrip("/") == child:
            return _delete_item(text, children, i)
    return None


def string_values(node, keys: tuple = ()):
    """(key path, scalar node) of every string value holding Liquid, depth first."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                yield from string_values(v, keys + (k.value,))
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            yield from string_values(v, keys + (i,))
    elif isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str" and "{%" in node.value:
        yield keys, node


def value_offsets(text: str, node) -> list[int] | None:
    """For each character of a scalar's value, its offset in `text`; None when the value is not
    written character for character (escapes, folded lines)."""
    value = node.value
    start, end = node.start_mark.index, node.end_mark.index
    raw = text[start:end]
    if node.style in ("'", '"'):
        inner = raw[1:-1]
        if inner == value:
            return list(range(start + 1, start + 1 + len(value)))
        return None
    if node.style is None:
        return list(range(start, start + len(value))) if raw == value else None
    # A block scalar: its content lines, less their indentation, must give the value.
    body_start = _line_end(text, start)
    offsets: list[int] = []
    pos = body_start
    for line in value.split("\n"):
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end == -1 else line_end
        found = text.find(line, pos, line_end + 1) if line else pos
        if found == -1 or (line and text[pos:found].strip()):
            return None
        offsets += range(found, found + len(line))
        offsets.append(found + len(line))  # the newline
        pos = line_end + 1
    offsets = offsets[: len(value)]
    return offsets if len(offsets) == len(value) else None


def map_edits(edits: list[Edit], offsets: list[int]) -> list[Edit] | None:
    """Edits on a value as edits on the file; None when one spans characters not written
    contiguously."""
    out = []
    for e in edits:
        if e.start == e.end:
            at = offsets[e.start] if e.start < len(offsets) else offsets[-1] + 1
            out.append(Edit(at, at, e.text))
            continue
        first, last = offsets[e.start], offsets[e.end - 1]
        if last - first != e.end - 1 - e.start:
            return None
        out.append(Edit(first, last + 1, e.text))
    return out

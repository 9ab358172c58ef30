"""Split YAML frontmatter from a page and find where its keys are, keeping file lines."""

from __future__ import annotations

import re
from functools import cached_property

import yaml

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.errors import ContentError
from ..core.location import Location, LineIndex

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKey(yaml.YAMLError):
    """A mapping key given twice (at any depth): YAML keeps the last value, so a reviewer
    reading the first would not see what is built. GitHub Docs (js-yaml) refuses it too."""

    def __init__(self, key: str, first: yaml.Mark, again: yaml.Mark, length: int = 0):
        super().__init__(key)
        self.key, self.first, self.again = key, first, again
        self.length = length or len(key)
        """How many characters the repeated key takes in the source (quotes included)."""


class FrontmatterLoader(Loader):
    """The safe loader, refusing a key given twice in any mapping of the frontmatter. Keys are
    compared as YAML reads them (quotes, escapes and `? key` resolved)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, yaml.Mark] = {}
            for key_node, _value in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                if key_node.value in seen:
                    start, end = key_node.start_mark, key_node.end_mark
                    raise DuplicateKey(key_node.value, seen[key_node.value], start,
                                       end.index - start.index if end.line == start.line else 1)
                seen[key_node.value] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)
_OPEN = re.compile(r"---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


class Split:
    """A source file cut into frontmatter and body; lines are those of the file.

    A Split made from the build cache (`Split.cached`) reads its text from disk only when
    something needs it (rendering the body, locating a problem)."""

    __slots__ = ("path", "data", "fm_line", "body_offset", "fm_span", "_text", "_loader", "__dict__")

    def __init__(self, path: str, text: str | None, data: dict, fm_span: tuple[int, int], fm_line: int,
                 body_offset: int, loader=None):
        self.path = path
        self.data = data
        self.fm_line = fm_line
        """File line of the first frontmatter line (2 when the file starts with `---`)."""
        self.body_offset = body_offset
        """Offset in `text` where the body starts."""
        self._text = text
        self._loader = loader
        self.fm_span = fm_span
        """Offsets in `text` of the frontmatter's YAML."""

    @classmethod
    def cached(cls, path: str, data: dict, fm_span: tuple[int, int], body_offset: int, loader) -> "Split":
        return cls(path, None, data, fm_span, 2, body_offset, loader)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._loader()
        return self._text

    def release(self, loader=None) -> None:
        """Drop the file's text (read again from `loader` when needed): a loaded page keeps only
        its frontmatter in memory until it is rendered."""
        if loader is not None:
            self._loader = loader
        if self._loader is not None:
            self._text = None

    @property
    def fm_text(self) -> str:
        return self.text[self.fm_span[0] : self.fm_span[1]]

    @property
    def body(self) -> str:
        return self.text[self.body_offset :]

    @property
    def padded_body(self) -> str:
        """The body preceded by one newline per line above it, so offsets give file lines."""
        return "\n" * self.text.count("\n", 0, self.body_offset) + self.body

    @cached_property
    def _node(self):
        try:
            return yaml.compose(self.fm_text, Loader=Loader)
        except yaml.YAMLError:
            return None

    def locate(self, keys: tuple, *, value: bool = False) -> Location:
        """Where the frontmatter key path `keys` is (or its value); the YAML is composed once."""
        line, col, length = find_in_yaml(self.fm_text, keys, value=value, node=self._node)
        line += self.fm_line - 1
        return Location(self.path, line, col, LineIndex(self.text).line_text(line), length)

    def error(self, code, message: str, keys: tuple = (), *, value: bool = False, severity=None) -> Diagnostic:
        kwargs = {"severity": severity} if severity is not None else {}
        return Diagnostic(code, message, self.locate(keys, value=value), **kwargs)


def split_frontmatter(text: str, path: str, *, required: bool = True, loader=None) -> Split:
    """Split `text`; raises `ContentError` for unclosed or unparsable frontmatter.

    `loader()` reads `text` again after `Split.release()`."""
    if not text.strip():
        if required:
            raise ContentError(
                Diagnostic(
                    codes.FILE_EMPTY,
                    "the file is empty; expected frontmatter (--- title: ... versions: ... ---) and a body",
                    Location(path, 1, 1, ""),
                )
            )
        return Split(path, text, {}, (0, 0), 1, 0, loader)
    m = _OPEN.match(text)
    if not m:
        if required:
            raise ContentError(
                Diagnostic(
                    codes.FM_MISSING_KEY,
                    "no frontmatter; a page starts with a '---' line, its YAML (title, versions) and a closing '---'",
                    Location(path, 1, 1, text.split("\n", 1)[0]),
                )
            )
        return Split(path, text, {}, (0, 0), 1, 0, loader)
    close = _CLOSE.search(text, m.end())
    if close is None:
        raise ContentError(
            Diagnostic(
                codes.FM_UNCLOSED,
                "frontmatter is never closed; expected a line '---' after the YAML",
                Location(path, 1, 1, text.split("\n", 1)[0], 3),
            )
        )
    fm_text = text[m.end() : close.start()]
    body_offset = close.end() + 1 if close.end() < len(text) else close.end()
    try:
        data = yaml.load(fm_text, Loader=FrontmatterLoader) if fm_text.strip() else {}
    except DuplicateKey as dup:
        fm_line = text.count("\n", 0, m.end())
        line = fm_line + dup.again.line + 1
        raise ContentError(Diagnostic(
            codes.FM_YAML,
            f"frontmatter is not valid YAML: the key {dup.key!r} is given twice (first on line "
            f"{fm_line + dup.first.line + 1}); YAML would keep only the last one: merge them",
            Location(path, line, dup.again.column + 1, LineIndex(text).line_text(line), dup.length))) from None
    except yaml.YAMLError as err:
        line, col, message = describe_yaml_error(err, fm_text)
        line += 1
        message = f"frontmatter is not valid YAML: {message}"
        raise ContentError(
            Diagnostic(codes.FM_YAML, message, Location(path, line, col, LineIndex(text).line_text(line)))
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError(
            Diagnostic(
                codes.FM_NOT_MAPPING,
                f"frontmatter must be a YAML mapping (key: value lines), found a {type(data).__name__}",
                Location(path, 2, 1, LineIndex(text).line_text(2)),
            )
        )
    return Split(path, text, data, (m.end(), close.start()), 2, body_offset, loader)



def find_in_yaml(fm_text: str, keys: tuple, *, value: bool = False, node=False) -> tuple[int, int, int]:
    """1-based (line, col, length) of a key path in YAML text; the closest parent if absent."""
    if node is False:
        try:
            node = yaml.compose(fm_text, Loader=Loader)
        except yaml.YAMLError:
            return 1, 1, 1
    if node is None:
        return 1, 1, 1
    best = (0, 0, 1)
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            for knode, vnode in node.value:
                if knode.value == str(key):
                    best = _span(vnode if value else knode)
                    node = vnode
                    break
            else:
                return _one_based(best)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            best = _span(node)
        else:
            return _one_based(best)
    if value and node is not None and not keys:
        best = _span(node)
    return _one_based(best)


def _span(node) -> tuple[int, int, int]:
    start, end = node.start_mark, node.end_mark
    length = end.index - start.index if end.line == start.line else 1
    return start.line, start.column, max(1, length)


def _one_based(span: tuple[int, int, int]) -> tuple[int, int, int]:
    return span[0] + 1, span[1] + 1, span[2]


def describe_yaml_error(err: yaml.YAMLError, text: str) -> tuple[int, int, str]:
    """(1-based line, column, message) of a PyYAML error in `text`, in plain words."""
    if isinstance(err, DuplicateKey):
        return err.again.line + 1, err.again.column + 1, (
            f"the key {err.key!r} is given twice (first on line {err.first.line + 1}); "
            "YAML would keep only the last one: merge them")
    if isinstance(err, yaml.reader.ReaderError):
        index = LineIndex(text)
        pos = max(0, min(err.position, len(text)))
        line, col = index.line_col(pos)
        char = err.character if isinstance(err.character, str) else chr(err.character)
        return line, col, f"unacceptable character #x{ord(char):04x}: {err.reason}"
    problem = getattr(err, "problem", None) or str(err).split("\n", 1)[0]
    context = getattr(err, "context", None)
    mark = getattr(err, "problem_mark", None)
    if context and "while parsing a flow" in context and getattr(err, "context_mark", None) is not None:
        mark = err.context_mark  # an unclosed [ or {: point at it, not where YAML gave up
    mark = mark or getattr(err, "context_mark", None)
    line = (mark.line if mark else 0) + 1
    col = (mark.column if mark else 0) + 1
    if mark is not None and text.strip() and not text[mark.index :].strip():
        line, col = LineIndex(text).line_col(len(text.rstrip()))  # gave up at the end: the last text
    return line, col, problem + (f" ({context})" if context else "")

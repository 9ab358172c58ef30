"""The `ifversion` condition language: parse, check and evaluate (pure).

Grammar (Liquid's right-to-left grouping; `not` binds to the next operand)::

    expr    := unary (("and" | "or") expr)?
    unary   := "not" unary | "(" expr ")" | NAME (OP RELEASE)?
    OP      := "=" | "!=" | "<" | ">" | "<=" | ">="
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from ..core import codes
from ..core.codes import Code
from .model import Version, release_key

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<op>!=|<=|>=|==|=>|=<|<>|=|<|>|!)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<number>\d+(?:\.\d+)*)
  | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<other>\S)
    """,
    re.VERBOSE,
)
OPERATORS = ("=", "!=", "<", ">", "<=", ">=")
_OP_HINTS = {"==": "=", "=>": ">=", "=<": "<=", "<>": "!="}
KEYWORDS = ("and", "or", "not")


class ExpressionError(Exception):
    """A problem at `offset` (with `length`) inside the expression text."""

    def __init__(self, code: Code, message: str, offset: int, length: int = 1):
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset
        self.length = max(1, length)


@dataclass(frozen=True)
class Warning_:
    code: Code
    message: str
    offset: int
    length: int


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    offset: int


def _tokenize(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "space":
            continue
        if kind == "other":
            raise ExpressionError(
                codes.IFVERSION_SYNTAX,
                f"unexpected character {m.group()!r} in ifversion condition",
                m.start(),
            )
        out.append(_Tok(kind, m.group(), m.start()))
    return out


# AST -------------------------------------------------------------------------


class Node:
    __slots__ = ()

    def evaluate(self, version: Version, features: Mapping[str, frozenset[str]], retired) -> bool:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str
    offset: int

    def evaluate(self, version, features, retired) -> bool:
        if self.name in retired:
            return False
        if self.name == version.plan.short:
            return True
        return version.id in features.get(self.name, ())


@dataclass(frozen=True, slots=True)
class Compare(Node):
    plan: str
    op: str
    release: str
    offset: int

    def evaluate(self, version, features, retired) -> bool:
        if self.plan != version.plan.short:
            return self.op == "!="
        a, b = release_key(version.release), release_key(self.release)
        return {
            "=": a == b,
            "!=": a != b,
            "<": a < b,
            ">": a > b,
            "<=": a <= b,
            ">=": a >= b,
        }[self.op]


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Node

    def evaluate(self, version, features, retired) -> bool:
        return not self.operand.evaluate(version, features, retired)


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    op: str
    left: Node
    right: Node

    def evaluate(self, version, features, retired) -> bool:
        node: Node = self
        while isinstance(node, BoolOp):  # a right-leaning chain: walk it without recursing
            left = node.left.evaluate(version, features, retired)
            if node.op == "and" and not left:
                return False
            if node.op == "or" and left:
                return True
            node = node.right
        return node.evaluate(version, features, retired)


# Parser ----------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokenize(text)
        self.pos = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def error(self, message: str, tok: _Tok | None, code: Code = codes.IFVERSION_SYNTAX):
        if tok is None:
            end = len(self.text.rstrip())
            return ExpressionError(code, message, end, 1)
        return ExpressionError(code, message, tok.offset, len(tok.text))

    def parse(self) -> Node:
        if not self.toks:
            raise ExpressionError(
                codes.IFVERSION_SYNTAX,
                "empty ifversion condition; expected a plan, a feature or a comparison such as 'ghes > 3.4'",
                0,
            )
        node = self.expr()
        tok = self.peek()
        if tok is not None:
            raise self.error(f"expected 'and', 'or' or the end of the condition, found {tok.text!r}", tok)
        return node

    def expr(self, depth: int = 0) -> Node:
        """Operands joined by and/or, grouped right to left (iterative: long chains are fine)."""
        operands = [self.unary(depth)]
        operators: list[str] = []
        while True:
            tok = self.peek()
            if tok is None or tok.kind != "name" or tok.text not in ("and", "or"):
                break
            self.take()
            if self.peek() is None:
                raise self.error(f"expected a condition after {tok.text!r}", None)
            operators.append(tok.text)
            operands.append(self.unary(depth))
        node = operands[-1]
        for op, left in zip(reversed(operators), reversed(operands[:-1])):
            node = BoolOp(op, left, node)
        return node

    def unary(self, depth: int = 0) -> Node:
        nots = 0
        tok = self.peek()
        while tok is not None and tok.kind == "name" and tok.text == "not":
            self.take()
            nots += 1
            tok = self.peek()
        if tok is None:
            raise self.error("expected a plan, a feature or a comparison", None)
        if tok.kind == "lparen":
            if depth >= MAX_PARENS:
                raise self.error(f"parentheses are nested more than {MAX_PARENS} deep", tok)
            self.take()
            node = self.expr(depth + 1)
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise self.error("expected ')' to close '('", close if close else None)
            self.take()
            return _negate(node, nots)
        return _negate(self.atom(tok), nots)

    def atom(self, tok: _Tok) -> Node:
        if tok.kind == "op" and tok.text == "!":
            raise self.error("use 'not' instead of '!'", tok)
        if tok.kind != "name" or tok.text in KEYWORDS:
            raise self.error(
                f"expected a plan, a feature or a comparison such as 'ghes > 3.4', found {tok.text!r}",
                tok,
            )
        self.take()
        nxt = self.peek()
        if nxt is not None and nxt.kind == "op":
            self.take()
            if nxt.text in _OP_HINTS:
                raise self.error(
                    f"unknown operator {nxt.text!r}; use {_OP_HINTS[nxt.text]!r}"
                    " (operators: = != < > <= >=)",
                    nxt,
                )
            if nxt.text not in OPERATORS:
                raise self.error(f"unknown operator {nxt.text!r}; expected one of = != < > <= >=", nxt)
            rel = self.peek()
            if rel is None or rel.kind != "number" or "." not in rel.text:
                raise self.error(
                    f"expected a release number such as 3.5 after '{tok.text} {nxt.text}'"
                    + (f", found {rel.text!r}" if rel else ""),
                    rel,
                )
            self.take()
            return Compare(tok.text, nxt.text, rel.text, tok.offset)
        if nxt is not None and nxt.kind == "number":
            raise self.error(
                f"expected an operator between {tok.text!r} and {nxt.text!r}, such as '{tok.text} >= {nxt.text}'",
                nxt,
            )
        return Name(tok.text, tok.offset)


MAX_PARENS = 32


def _negate(node: Node, count: int) -> Node:
    return Not(node) if count % 2 else node


def parse_expression(text: str) -> Node:
    """Parse an `ifversion` condition; raises `ExpressionError` on bad syntax."""
    return _Parser(text).parse()

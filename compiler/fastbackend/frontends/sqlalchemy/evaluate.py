"""Turn libcst expressions into static values (values.py), resolving names through a Scope."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import libcst as cst

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.positions import Positions
from fastbackend.frontends.sqlalchemy.scope import Scope

_EMPTY = cst.Module(body=[])
START = v.Pos(1, 1)
# Values nested deeper than this are unknown: no model states a column that deep, and every
# later stage (folding, lowering) may then recurse over values without nearing Python's limit.
MAX_DEPTH = 48


class Evaluator:
    """Evaluates expressions of one scope; ``annotation`` mode parses string forward references."""

    def __init__(self, scope: Scope, positions: Positions | None, fallback: v.Pos = START,
                 undefined: list[tuple[str, v.Pos]] | None = None) -> None:
        self.scope = scope
        self.positions = positions
        self.fallback = fallback
        self.locals: frozenset[str] = frozenset()  # lambda parameters
        self.depth = 0
        # names Python would not find, shared by the evaluators of one module
        self.undefined: list[tuple[str, v.Pos]] = [] if undefined is None else undefined

    def pos(self, node: cst.CSTNode) -> v.Pos:
        if self.positions is None:  # an expression parsed from a string: point at the string
            return self.fallback
        return self.positions.of(node, self.fallback)

    def value(self, node: cst.BaseExpression) -> v.Value:
        handler = _HANDLERS.get(type(node))
        if handler is None or self.depth >= MAX_DEPTH:
            return v.Unknown(_code(node), self.pos(node))
        self.depth += 1
        try:
            return handler(self, node)
        finally:
            self.depth -= 1

    def annotation(self, node: cst.BaseExpression) -> v.Value:
        """Like value(), but "User" or "list[Post]" in strings are read as expressions."""
        if isinstance(node, cst.SimpleString):
            text = _string_value(node)
            if isinstance(text, str):
                return self.parsed(text, self.pos(node), annotation=True)
        if isinstance(node, cst.Subscript):
            base = self.value(node.value)
            literal = isinstance(base, v.Ref) and base.qname in _LITERAL  # strings are values
            return v.Subscript(base, self._slices(node, not literal), self.pos(node))
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return v.Union(self.annotation(node.left), self.annotation(node.right), self.pos(node))
        return self.value(node)

    def parsed(self, text: str, pos: v.Pos, annotation: bool = False) -> v.Value:
        """Evaluate Python source held in a string; positions point at the string."""
        # "User", "models.User": most forward references, read without running the parser
        if _DOTTED.fullmatch(text) and text not in ("None", "True", "False"):
            head, _, rest = text.partition(".")
            qname = self.scope.resolve(head) + (f".{rest}" if rest else "")
            return v.Ref(qname, text, pos)
        try:
            node = cst.parse_expression(text)
        except cst.ParserSyntaxError:
            return v.Unknown(text, pos)
        inner = Evaluator(self.scope, None, pos)
        return inner.annotation(node) if annotation else inner.value(node)

    def _slices(self, node: cst.Subscript, annotation: bool) -> tuple[v.Value, ...]:
        items: list[v.Value] = []
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                value = element.slice.value
                items.append(self.annotation(value) if annotation else self.value(value))
            else:
                items.append(v.Unknown(_code(element.slice), self.pos(element)))
        return tuple(items)

    # handlers, one per node type

    def name(self, node: cst.Name) -> v.Value:
        constants = {"True": True, "False": False, "None": None}
        if node.value in constants:
            return v.Lit(constants[node.value], self.pos(node))
        if node.value in self.locals:
            return v.Unknown(node.value, self.pos(node))
        if self.positions is not None and not self.scope.knows(node.value):
            # Names in strings are looked up in SQLAlchemy's class registry instead.
            self.undefined.append((node.value, self.pos(node)))
        return v.Ref(self.scope.resolve(node.value), node.value, self.pos(node))

    def attribute(self, node: cst.Attribute) -> v.Value:
        base = self.value(node.value)
        if isinstance(base, v.Ref):
            text = f"{base.text}.{node.attr.value}"
            return v.Ref(f"{base.qname}.{node.attr.value}", text, self.pos(node))
        return v.Attr(base, node.attr.value, self.pos(node))

    def string(self, node: cst.SimpleString | cst.ConcatenatedString) -> v.Value:
        return v.Lit(_string_value(node), self.pos(node))

    def formatted(self, node: cst.FormattedString) -> v.Value:
        parts = [p.value for p in node.parts if isinstance(p, cst.FormattedStringText)]
        if len(parts) == len(node.parts):
            return v.Lit("".join(parts), self.pos(node))
        return v.Unknown(_code(node), self.pos(node))

    def number(self, node: cst.Integer | cst.Float) -> v.Value:
        return v.Lit(node.evaluated_value, self.pos(node))

    def unary(self, node: cst.UnaryOperation) -> v.Value:
        inner = self.value(node.expression)
        number = isinstance(inner, v.Lit) and isinstance(inner.value, int | float) and not (
            isinstance(inner.value, bool))
        if isinstance(node.operator, cst.Minus) and number:
            assert isinstance(inner, v.Lit) and isinstance(inner.value, int | float)
            return v.Lit(-inner.value, self.pos(node))
        return v.Unknown(_code(node), self.pos(node))

    def call(self, node: cst.Call) -> v.Value:
        args: list[v.Value] = []
        kwargs: list[tuple[str, v.Value]] = []
        for arg in node.args:
            if arg.star:
                args.append(v.Unknown(_code(arg.value), self.pos(arg.value)))
            elif arg.keyword is not None:
                kwargs.append((arg.keyword.value, self.value(arg.value)))
            else:
                args.append(self.value(arg.value))
        return v.Call(self.value(node.func), tuple(args), tuple(kwargs), self.pos(node))

    def sequence(self, node: cst.Tuple | cst.List | cst.Set) -> v.Value:
        items = tuple(
            self.value(e.value) if isinstance(e, cst.Element)
            else v.Unknown(_code(e.value), self.pos(e.value))
            for e in node.elements
        )
        return v.Seq(items, self.pos(node))

    def dictionary(self, node: cst.Dict) -> v.Value:
        items: list[tuple[v.Value, v.Value]] = []
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                items.append((self.value(element.key), self.value(element.value)))
            else:
                return v.Unknown(_code(node), self.pos(node))
        return v.Mapping(tuple(items), self.pos(node))

    def subscript(self, node: cst.Subscript) -> v.Value:
        return v.Subscript(self.value(node.value), self._slices(node, False), self.pos(node))

    def binary(self, node: cst.BinaryOperation) -> v.Value:
        if isinstance(node.operator, cst.Add):
            return self._concatenation(node)
        if isinstance(node.operator, cst.BitOr):
            return v.Union(self.value(node.left), self.value(node.right), self.pos(node))
        if isinstance(node.operator, cst.BitAnd):
            return v.BoolOp((self.value(node.left), self.value(node.right)), self.pos(node))
        return v.Unknown(_code(node), self.pos(node))

    def _concatenation(self, node: cst.BinaryOperation) -> v.Value:
        """``"a" + "b" + ...`` (any length, read in a loop): one string when every term is a
        string literal (or a name folded to one later is not: that stays unknown)."""
        terms: list[cst.BaseExpression] = []
        current: cst.BaseExpression = node
        while isinstance(current, cst.BinaryOperation) and isinstance(current.operator, cst.Add):
            terms.append(current.right)
            current = current.left
        terms.append(current)
        strings = [_string_value(t) if isinstance(t, cst.SimpleString | cst.ConcatenatedString)
                   else None for t in reversed(terms)]
        if all(isinstance(s, str) for s in strings):
            return v.Lit("".join(s for s in strings if isinstance(s, str)), self.pos(node))
        return v.Unknown(_code(node), self.pos(node))

    def comparison(self, node: cst.Comparison) -> v.Value:
        if len(node.comparisons) == 1 and isinstance(node.comparisons[0].operator, cst.Equal):
            right = self.value(node.comparisons[0].comparator)
            return v.Compare(self.value(node.left), right, self.pos(node))
        return v.Unknown(_code(node), self.pos(node))

    def lambda_(self, node: cst.Lambda) -> v.Value:
        params = frozenset(p.name.value for p in node.params.params)
        outer, self.locals = self.locals, self.locals | params
        try:
            return v.Lambda(self.value(node.body), self.pos(node))
        finally:
            self.locals = outer


_HANDLERS: dict[type[cst.CSTNode], Callable[[Evaluator, Any], v.Value]] = {
    cst.Name: Evaluator.name,
    cst.Attribute: Evaluator.attribute,
    cst.SimpleString: Evaluator.string,
    cst.ConcatenatedString: Evaluator.string,
    cst.FormattedString: Evaluator.formatted,
    cst.Integer: Evaluator.number,
    cst.Float: Evaluator.number,
    cst.UnaryOperation: Evaluator.unary,
    cst.Call: Evaluator.call,
    cst.Tuple: Evaluator.sequence,
    cst.List: Evaluator.sequence,
    cst.Set: Evaluator.sequence,
    cst.Dict: Evaluator.dictionary,
    cst.Subscript: Evaluator.subscript,
    cst.BinaryOperation: Evaluator.binary,
    cst.Comparison: Evaluator.comparison,
    cst.Lambda: Evaluator.lambda_,
}


_LITERAL = frozenset({"typing.Literal", "typing_extensions.Literal"})
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_PLAIN = re.compile(r"""("[^"\\\n]*"|'[^'\\\n]*')""")


def _string_value(node: cst.SimpleString | cst.ConcatenatedString) -> str | bytes | None:
    """A string literal's value; plain quoted strings without escapes skip literal_eval."""
    if isinstance(node, cst.SimpleString) and _PLAIN.fullmatch(node.value):
        return node.value[1:-1]
    return node.evaluated_value


def _code(node: cst.CSTNode) -> str:
    """The source of an expression, for messages; "..." for one too deep to print without
    recursing as deep as it is nested."""
    return "..." if _deeper_than(node, MAX_DEPTH) else _EMPTY.code_for_node(node)


def _deeper_than(node: cst.CSTNode, limit: int) -> bool:
    stack = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in current.children)
    return False

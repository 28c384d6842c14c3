"""Column references inside relationship arguments: ``foreign_keys``, ``remote_side``,
``primaryjoin`` and ``secondaryjoin`` given as expressions, lambdas or strings.

SQLAlchemy evaluates the strings against the class registry, so in a string the class *name* is
what counts (``"Comment.id"``, ``"and_(User.id == Address.user_id)"``).
"""

from __future__ import annotations

import libcst as cst

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.index import TableIndex
from fastbackend.frontends.sqlalchemy.mapping import Model
from fastbackend.frontends.sqlalchemy.names import sa_name

JOIN_FUNCTIONS = frozenset({"and_", "foreign", "remote"})


def refs_in(value: v.Value | None) -> list[v.Ref]:
    """Every name an expression compares or lists (``a == b``, ``[a, b]``, ``and_(...)``)."""
    if isinstance(value, v.Lambda):
        value = value.body
    if isinstance(value, v.Lit) and isinstance(value.value, str):
        return [v.Ref(name, name, value.pos) for name in dotted_names(value.value)]
    if isinstance(value, v.Ref):
        return [value]
    if isinstance(value, v.Seq):
        return [r for item in value.items for r in refs_in(item)]
    if isinstance(value, v.Compare):
        return [*refs_in(value.left), *refs_in(value.right)]
    if isinstance(value, v.BoolOp):
        return [r for part in value.parts for r in refs_in(part)]
    if isinstance(value, v.Call) and isinstance(value.func, v.Ref) and sa_name(
            value.func.qname) in JOIN_FUNCTIONS:
        return [r for arg in value.args for r in refs_in(arg)]
    return []


def comparisons(value: v.Value | None) -> list[v.Compare]:
    """The ``a == b`` parts of a join condition (``and_(...)``, ``&``, a lambda)."""
    if isinstance(value, v.Lambda):
        value = value.body
    if isinstance(value, v.Compare):
        return [value]
    if isinstance(value, v.BoolOp):
        return [c for part in value.parts for c in comparisons(part)]
    if isinstance(value, v.Call) and _join_function(value) == "and_":
        return [c for arg in value.args for c in comparisons(arg)]
    return []


def foreign_side(value: v.Value) -> v.Value | None:
    """``foreign(Address.user_id)`` -> ``Address.user_id``; None when not annotated foreign."""
    if isinstance(value, v.Call) and _join_function(value) == "foreign" and value.args:
        return value.args[0]
    return None


def unwrap(value: v.Value) -> v.Value:
    """A column without its ``foreign()``/``remote()`` annotation."""
    if isinstance(value, v.Call) and _join_function(value) in ("foreign", "remote") and value.args:
        return unwrap(value.args[0])
    return value


def _join_function(call: v.Call) -> str | None:
    """and_/foreign/remote, imported from SQLAlchemy or, in a string, bare (SQLAlchemy evaluates
    those strings with its own names in scope)."""
    if not isinstance(call.func, v.Ref):
        return None
    name = sa_name(call.func.qname) or call.func.text
    return name if name in JOIN_FUNCTIONS else None


class _DottedNames(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        dotted = _dotted(node)
        if dotted:
            self.found.append(dotted)
        return False  # the whole dotted name is one reference


def dotted_names(text: str) -> list[str]:
    """``"[Post.author_id]"`` -> ``["Post.author_id"]``; unparsable text -> []."""
    try:
        node = cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return []
    visitor = _DottedNames()
    node.visit(visitor)
    return visitor.found


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr.value}" if head else None
    return None


def string_columns(index: TableIndex, model: Model, value: v.Lit) -> list[v.Value]:
    """``foreign_keys="[Post.author_id]"``, ``remote_side="Comment.id"`` or a bare ``"id"``,
    as references to the attributes of the classes they name."""
    text = str(value.value)
    names = dotted_names(text)
    if not names:
        names = [f"{model.cls.fact.name}.{name.strip()}"
                 for name in text.strip("[]() ").split(",") if name.strip().isidentifier()]
    return [_registry_ref(index, name, value.pos) for name in names]


def _registry_ref(index: TableIndex, text: str, pos: v.Pos) -> v.Value:
    owner, _, attr = text.rpartition(".")
    model = index.by_name.get(owner.rsplit(".", 1)[-1]) if owner else None
    if model is None:
        return v.Ref(text, text, pos)
    return v.Ref(f"{model.cls.fact.qname}.{attr}", text, pos)

"""Collect facts from one parsed module: imports, classes and their attributes, module statements.

Nothing here decides what a class *is*; that is interpretation (classes.py and after).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import libcst as cst
import libcst.matchers as m

from fastbackend.frontends.sqlalchemy import matchers
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.evaluate import START, Evaluator
from fastbackend.frontends.sqlalchemy.facts import (
    AssignmentFact,
    AttributeFact,
    ClassFact,
    ModuleFacts,
    StatementFact,
)
from fastbackend.frontends.sqlalchemy.names import is_declared_attr
from fastbackend.frontends.sqlalchemy.positions import Positions
from fastbackend.frontends.sqlalchemy.scope import Bindings, Scope


def collect_module(
    module: cst.Module, name: str, path: Path, relative: str, text: str, is_package: bool,
    syntax: ast.Module | None = None,
) -> ModuleFacts:
    positions = Positions(module, text, syntax)
    scope = Scope(name, is_package, bindings=Bindings.of(text, relative))
    statements = list(_flatten(module.body))
    for statement in statements:
        _declare(scope, statement)
    facts = ModuleFacts(name, path, relative, text, scope)
    evaluator = Evaluator(scope, positions, undefined=facts.undefined)
    for statement in statements:
        # a position for expressions too deeply nested to locate on their own
        evaluator.fallback = positions.statement(statement, START)
        _collect_statement(facts, evaluator, statement)
    facts.conditions.extend(evaluator.pos(test) for test in _conditions(module.body))
    return facts


def _conditions(body: Sequence[cst.CSTNode]) -> list[cst.BaseExpression]:
    """Tests of ``if`` blocks that declare classes or attributes (other than TYPE_CHECKING):
    the compiler reads what they declare as if the condition held."""
    found: list[cst.BaseExpression] = []
    for statement in body:
        if isinstance(statement, cst.ClassDef):
            found.extend(_conditions(statement.body.body))
        elif isinstance(statement, cst.If) and _guards_declarations(statement):
            found.append(statement.test)
    return found


def _flatten(body: Sequence[cst.BaseStatement | cst.BaseSmallStatement]) -> list[cst.CSTNode]:
    """Module statements, looking into ``if`` and ``try:`` blocks; an ``if TYPE_CHECKING:`` block
    gives only its imports (its declarations are for type checkers), and an
    ``if __name__ == "__main__":`` block nothing (it never runs on import)."""
    found: list[cst.CSTNode] = []
    for statement in body:
        if isinstance(statement, cst.If) and m.matches(statement.test, matchers.MAIN_GUARD):
            continue
        if isinstance(statement, cst.If) and m.matches(statement.test, matchers.TYPE_CHECKING):
            found.extend(s for s in _flatten(statement.body.body) if m.matches(s, matchers.IMPORT))
            if isinstance(statement.orelse, cst.Else):  # what runs: the `else:` branch
                found.extend(_flatten(statement.orelse.body.body))
        elif isinstance(statement, cst.If | cst.Try):
            found.extend(_flatten(statement.body.body))
            if isinstance(statement, cst.Try):
                for handler in statement.handlers:
                    found.extend(_flatten(handler.body.body))
        elif isinstance(statement, cst.SimpleStatementLine):
            found.extend(statement.body)
        else:
            found.append(statement)
    return found


def _guards_declarations(statement: cst.If) -> bool:
    if m.matches(statement.test, matchers.TYPE_CHECKING | matchers.MAIN_GUARD):
        return False
    return any(m.matches(s, matchers.DECLARATION) for s in statement.body.body)


def _declare(scope: Scope, statement: cst.CSTNode) -> None:
    if isinstance(statement, cst.Import | cst.ImportFrom):
        scope.add_import(statement)
    elif isinstance(statement, cst.ClassDef | cst.FunctionDef):
        scope.defined.add(statement.name.value)
    elif m.matches(statement, matchers.NAME_ASSIGN):
        assert isinstance(statement, cst.Assign)
        target = statement.targets[0].target
        assert isinstance(target, cst.Name)
        scope.defined.add(target.value)
    elif m.matches(statement, matchers.NAME_ANN_ASSIGN):
        assert isinstance(statement, cst.AnnAssign)
        assert isinstance(statement.target, cst.Name)
        scope.defined.add(statement.target.value)


def _collect_statement(facts: ModuleFacts, evaluator: Evaluator, statement: cst.CSTNode) -> None:
    if isinstance(statement, cst.ClassDef):
        facts.classes.append(_class(facts.name, evaluator, statement))
    elif isinstance(statement, cst.Assign) and m.matches(statement, matchers.NAME_ASSIGN):
        target = statement.targets[0].target
        assert isinstance(target, cst.Name)
        _assignment(facts, evaluator, target, statement.value)
    elif isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name):
        if statement.value is not None:
            _assignment(facts, evaluator, statement.target, statement.value)
    elif isinstance(statement, cst.Expr):
        value = evaluator.value(statement.value)
        facts.statements.append(StatementFact(value, evaluator.pos(statement.value)))
    elif isinstance(statement, cst.FunctionDef):
        _function(facts, evaluator, statement)


def _function(facts: ModuleFacts, evaluator: Evaluator, node: cst.FunctionDef) -> None:
    """``def now_utc(): return datetime.now(timezone.utc)`` means what ``lambda:`` of its one
    returned expression means (a default=now_utc is then a named generator)."""
    for decorator in node.decorators:  # @event.listens_for(...): seen like event.listen(...)
        facts.statements.append(StatementFact(evaluator.value(decorator.decorator),
                                              evaluator.pos(decorator.decorator)))
    body = _without_docstring(node.body)
    if node.decorators or not m.matches(body, matchers.SINGLE_RETURN_BODY):
        return
    statement = body.body[0]
    assert isinstance(statement, cst.SimpleStatementLine)
    returned = statement.body[0]
    assert isinstance(returned, cst.Return)
    if returned.value is None:
        return
    params = frozenset(p.name.value for p in node.params.params)
    outer, evaluator.locals = evaluator.locals, params
    try:
        value = v.Lambda(evaluator.value(returned.value), evaluator.pos(node.name))
    finally:
        evaluator.locals = outer
    facts.assignments[node.name.value] = AssignmentFact(node.name.value, value,
                                                        evaluator.pos(node.name))


def _assignment(
    facts: ModuleFacts, evaluator: Evaluator, target: cst.Name, node: cst.BaseExpression
) -> None:
    # Type aliases (Annotated[...]) read best as annotations; other values as plain expressions.
    value = evaluator.annotation(node) if isinstance(node, cst.Subscript) else evaluator.value(node)
    previous = facts.assignments.get(target.value)
    if previous is not None:  # T = T.with_variant(...): T on the right is the previous binding
        value = v.rebind(value, f"{facts.name}.{target.value}", previous.value)
    facts.assignments[target.value] = AssignmentFact(target.value, value, evaluator.pos(target))


def _class(module: str, outer: Evaluator, node: cst.ClassDef) -> ClassFact:
    statements = list(_class_statements(node))
    attrs = frozenset(_attribute_names(statements))
    evaluator = Evaluator(outer.scope.for_class(node.name.value, attrs), outer.positions,
                          undefined=outer.undefined)
    bases = tuple(outer.value(arg.value) for arg in node.bases if arg.keyword is None)
    keywords = tuple(
        (arg.keyword.value, outer.value(arg.value)) for arg in node.keywords
        if arg.keyword is not None
    )
    attributes: list[AttributeFact] = []
    for statement in statements:
        if outer.positions is not None:
            evaluator.fallback = outer.positions.statement(statement, outer.fallback)
        attribute = _attribute(evaluator, statement)
        if attribute is not None:
            attributes.append(attribute)
    return ClassFact(
        name=node.name.value,
        qname=f"{module}.{node.name.value}",
        module=module,
        bases=bases,
        keywords=keywords,
        decorators=tuple(outer.value(d.decorator) for d in node.decorators),
        attributes=_last_wins(attributes),
        docstring=_docstring(node.body),
        pos=outer.pos(node.name),
        hooks=tuple((s.name.value, outer.pos(s.name)) for s in statements
                    if isinstance(s, cst.FunctionDef) and s.name.value in CLASS_HOOKS),
    )


# Methods that run when a subclass is created and may rewrite what the class body says.
CLASS_HOOKS = frozenset({"__init_subclass__", "__table_cls__", "__declare_first__",
                         "__declare_last__"})


def _last_wins(attributes: list[AttributeFact]) -> tuple[AttributeFact, ...]:
    """A name assigned twice in a class body means its last value at its first place, as in
    Python (the class namespace is a dict: assigning a key again keeps its position). An
    annotation alone (``name: str``) assigns nothing: the earlier value stays."""
    found: dict[str, AttributeFact] = {}
    for attribute in attributes:
        earlier = found.get(attribute.name)
        if earlier is not None and attribute.value is None and attribute.annotation is not None:
            attribute = replace(attribute, value=earlier.value)
        found[attribute.name] = attribute
    return tuple(found.values())


def _class_statements(node: cst.ClassDef) -> list[cst.CSTNode]:
    if not isinstance(node.body, cst.IndentedBlock):
        return list(node.body.body)
    return _flatten(node.body.body)


def _attribute_names(statements: list[cst.CSTNode]) -> list[str]:
    names: list[str] = []
    for statement in statements:
        if m.matches(statement, matchers.NAME_ASSIGN):
            assert isinstance(statement, cst.Assign)
            target = statement.targets[0].target
            assert isinstance(target, cst.Name)
            names.append(target.value)
        elif isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name):
            names.append(statement.target.value)
    return names


def _attribute(evaluator: Evaluator, statement: cst.CSTNode) -> AttributeFact | None:
    if isinstance(statement, cst.Assign) and m.matches(statement, matchers.NAME_ASSIGN):
        target = statement.targets[0].target
        assert isinstance(target, cst.Name)
        return AttributeFact(target.value, None, evaluator.value(statement.value),
                             evaluator.pos(target))
    if isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name):
        value = evaluator.value(statement.value) if statement.value is not None else None
        return AttributeFact(statement.target.value, evaluator.annotation(statement.annotation.annotation),
                             value, evaluator.pos(statement.target))
    if isinstance(statement, cst.FunctionDef):
        return _declared_attr(evaluator, statement)
    return None


def _declared_attr(evaluator: Evaluator, node: cst.FunctionDef) -> AttributeFact | None:
    decorators = [evaluator.value(d.decorator) for d in node.decorators]
    if not any(_is_declared_attr(d) for d in decorators):
        return None
    params = node.params.params
    cls_param = params[0].name.value if params else None
    inner = Evaluator(evaluator.scope.for_function(cls_param), evaluator.positions,
                      undefined=evaluator.undefined)
    pos = evaluator.pos(node.name)
    value: v.Value = v.Unknown(f"the body of {node.name.value}()", pos)
    body = _without_docstring(node.body)
    if m.matches(body, matchers.SINGLE_RETURN_BODY):
        statement = body.body[0]
        assert isinstance(statement, cst.SimpleStatementLine)
        returned = statement.body[0]
        assert isinstance(returned, cst.Return)
        if returned.value is not None:
            value = inner.value(returned.value)
    annotation = None
    if node.returns is not None:
        annotation = evaluator.annotation(node.returns.annotation)
    return AttributeFact(node.name.value, annotation, value, pos, declared_attr=True)


def _is_declared_attr(value: v.Value) -> bool:
    if isinstance(value, v.Call):
        value = value.func
    return isinstance(value, v.Ref) and is_declared_attr(value.qname)


def _without_docstring(body: cst.BaseSuite) -> cst.BaseSuite:
    if isinstance(body, cst.IndentedBlock) and body.body and m.matches(body.body[0], matchers.DOCSTRING):
        return body.with_changes(body=body.body[1:])
    return body


def _docstring(body: cst.BaseSuite) -> str | None:
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return None
    first = body.body[0]
    if not m.matches(first, matchers.DOCSTRING):
        return None
    assert isinstance(first, cst.SimpleStatementLine)
    expr = first.body[0]
    assert isinstance(expr, cst.Expr)
    assert isinstance(expr.value, cst.SimpleString | cst.ConcatenatedString)
    text = expr.value.evaluated_value
    return _clean_docstring(text) if isinstance(text, str) else None


def _clean_docstring(text: str) -> str | None:
    import inspect

    cleaned = inspect.cleandoc(text).strip()
    return cleaned or None

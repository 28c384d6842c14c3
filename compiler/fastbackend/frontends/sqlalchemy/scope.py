"""Name resolution: what a name in a module means, by what it is rather than how it is spelled.

One import table per module (``import sqlalchemy as sa``, ``from sqlalchemy import Column as C``,
relative imports between the modules of a package) resolves every name to a qualified name. The
same table serves names in real code and in strings the compiler parses (forward-referenced
annotations), which libcst's QualifiedNameProvider cannot see, and it crosses module boundaries.
"""

from __future__ import annotations

import builtins
import symtable
from dataclasses import dataclass, field

import libcst as cst

BUILTINS = frozenset(dir(builtins))
# What the import system binds in every module's namespace (``__file__``, ``__name__``, ...).
MODULE_GLOBALS = frozenset({"__file__", "__name__", "__doc__", "__package__", "__spec__",
                            "__loader__", "__builtins__", "__path__", "__cached__"})
CLS = "@cls"  # the class a declared_attr function receives


@dataclass(frozen=True)
class Bindings:
    """Names bound at module level and in each top-level class body."""

    module: frozenset[str]
    classes: dict[str, frozenset[str]]

    @classmethod
    def of(cls, text: str, filename: str) -> Bindings | None:
        try:
            table = symtable.symtable(text, filename, "exec")
        except (SyntaxError, ValueError):
            return None
        module = frozenset(s.get_name() for s in table.get_symbols()
                           if s.is_assigned() or s.is_imported() or s.is_namespace())
        classes = {child.get_name(): frozenset(s.get_name() for s in child.get_symbols()
                                               if s.is_assigned() or s.is_imported())
                   for child in table.get_children() if child.get_type() == "class"}
        return cls(module, classes)


@dataclass
class Scope:
    module: str
    is_package: bool = False
    imports: dict[str, str] = field(default_factory=dict)
    stars: list[str] = field(default_factory=list)
    defined: set[str] = field(default_factory=set)
    class_name: str | None = None
    class_attrs: frozenset[str] = frozenset()
    cls_param: str | None = None
    bindings: Bindings | None = None
    modules: list[str] = field(default_factory=list)  # `import a.b.c` loads a.b.c, binds `a`

    def resolve(self, name: str) -> str:
        if name == self.cls_param:
            return CLS
        if self.class_name is not None and name in self.class_attrs:
            return f"{self.module}.{self.class_name}.{name}"
        if name in self.imports:
            return self.imports[name]
        if name in self.defined:
            return f"{self.module}.{name}"
        if name in BUILTINS:
            return f"builtins.{name}"
        if self.stars:
            return f"{self.stars[0]}.{name}"
        return f"{self.module}.{name}"

    def knows(self, name: str) -> bool:
        """Whether ``name`` is bound here (Python would raise NameError otherwise); the
        bindings come from CPython's symbol table (``symtable``), which sees every kind."""
        if self.bindings is None:
            return True  # no symbol table: do not guess
        return (name == self.cls_param or name in self.bindings.module or name in BUILTINS
                or name in MODULE_GLOBALS
                or bool(self.stars) or name in self.bindings.classes.get(self.class_name or "", ()))

    def with_names(self, names: dict[str, str]) -> Scope:
        """This scope, where ``names`` (class name -> qualified name) are also known: SQLAlchemy
        evaluates relationship strings against its class registry."""
        return Scope(self.module, self.is_package, {**names, **self.imports}, self.stars,
                     self.defined, self.class_name, self.class_attrs, self.cls_param, self.bindings)

    def for_class(self, name: str, attrs: frozenset[str]) -> Scope:
        return Scope(self.module, self.is_package, self.imports, self.stars, self.defined,
                     name, attrs, bindings=self.bindings)

    def for_function(self, cls_param: str | None) -> Scope:
        """Inside a declared_attr function, whose first parameter is the mapped class."""
        return Scope(self.module, self.is_package, self.imports, self.stars, self.defined,
                     self.class_name, self.class_attrs, cls_param, self.bindings)

    def add_import(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            self._add_plain_import(node)
        else:
            self._add_from_import(node)

    def _add_plain_import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.imports[alias.asname.name.value] = dotted
            else:
                head = dotted.split(".")[0]
                self.imports[head] = head
                self.modules.append(dotted)

    def _add_from_import(self, node: cst.ImportFrom) -> None:
        source = self._absolute(node)
        if isinstance(node.names, cst.ImportStar):
            self.stars.append(source)
            return
        for alias in node.names:
            name = _dotted(alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.imports[local] = f"{source}.{name}" if source else name

    def _absolute(self, node: cst.ImportFrom) -> str:
        module = _dotted(node.module) if node.module is not None else ""
        dots = len(node.relative)
        if dots == 0:
            return module
        package = self.module.split(".") if self.is_package else self.module.split(".")[:-1]
        base = package[: len(package) - (dots - 1)] if dots > 1 else package
        return ".".join([*base, module] if module else base)


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""

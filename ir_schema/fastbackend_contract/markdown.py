"""The docs' tables of the contract, generated from tables.py and scalars.py.

A docs page marks each generated table with ``<!-- contract:NAME -->`` and
``<!-- /contract:NAME -->``; ``regenerate`` rewrites what lies between, and
tests/contract/test_docs_tables.py fails when a page differs from it. To regenerate:

    make docs        # python -m fastbackend_contract.markdown docs/*.md
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from fastbackend_contract import scalars, tables

_BLOCK = re.compile(r"(<!-- contract:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /contract:(?P=name) -->)",
                    re.DOTALL)


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    header = list(header)
    lines = [_row(header), "|" + "---|" * len(header)]
    lines += [_row(row) for row in rows]
    return "\n".join(lines) + "\n"


def _row(cells: Iterable[str]) -> str:
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def _code(text: str) -> str:
    return f"`{text}`"


def _types(types: tuple[str, ...]) -> str:
    return "every comparable type" if types == tables.COMPARABLE_TYPES else ", ".join(types)


def parameters() -> str:
    return _table(("parameter", "syntax", "default"), (
        (_code(p.name) if p.reserved else p.name, p.syntax, p.default) for p in tables.PARAMETERS))


def operators() -> str:
    return _table(("operator", "in `where=` also", "meaning", "types"), (
        (_code(op.name), _code(op.prisma) if op.prisma not in (None, op.name) else "",
         op.meaning, _types(op.types)) for op in tables.OPERATORS))


def _default(limit: tables.Limit) -> str:
    return f"{limit.default}" + (" s" if limit.unit == "seconds" else "")


def query_limits() -> str:
    return _table(("limit", "environment", "default", "counts"), (
        (_code(limit.key), _code(limit.env), _default(limit), limit.governs)
        for limit in tables.LIMITS if limit.query))


def limits() -> str:
    return _table(("fastbackend.yaml `limits:`", "environment", "default", "bounds"), (
        (_code(limit.key), ", ".join(_code(env) for env in (limit.env, *limit.aliases)),
         _default(limit), limit.governs) for limit in tables.LIMITS))


def problems() -> str:
    return _table(("status", "title", "type", "when"), (
        (str(p.status), tables.TITLES[p.status], _code(p.slug), p.when) for p in tables.PROBLEMS))


def _json_type(row: scalars.Scalar) -> str:
    kind, form = row.json.get("type"), row.json.get("format")
    if kind is None:
        return "any JSON value" if row.name == "json" else "its enum's schema"
    return _code(f"{kind}" + (f" / {form}" if form else ""))


def scalar_types() -> str:
    return _table(("logical type", "JSON", "Python", "zod", "Prisma", "SQLAlchemy", "operators"), (
        (_code(row.name), _json_type(row), _code(row.python),
         _code(row.zod) if row.zod else ("its values" if row.name == "enum" else "not carried"),
         _code(row.prisma) if row.prisma else ("the enum" if row.name == "enum"
                                               else "`Unsupported`"),
         _code(row.sql), row.family or "none") for row in scalars.SCALARS))



def preferences() -> str:
    def answer(row: tables.MinimalAnswer) -> str:
        kept = " + " + ", ".join(_code(h) for h in row.headers) if row.headers else ""
        return f"{row.status}, no body{kept}"

    return _table(("route action", "`Prefer: return=minimal`", "`return=representation`"), (
        (_code(row.action), answer(row),
         _representation(row)) for row in tables.MINIMAL_ANSWERS))


def _representation(row: tables.MinimalAnswer) -> str:
    if row.counted:
        return ('`{"count": n, "data": [rows]}` (the default: `{"count": n}`)')
    if row.representation:
        return "the route's own answer (the default)"
    return "not honoured: no body either way"


def count_methods() -> str:
    return _table(("`count` / `Prefer: count=`", "`meta.total`"), (
        (_code(method.name), method.meaning) for method in tables.COUNT_METHODS))


TABLES: dict[str, Callable[[], str]] = {
    "scalar-types": scalar_types, "parameters": parameters, "operators": operators,
    "query-limits": query_limits,
    "limits": limits, "problems": problems, "preferences": preferences,
    "count-methods": count_methods,
}


def regenerate(text: str) -> str:
    """``text`` with every marked table as the contract's tables say; an unknown name raises."""
    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in TABLES:
            raise KeyError(f"no contract table {name!r}; known: {', '.join(TABLES)}")
        return match.group(1) + TABLES[name]() + match.group(4)

    return _BLOCK.sub(replace, text)


def marked(text: str) -> list[str]:
    return [match.group("name") for match in _BLOCK.finditer(text)]


def main(paths: list[str]) -> int:
    for name in paths:
        path = Path(name)
        text = path.read_text("utf-8")
        updated = regenerate(text)
        if updated != text:
            path.write_text(updated, "utf-8")
            print(f"regenerated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

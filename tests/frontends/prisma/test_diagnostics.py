"""Every FB2xx code from a small schema, at a stated line and column (1-based)."""

from __future__ import annotations

import pytest

from fastbackend.codes import CODES
from fastbackend.diagnostics import CompileError
from fastbackend.frontends.prisma import compile_texts

PG = 'datasource db {\n  provider = "postgresql"\n}\n'
CASES = {
    # code: (schema, line, column)
    "FB200": ("model A {\n  id Int @id }\n", 2, 14),
    "FB201": ('model A {\n  id Int @id\n  p String @default("C:\\Users")\n}\n', 3, 21),
    "FB202": ("model A {\n  id Int @id\n  b Strin\n}\n", 3, 5),
    "FB203": ("model A {\n  id Int @id\n  id String\n}\n", 3, 3),
    "FB204": ("model A {\n  id Int @id @foo\n}\n", 2, 14),
    "FB205": ('model A {\n  id Int @id\n  b String @map("x", name: "y")\n}\n', 3, 22),
    "FB206": ("model A {\n  id Int @id @default(rand())\n}\n", 2, 23),
    "FB207": ("model A {\n  id Int @id\n  b B\n  bId Int\n}\nmodel B {\n  id Int @id\n}\n",
              3, 3),
    "FB208": ("model N {\n  id Int @id\n  pId Int?\n"
              "  p N? @relation(fields: [pId], references: [id])\n  c N[]\n}\n", 4, 3),
    "FB209": ("model U {\n  id Int @id\n  ps P[]\n}\nmodel P {\n  id Int @id\n  uId Int\n"
              "  u U @relation(fields: [uId], references: [id], onDelete: Explode)\n}\n", 8, 60),
    "FB210": ("model A {\n  name String\n}\n", 1, 1),
    "FB211": ('datasource db {\n  provider = "oracle"\n}\n', 2, 3),
    "FB212": ("model 1A {\n  id Int @id\n}\n", 1, 7),
    "FB213": ("model A {\n  id Int @id\n  tags String[]?\n}\n", 3, 8),
    "FB214": ("model A {\n  id Int @id\n  @@index([nope])\n}\n", 3, 3),
    "FB215": (PG + "type T {\n  a String\n}\nmodel A {\n  id Int @id\n}\n", 4, 1),
    "FB216": (PG + "model A {\n  id Int @id\n  n String @pg.VarChar(3)\n}\n", 6, 12),
    "FB217": ("model A {\n  id Int @id\n  c /* x */ Int\n}\n", 3, 5),
    "FB218": (PG + "view V {\n  id Int @unique\n}\n", 4, 1),
    "FB219": ("enum E {\n}\nmodel A {\n  id Int @id\n}\n", 1, 1),
    "FB220": (PG + "model A {\n  id Int @id\n  @@schema(\"x\")\n}\n", 6, 3),
    "FB222": ('datasource db {\n  provider = "mongodb"\n}\nmodel A {\n  id String @id '
              '@map("_id") @db.ObjectId\n}\n', 2, 14),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_is_reported_at_its_position(code: str) -> None:
    text, line, column = CASES[code]
    with pytest.raises(CompileError) as raised:
        compile_texts({"schema.prisma": text})
    found = [(d.code, d.line, d.column) for d in raised.value.errors]
    assert (code, line, column) in found


WARNINGS = {
    # code: (schema, line, column); the schema compiles, with this warning
    "FB221": ('datasource db {\n  provider = "mysql"\n  relationMode = "prisma"\n}\n'
              "model P {\n  id Int @id\n  cs C[]\n}\nmodel C {\n  id Int @id\n  pId Int\n"
              "  p P @relation(fields: [pId], references: [id])\n}\n", 12, 7),
}


@pytest.mark.parametrize("code", sorted(WARNINGS))
def test_warning_is_reported_at_its_position(code: str) -> None:
    text, line, column = WARNINGS[code]
    result = compile_texts({"schema.prisma": text})
    assert (code, line, column) in [(d.code, d.line, d.column) for d in result.warnings]
    assert all(not d.is_error for d in result.warnings)


def test_every_prisma_code_has_a_case() -> None:
    assert sorted([*CASES, *WARNINGS]) == sorted(c for c in CODES if c.startswith("FB2"))


def test_diagnostics_print_file_line_column_and_a_caret() -> None:
    with pytest.raises(CompileError) as raised:
        compile_texts({"schema.prisma": "model A {\n  id Int @id\n  b Strin\n}\n"})
    printed = raised.value.diagnostics[0].format()
    assert printed.splitlines() == [
        'schema.prisma:3:5: error FB202: Type "Strin" is neither a built-in type, nor refers to '
        'another model, composite type, or enum. Did you mean "String"?',
        "      b Strin",
        "        ^",
    ]


def test_all_errors_are_collected() -> None:
    text = "model A {\n  id Int @id\n  b Strin\n  c Foo\n  d Int @bar\n}\n"
    with pytest.raises(CompileError) as raised:
        compile_texts({"schema.prisma": text})
    assert [(d.line, d.code) for d in raised.value.errors] == [
        (3, "FB202"), (4, "FB202"), (5, "FB204")]


def test_syntax_errors_on_several_lines_are_all_reported() -> None:
    text = "model A {\n  id Int @id\n  ??? x\n  b Int\n  c Int }\n}\nnot prisma\n"
    with pytest.raises(CompileError) as raised:
        compile_texts({"schema.prisma": text})
    assert [(d.line, d.code) for d in raised.value.errors] == [
        (3, "FB200"), (5, "FB200"), (7, "FB200")]
    messages = [d.message for d in raised.value.errors]
    assert messages[0] == "This line is not a valid field or attribute definition."
    assert messages[2].startswith("This line is invalid. It does not start with any known")


HINTS = {
    "model A {\n  id Int @id\n  @@index([id,\n    b])\n}\n": (3, "must fit on one line"),
    "model A {\n  id Int @id }\n": (2, "`}` must be on a line of its own"),
    "model A\n{\n  id Int @id\n}\n": (1, "`{` must end the line that names the block"),
    "\ufeffmodel A {\n  id Int @id\n}\n": (1, "byte-order mark"),
    "model A {\n  id Int @id\n  _x String\n}\n": (3, "cannot start with `_`"),
    "model A {\n  id Int @id\n  s String @default('x')\n}\n": (3, "double quotes"),
    'model A {\n  id Int @id\n  s String @default("x)\n}\n': (3, "string is not closed"),
    "model A {\n  id Int @id\n  @unique\n}\n": (3, "on the field's own line"),
    "model A {\n  id Int @id\n": (2, "ends inside a block"),
}


@pytest.mark.parametrize("text", sorted(HINTS))
def test_syntax_errors_name_the_broken_rule(text: str) -> None:
    line, hint = HINTS[text]
    with pytest.raises(CompileError) as raised:
        compile_texts({"schema.prisma": text})
    found = [(d.line, d.message) for d in raised.value.errors if d.code == "FB200"]
    assert any(at == line and hint in message for at, message in found), found

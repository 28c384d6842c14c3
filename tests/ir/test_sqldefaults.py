"""The shared rule of SQL defaults (fastbackend_ir.sqldefaults): which the application makes,
which the database must run. Both servers read it (tables.py, the Express emitter)."""

from __future__ import annotations

import pytest

from fastbackend_ir import Field, GeneratorDefault, LiteralDefault, SqlDefault
from fastbackend_ir.sqldefaults import application_default, database_default


def _field(expression: str, type_: str = "uuid", **more: object) -> Field:
    return Field(name="id", column="id", type=type_, default=SqlDefault(expression), **more)  # type: ignore[arg-type]


@pytest.mark.parametrize("expression", ["gen_random_uuid()", "(gen_random_uuid())",
                                        "GEN_RANDOM_UUID ()", "uuid_generate_v4()", "uuid()"])
@pytest.mark.parametrize("type_", ["uuid", "string"])
def test_uuid_functions_are_made_by_the_application(expression: str, type_: str) -> None:
    field = _field(expression, type_)
    assert application_default(field) == GeneratorDefault("uuid4")
    assert database_default(field) is None


@pytest.mark.parametrize("field", [
    _field("gen_random_uuid()", "integer"),
    _field("gen_random_uuid()", "string", list=True),
    _field("md5(gen_random_uuid()::text)", "string"),
])
def test_other_uses_stay_with_the_database(field: Field) -> None:
    assert application_default(field) is None
    assert database_default(field) == field.default.expression  # type: ignore[union-attr]


def test_only_sql_defaults_are_the_databases() -> None:
    assert database_default(Field(name="n", column="n", type="integer",
                                  default=LiteralDefault(0))) is None
    assert database_default(Field(name="at", column="at", type="datetime",
                                  default=GeneratorDefault("now"))) is None
    assert database_default(_field("now()", "datetime", updated_at=True)) is None
    assert database_default(_field("", "string")) is None  # Prisma's bare dbgenerated()
    assert database_default(_field("nextval('s')", "integer")) == "nextval('s')"

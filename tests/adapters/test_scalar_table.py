"""Every adapter's spelling of a scalar type is its row of fastbackend_contract.scalars, unless
the adapter overrides it from the field's own details (length, precision, time zone, enum)."""

from __future__ import annotations

import typing

import pytest
import sqlalchemy as sa

from fastbackend_contract import scalars
from fastbackend_contract.scalars import Scalar
from fastbackend_express import context, pages, prisma_types, zod
from fastbackend_fastapi import pytypes, tables
from fastbackend_ir import IR, Field, FieldRoles, Source
from fastbackend_openapi import jsontypes, where

ROWS = [row for row in scalars.SCALARS if row.name != "enum"]
IR_ = IR(ir_version="1.2.0", source=Source(language="sqlalchemy"), entities={})


def _field(row: Scalar) -> Field:
    return Field(name="value", column="value", type=row.name,  # type: ignore[arg-type]
                 roles=FieldRoles(readable=True))


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_the_openapi_schema_is_the_row_unless_overridden(row: Scalar) -> None:
    if row.name not in jsontypes.OVERRIDES or row.name == "datetime":
        assert jsontypes.scalar(_field(row), IR_) == row.json


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_the_filter_component_is_the_rows(row: Scalar) -> None:
    if row.family is not None and row.name != "datetime":
        assert where.kind(_field(row)) == row.filter


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_the_express_spellings_are_the_rows(row: Scalar) -> None:
    field = _field(row)
    assert zod.carried(field) == row.express
    if not row.express:
        assert prisma_types.prisma_type(field) == f'Unsupported("{row.name}")'
        return
    if row.name not in zod.OVERRIDES:
        assert zod.scalar(field, IR_) == row.zod
    assert zod.read_expression(field, IR_) == row.zod_read
    assert prisma_types.prisma_type(field) == row.prisma
    assert prisma_types.native_type(field) == row.prisma_native
    assert context._key_cast(IR_, field) == row.pg_cast
    assert (row.name in pages.RAW_KINDS) == row.raw_page


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_the_runtime_column_type_is_the_rows(row: Scalar) -> None:
    column = tables.scalar_type(IR_, _field(row))
    if row.name not in tables.COLUMN_TYPES:
        assert type(column) is getattr(sa, row.sql)
        for option, value in row.sql_options.items():
            assert getattr(column, option) == value


def _base(annotation: typing.Any) -> typing.Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_the_runtime_parses_to_the_rows_python_type(row: Scalar) -> None:
    built = _base(pytypes.python_type(_field(row), IR_))
    if row.python.startswith("pydantic."):
        assert built is pytypes.JsonValue
        return
    module, _, name = row.python.rpartition(".")
    assert (built.__module__, built.__qualname__) == (module or "builtins", name)

"""The MySQL/MariaDB dialect's decisions that need no server: DDL, order, errors
(docs/dialects.md). The behaviour on a real MariaDB is the runtime suite's `[mariadb]` runs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import pymysql
import pytest
import sqlalchemy as sa

from fastbackend_fastapi.database import dialects, errors
from fastbackend_fastapi.database.dialects.mysql import MySQL, TrimmedDecimal
from fastbackend_fastapi.database.sqltypes import AwareDateTime

MYSQL = dialects.for_url("mysql+pymysql://u@h/db")


def _ddl(*columns: sa.Column[Any]) -> str:
    table = sa.Table("t", sa.MetaData(), *columns, **MYSQL.table_options(False))
    return str(sa.schema.CreateTable(table).compile(dialect=MYSQL.sqlalchemy_dialect()))


def test_generic_types_get_lengths_microseconds_and_a_binary_collation() -> None:
    ddl = _ddl(sa.Column("name", sa.String()), sa.Column("code", sa.String(20)),
               sa.Column("at", AwareDateTime()), sa.Column("clock", sa.Time()),
               sa.Column("body", sa.Text()))
    assert "name VARCHAR(191)" in ddl and "code VARCHAR(20)" in ddl
    assert "at DATETIME(6)" in ddl and "clock TIME(6)" in ddl and "body TEXT" in ddl
    assert "CHARSET=utf8mb4" in ddl and "COLLATE utf8mb4_bin" in ddl


def test_a_decimal_without_precision_keeps_its_own_digits() -> None:
    trimmed = TrimmedDecimal()
    assert "DECIMAL(65, 30)" in _ddl(sa.Column("price", trimmed))
    read = trimmed.process_result_value(Decimal("1.500000000000000000000000000000"),
                                        MYSQL.sqlalchemy_dialect())
    assert str(read) == "1.5"
    assert str(trimmed.process_result_value(Decimal("100.000"), MYSQL.sqlalchemy_dialect())) \
        == "100"


def test_nulls_sort_last_ascending_and_first_descending() -> None:
    column = sa.column("x")
    query = sa.select(column).order_by(MYSQL.order(column, False, True),
                                       MYSQL.order(sa.column("y"), True, True),
                                       MYSQL.order(sa.column("z"), False, False))
    sql = str(query.compile(dialect=MYSQL.sqlalchemy_dialect()))
    assert sql.endswith("ORDER BY x IS NULL ASC, x ASC, y IS NULL DESC, y DESC, z ASC")


@pytest.mark.parametrize(("code", "failure"), [
    (1205, "busy"), (1213, "busy"), (1969, "timeout"), (3024, "timeout"), (1146, "schema"),
    (1064, None),
])
def test_failures_by_error_number(code: int, failure: str | None) -> None:
    error = pymysql.err.OperationalError(code, "message")
    assert isinstance(dialects.raised(error), MySQL)  # MariaDB is a MySQL
    assert dialects.raised(error).failure(error) == failure


@pytest.mark.parametrize(("code", "unreachable"), [
    (2006, True), (2013, True), (2003, True), (1927, True), (1205, False), (1064, False),
])
def test_only_lost_connections_are_unreachable(code: int, unreachable: bool) -> None:
    assert MYSQL.unreachable(pymysql.err.OperationalError(code, "message")) is unreachable


def test_an_error_without_a_number_is_the_drivers_own_a_closed_connection() -> None:
    assert MYSQL.unreachable(pymysql.err.InterfaceError("closed")) is True


def test_a_violation_names_its_kind_even_without_the_catalog() -> None:
    class NoCatalog:
        constraint_fields: ClassVar[dict[str, Any]] = {}

    context = errors.Context("User", "insert", {})
    check = MYSQL.violation(pymysql.err.OperationalError(4025, "CONSTRAINT `c` failed"),
                            NoCatalog(), context)  # type: ignore[arg-type]
    assert check.kind == "check"
    too_long = MYSQL.violation(pymysql.err.DataError(1406, "Data too long"),
                               NoCatalog(), context)  # type: ignore[arg-type]
    assert too_long.kind == "data"


def test_another_databases_uuid_default_is_this_ones_uuid_in_the_columns_form() -> None:
    """gen_random_uuid() is refused by MySQL in a DEFAULT (1901): uuid() instead, without
    dashes where the uuid column is MySQL 8's CHAR(32); other SQL is left as written."""
    table = sa.Table("t", sa.MetaData(),
                     sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()")),
                     sa.Column("ref", sa.String(36), server_default=sa.text("uuid_generate_v4()")),
                     sa.Column("other", sa.String(9), server_default=sa.text("no_such()")))
    mysql8 = str(sa.schema.CreateTable(table).compile(dialect=MYSQL.sqlalchemy_dialect()))
    assert "id CHAR(32) DEFAULT (replace(uuid(), '-', ''))" in mysql8
    assert "ref VARCHAR(36) DEFAULT (uuid())" in mysql8 and "DEFAULT (no_such())" in mysql8
    mariadb = dialects.for_url("mariadb://u@h/db").sqlalchemy_dialect()
    assert "id UUID DEFAULT (uuid())" in str(sa.schema.CreateTable(table).compile(dialect=mariadb))
    assert table.c.id.server_default.arg.text == "gen_random_uuid()"  # the MetaData unchanged

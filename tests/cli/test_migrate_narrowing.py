"""Which type changes `migrate` calls destructive."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.operations import ops

from fastbackend_fastapi.database.sqltypes import AwareDateTime
from fastbackend_fastapi.narrowing import destructive_steps, narrows


@pytest.mark.parametrize(("old", "new", "narrower"), [
    (sa.String(40), sa.String(20), True),
    (sa.String(), sa.String(20), True),
    (sa.String(20), sa.String(40), False),
    (sa.String(20), sa.String(), False),
    (sa.String(20), sa.Text(), False),
    (sa.Numeric(10, 2), sa.Numeric(8, 2), True),
    (sa.Numeric(10, 2), sa.Numeric(10, 1), True),
    (sa.Numeric(8, 2), sa.Numeric(12, 4), False),
    (sa.BigInteger(), sa.Integer(), True),
    (sa.Integer(), sa.SmallInteger(), True),
    (sa.SmallInteger(), sa.BigInteger(), False),
    (sa.String(10), sa.Integer(), True),
    (sa.DateTime(timezone=True), AwareDateTime(), False),
])
def test_narrowing(old: sa.types.TypeEngine[object], new: sa.types.TypeEngine[object],
                   narrower: bool) -> None:
    assert narrows(old, new) is narrower


def test_drops_and_narrowing_are_listed_additions_are_not() -> None:
    steps = [
        ops.AddColumnOp("tags", sa.Column("slug", sa.String(40))),
        ops.DropColumnOp("tags", "slug"),
        ops.DropTableOp("old_things", schema="archive"),
        ops.AlterColumnOp("users", "name", existing_type=sa.String(100), modify_type=sa.String(50)),
        ops.AlterColumnOp("users", "bio", existing_type=sa.String(100), modify_type=sa.Text()),
    ]
    assert destructive_steps(steps) == [
        "drop column tags.slug (its values are lost)",
        "drop table archive.old_things (its rows are lost)",
        "narrow column users.name from VARCHAR(100) to VARCHAR(50) (values may not fit)",
    ]

"""Interpreted records: what a class's attributes mean as columns, relationships and tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.facts import ModuleFacts
from fastbackend.frontends.sqlalchemy.values import Pos
from fastbackend_ir import DbType, Default, FieldApi
from fastbackend_ir.nodes import LogicalType


@dataclass(frozen=True)
class EnumSpec:
    name: str
    db_name: str | None
    values: tuple[tuple[str, str | None], ...]
    module: ModuleFacts
    pos: Pos


@dataclass(frozen=True)
class TypeSpec:
    logical: LogicalType
    db: DbType | None = None
    enum: EnumSpec | None = None
    list: bool = False
    from_foreign_key: bool = False  # no type given: SQLAlchemy copies the referenced column's


@dataclass(frozen=True)
class ForeignKeySpec:
    """One ``ForeignKey(...)``: its target as written (``"users.id"`` or ``User.id``)."""

    target: v.Value
    name: str | None
    on_delete: str | None
    on_update: str | None
    pos: Pos


@dataclass(frozen=True)
class ColumnSpec:
    attr: str
    column: str
    type: TypeSpec
    nullable: bool
    primary_key: bool
    unique: bool
    index: bool
    autoincrement: bool | str
    default: Default | None
    updated_at: bool
    foreign_keys: tuple[ForeignKeySpec, ...]
    description: str | None
    pos: Pos
    sequence: bool = False
    source: str = ""  # the file that declares it (a mixin's column is in the mixin's file)
    # roles from info={"fastbackend": {"hidden": True, ...}}
    api: FieldApi = field(default_factory=FieldApi)
    sort_order: int = 0  # mapped_column(sort_order=...): where SQLAlchemy puts it in the table
    use_existing: bool = False  # mapped_column(use_existing_column=True): a parent's, reused


@dataclass(frozen=True)
class RelationshipSpec:
    attr: str
    call: v.Call
    annotation: v.Value | None
    pos: Pos
    sqlmodel: bool = False

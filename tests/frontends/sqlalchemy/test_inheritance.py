"""Inheritance in the IR: strategy, parent, discriminator and identity; single-table subclasses
repeat their parent's fields and relations, and their root lists the whole shared table."""

from __future__ import annotations

from fastbackend.pipeline import compile_path
from fastbackend_ir import Inheritance
from tests.frontends.sqlalchemy.differential import CORPUS


def test_single_table_subclasses_share_the_table_and_repeat_the_parent() -> None:
    _, result = compile_path(CORPUS / "single_table_inheritance.py")
    staff, engineer = result.ir.entities["Staff"], result.ir.entities["Engineer"]
    assert engineer.table == staff.table == "staff"
    assert engineer.inheritance == Inheritance("single", "Staff", "kind", "engineer")
    assert staff.inheritance == Inheritance("single", None, "kind", "staff")
    # the root describes the whole table (SQLAlchemy's Staff.__table__): every subclass's
    # own columns too; a subclass has its parent's fields and its own
    assert [f.name for f in staff.fields] == ["id", "name", "kind", "company_id", "language",
                                              "reports"]
    assert [f.name for f in engineer.fields] == ["id", "name", "kind", "company_id", "language"]
    assert result.source_map["/entities/Staff/fields/4"] == (
        result.source_map["/entities/Engineer/fields/4"])
    company = engineer.relation("company")
    assert company.foreign_key is not None and company.foreign_key.entity == "Engineer"
    assert result.source_map["/entities/Engineer/relations/0"] == (
        result.source_map["/entities/Staff/relations/0"])


def test_joined_subclasses_keep_their_own_table_and_relations() -> None:
    _, result = compile_path(CORPUS / "joined_table_inheritance.py")
    car = result.ir.entities["Car"]
    assert (car.table, [f.name for f in car.fields]) == ("cars", ["id", "seats"])
    assert car.inheritance == Inheritance("joined", "Vehicle", "type", "car")
    assert car.foreign_keys[0].references.entity == "Vehicle"


def test_concrete_subclasses_have_a_full_table() -> None:
    _, result = compile_path(CORPUS / "concrete_inheritance.py")
    dog = result.ir.entities["Dog"]
    assert dog.inheritance == Inheritance("concrete", "Animal", None, None)
    assert [f.name for f in dog.fields] == ["id", "name", "breed"]

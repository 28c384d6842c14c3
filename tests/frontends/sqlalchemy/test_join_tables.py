"""Association tables become joinTables with their keys, uniques and indexes, and both ends of a
many-to-many name their join columns."""

from __future__ import annotations

from fastbackend.pipeline import compile_path
from fastbackend_ir import ColumnReference, JoinColumn
from tests.frontends.sqlalchemy.differential import CORPUS


def test_an_association_table_keeps_its_keys_and_constraints() -> None:
    _, result = compile_path(CORPUS / "secondary_variants.py")
    club = result.ir.join_tables["student_club"]
    assert club.columns == (
        JoinColumn("student_id", ColumnReference("Student", "id"), on_delete="cascade"),
        JoinColumn("club_id", ColumnReference("Club", "id"), on_delete="cascade"),
    )
    assert (club.primary_key, club.uniques, club.indexes) == (
        (), (("student_id", "club_id"),), (("club_id",),))
    assert result.ir.join_tables["student_course"].primary_key == ("student_id", "course_id")


def test_both_ends_name_their_join_columns() -> None:
    _, result = compile_path(CORPUS / "self_many_to_many.py")
    account = result.ir.entities["Account"]
    following, followed_by = account.relation("following"), account.relation("followed_by")
    assert (following.join_columns, following.inverse_join_columns) == (
        ("follower_id",), ("followed_id",))
    assert (followed_by.join_columns, followed_by.inverse_join_columns) == (
        ("followed_id",), ("follower_id",))
    assert (following.inverse, followed_by.inverse) == ("followed_by", "following")


def test_a_backref_creates_the_other_end_with_swapped_join_columns() -> None:
    _, result = compile_path(CORPUS / "secondary_variants.py")
    sponsor_clubs = result.ir.entities["Sponsor"].relation("clubs")
    assert (sponsor_clubs.kind, sponsor_clubs.target, sponsor_clubs.inverse) == (
        "manyToMany", "Club", "sponsors")
    assert (sponsor_clubs.join_columns, sponsor_clubs.inverse_join_columns) == (
        ("sponsor_id",), ("club_id",))

"""Association tables become joinTables with their keys, uniques and indexes, and both ends of a
many-to-many name their join columns."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from fastbackend.pipeline import compile_path
from fastbackend_fastapi.tables import build_catalog
from fastbackend_ir import ColumnReference, IRValidationError, JoinColumn, dumps
from tests.frontends.sqlalchemy.differential import CORPUS


def test_an_association_table_keeps_its_keys_and_constraints() -> None:
    _, result = compile_path(CORPUS / "secondary_variants.py")
    club = result.ir.join_tables["student_club"]
    assert club.columns == (
        JoinColumn("student_id", ColumnReference("Student", "id"), on_delete="cascade",
                   foreign_key_name="student_club_student_id_fkey"),
        JoinColumn("club_id", ColumnReference("Club", "id"), on_delete="cascade",
                   foreign_key_name="student_club_club_id_fkey"),
    )
    assert (club.primary_key, club.uniques, club.indexes) == (
        (), (("student_id", "club_id"),), (("club_id",),))
    # The source's index name; PostgreSQL's for what SQLAlchemy leaves unnamed (IR 1.1).
    assert (club.primary_key_name, club.unique_names, club.index_names) == (
        "student_club_pkey", ("student_club_student_id_club_id_key",), ("ix_student_club_club",))
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


def test_table_level_keys_make_an_association_table() -> None:
    """#17: ForeignKeyConstraint/PrimaryKeyConstraint at table level (was FB106)."""
    _, result = compile_path(CORPUS / "core_table_constraints.py")
    post_tags = result.ir.join_tables["post_tags"]
    assert post_tags.columns == (
        JoinColumn("post_id", ColumnReference("Post", "id"), on_delete="cascade",
                   foreign_key_name="post_tags_post_id_fkey"),
        JoinColumn("tag_id", ColumnReference("Tag", "id"), on_delete="cascade",
                   foreign_key_name="post_tags_tag_id_fkey"),
    )
    assert post_tags.primary_key_name == "pk_post_tags"  # PrimaryKeyConstraint(name=...)
    assert (post_tags.primary_key, post_tags.uniques) == (("post_id", "tag_id"),
                                                          (("tag_id", "post_id"),))


def test_a_surrogate_key_is_reported_and_never_named_as_the_key() -> None:
    """#27 item 2: `likes` has its own id; the IR's join table lists foreign keys only, so its
    key is left to them (FB112 says so where each extra column is declared)."""
    _, result = compile_path(CORPUS / "core_table_constraints.py")
    likes = result.ir.join_tables["likes"]
    assert [c.name for c in likes.columns] == ["user_id", "post_id"]
    assert likes.primary_key == ()
    assert [(w.code, w.line, w.column) for w in result.warnings] == [
        ("FB112", 39, 5), ("FB112", 42, 5)]


def test_the_ir_refuses_a_join_table_key_it_does_not_list() -> None:
    _, result = compile_path(CORPUS / "core_table_constraints.py")
    likes = result.ir.join_tables["likes"]
    broken = replace(result.ir, join_tables={
        **result.ir.join_tables, "likes": replace(likes, primary_key=("id",),
                                                  indexes=(("created_at",),))})
    with pytest.raises(IRValidationError) as raised:
        dumps(broken)
    assert sorted(p.pointer for p in raised.value.problems) == [
        "/joinTables/likes/indexes/0/0", "/joinTables/likes/primaryKey/0"]


def test_the_runtime_creates_the_tables_of_a_surrogate_key_association(tmp_path: Path) -> None:
    """The IR that made the runtime crash at startup (KeyError: 'id') now creates its tables."""
    _, result = compile_path(CORPUS / "core_table_constraints.py")
    catalog = build_catalog(result.ir)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    catalog.metadata.create_all(engine)
    assert {"likes", "post_tags", "posts", "tags", "users"} <= set(sa.inspect(engine).get_table_names())
    engine.dispose()

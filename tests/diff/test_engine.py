"""Matching (renames vs removal + addition), hints and fingerprints."""

from __future__ import annotations

from collections.abc import Callable

from fastbackend.diff import compare, fingerprint
from tests.diff.cases import events, rename_status_enum, rename_tag_entity
from tests.diff.irs import Doc, edited, entity, field, typed


def rules_between(base: Doc, head: Doc) -> list[str]:
    return [finding.rule for finding in compare(typed(base), typed(head))]


def test_a_field_renamed_behind_its_column_is_one_rename_not_a_removal() -> None:
    head = edited(lambda d: field(d, "User", "name").__setitem__("name", "display_name"))
    assert rules_between(edited(), head) == ["field-renamed"]


def test_a_field_whose_name_and_column_both_change_is_removed_and_added_with_a_hint() -> None:
    def both_renamed(document: Doc) -> None:
        field(document, "User", "name").update(name="nickname", column="nickname")
    findings = compare(typed(edited()), typed(edited(both_renamed)))
    assert sorted(f.rule for f in findings) == ["field-added-optional", "field-removed"]
    removed = next(f for f in findings if f.rule == "field-removed")
    assert removed.hint == "possible rename to nickname (both name and column changed)"


def test_constraints_follow_a_field_renamed_behind_its_column() -> None:
    # Post.author_id is in a unique constraint, a foreign key and a relation: renaming the
    # attribute (column kept) must not look like dropping and re-creating them.
    def rename(document: Doc) -> None:
        field(document, "Post", "author_id")["name"] = "writer_id"
        post = entity(document, "Post")
        post["uniques"][0]["fields"] = ["writer_id", "title"]
        post["foreignKeys"][0]["fields"] = ["writer_id"]
        post["relations"][0]["foreignKey"]["fields"] = ["writer_id"]
        entity(document, "User")["relations"][0]["foreignKey"]["fields"] = ["writer_id"]
    assert rules_between(edited(), edited(rename)) == ["field-renamed"]


def test_a_renamed_enum_does_not_change_the_type_of_its_fields() -> None:
    assert rules_between(edited(), edited(rename_status_enum)) == ["enum-renamed"]


def test_an_entity_renamed_with_its_table_gets_a_possible_rename_hint() -> None:
    base = edited(lambda d: d["entities"].__setitem__("Memo", {
        **d["entities"]["Tag"], "table": "memos", "relations": []}))
    head = edited(lambda d: d["entities"].__setitem__("Note", {
        **d["entities"]["Tag"], "table": "notes", "relations": []}))
    findings = compare(typed(base), typed(head))
    removed = next(f for f in findings if f.rule == "entity-removed")
    assert removed.hint == "possible rename to Note (both entity and table names changed)"


def test_fingerprints_hash_rule_and_identity_not_positions_or_messages() -> None:
    def change(document: Doc) -> None:
        field(document, "User", "name").pop("nullable")
    plain = compare(typed(edited()), typed(edited(change)))
    # The same change, with unrelated fields added before it on both sides.
    def shift(document: Doc) -> None:
        entity(document, "User")["fields"].insert(0, {"name": "a", "column": "a",
                                                      "type": "string", "nullable": True})
    shifted = compare(typed(edited(shift)), typed(edited(shift, change)))
    assert [f.fingerprint for f in plain] == [f.fingerprint for f in shifted]
    assert [f.pointer for f in plain] != [f.pointer for f in shifted]
    assert plain[0].fingerprint == fingerprint("field-made-required", "User.name")
    assert len(plain[0].fingerprint) == 16


def test_findings_come_in_a_deterministic_order() -> None:
    def many(document: Doc) -> None:
        document["entities"].pop("Comment")
        for name in ("Post", "User"):
            entity(document, name)["relations"] = [
                r for r in entity(document, name)["relations"] if r["target"] != "Comment"]
        field(document, "Tag", "name")["nullable"] = True
    first = compare(typed(edited()), typed(edited(many)))
    second = compare(typed(edited()), typed(edited(many)))
    assert first == second
    assert [f.identity for f in first] == sorted(f.identity for f in first)


def test_a_renamed_entity_does_not_change_what_refers_to_it() -> None:
    # Tag -> Label (table kept): Post.tags and the join table now name Label; that is the
    # rename itself, not a relation retargeted or a join column changed.
    assert rules_between(edited(), edited(rename_tag_entity)) == ["entity-renamed"]


def test_foreign_keys_to_a_renamed_entity_are_unchanged() -> None:
    def rename_user(document: Doc) -> None:
        document["entities"]["Person"] = document["entities"].pop("User")
        for name in ("Post", "Comment"):
            for fk in entity(document, name)["foreignKeys"]:
                if fk["references"]["entity"] == "User":
                    fk["references"]["entity"] = "Person"
            for each in entity(document, name)["relations"]:
                if each["target"] == "User":
                    each["target"] = "Person"
    assert rules_between(edited(), edited(rename_user)) == ["entity-renamed"]


def test_moving_unique_from_a_field_to_a_constraint_is_no_change() -> None:
    def as_constraint(document: Doc) -> None:
        field(document, "Tag", "name").pop("unique")
        entity(document, "Tag")["uniques"] = [{"fields": ["name"], "name": "uq_tags_name"}]
    assert rules_between(edited(), edited(as_constraint)) == []
    # ... but a unique flag added where there was none is one finding, not two.
    def add_flag(document: Doc) -> None:
        field(document, "User", "name")["unique"] = True
    assert rules_between(edited(), edited(add_flag)) == ["field-unique-added"]


def test_a_realtime_feed_removed_is_one_finding_not_also_a_route_removed() -> None:
    # The feed's GET /tags/changes is in the contract the compiler records (each side is
    # recorded afresh): realtime-removed explains its route-removed.
    base = edited(events(lambda spec: spec.update(realtime=["Post", "Tag"], imageTables={
        "Post": "fastbackend_image_posts", "Tag": "fastbackend_image_tags"})))
    assert rules_between(base, edited(events())) == ["realtime-removed"]


def test_events_follow_a_renamed_entity() -> None:
    # Tag renamed to Label behind its table: its feed and its events are not removed + added.
    def tag_events(name: str) -> Callable[[Doc], None]:
        return lambda spec: spec.update(
            entities={name: {"create": ["hooks"]}}, realtime=[name],
            imageTables={name: "fastbackend_image_tags"})
    head = edited(rename_tag_entity, events(tag_events("Label")))
    assert rules_between(edited(events(tag_events("Tag"))), head) == ["entity-renamed"]


def test_a_destination_removed_is_not_also_each_event_route_removed() -> None:
    head = edited(events(lambda spec: spec.update(destinations={}, entities={})))
    assert rules_between(edited(events()), head) == ["event-destination-removed"]

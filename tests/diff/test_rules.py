"""A before/after IR pair per rule, and the finding each one must produce."""

from __future__ import annotations

import pytest

from fastbackend.diff import RULES, Severity, compare
from tests.diff.cases import ADDED_OPERATION, CASES, HIDDEN, RELATION_ADDED, put_api
from tests.diff.irs import Case, edited, golden, typed


def test_every_rule_has_a_case_and_every_case_a_rule() -> None:
    assert sorted(case.rule for case in CASES) == sorted(RULES)


def test_the_golden_ir_has_no_changes_against_itself() -> None:
    assert compare(typed(golden()), typed(golden())) == []


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_rule(case: Case) -> None:
    base, head = case.pair()
    findings = [f for f in compare(base, head) if f.rule == case.rule]
    assert len(findings) == 1, [f.message for f in compare(base, head)]
    [finding] = findings
    assert case.says in finding.message
    assert finding.pointer == case.pointer
    assert finding.side == case.side
    spec = RULES[case.rule]
    assert (finding.api, finding.db) == (spec.api, spec.db)


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_reading_the_pair_backwards_finds_something_too(case: Case) -> None:
    # Every change is visible from both directions (added <-> removed, widened <-> changed...).
    base, head = case.pair()
    assert compare(head, base) != []


@pytest.mark.parametrize(("rule_id", "api", "db"), [
    # The examples the issue gives, pinned: changing them is a product decision.
    ("field-removed", Severity.ERROR, Severity.ERROR),
    ("field-made-required", Severity.ERROR, Severity.WARNING),
    ("enum-value-added", Severity.WARNING, Severity.INFO),
    ("index-added", Severity.INFO, Severity.INFO),
    ("field-length-reduced", Severity.WARNING, Severity.ERROR),
    ("field-unique-added", Severity.WARNING, Severity.WARNING),
    ("unique-added", Severity.WARNING, Severity.WARNING),
])
def test_the_severities_the_issue_names(rule_id: str, api: Severity, db: Severity) -> None:
    assert (RULES[rule_id].api, RULES[rule_id].db) == (api, db)


def test_rule_ids_are_kebab_case_and_every_rule_is_described() -> None:
    for rule_id, spec in RULES.items():
        assert spec.id == rule_id
        assert rule_id == rule_id.lower() and " " not in rule_id and "_" not in rule_id
        assert spec.title and spec.description.endswith(".")


def test_a_contract_change_another_rule_explains_is_reported_once() -> None:
    """Routes that go with their operation or relation, and roles that change with the field's
    own facts, are that rule's finding only; the IR's recorded contract is compared too."""
    for case, rule_id in ((ADDED_OPERATION, "operation-added"),
                          (RELATION_ADDED, "relation-added"), (HIDDEN, "field-hidden-added")):
        base, head = case.pair()
        for findings in (compare(base, head), compare(head, base)):
            rules = {finding.rule for finding in findings}
            assert rules & {rule_id, rule_id.replace("added", "removed")}, rules
            assert not rules & {"route-added", "route-removed", "field-contract-narrowed",
                                "field-contract-widened"}, rules


def test_a_route_no_longer_served_because_its_target_is_not_is_breaking() -> None:
    """Post.comments' routes go when Comment is no longer served, though nothing of Post
    changed: the recorded routes say so."""
    base = typed(golden())
    head = typed(edited(put_api("Comment", "operations", [])))
    removed = [f for f in compare(base, head) if f.rule == "route-removed"]
    comments = [f for f in removed if "GET /posts/{key}/comments" in f.message]
    assert len(comments) == 1, [f.message for f in removed]
    assert comments[0].api == Severity.ERROR and comments[0].side == "base"

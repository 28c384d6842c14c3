"""A before/after IR pair per rule, and the finding each one must produce."""

from __future__ import annotations

import pytest

from fastbackend.diff import RULES, compare
from tests.diff.cases import CASES
from tests.diff.irs import Case, golden, typed


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

"""Each defect of issues #18 and #27 (Prisma items), as its own differential test against Prisma's
engine: the corpus case that shows it, our IR against the DMMF, or our first error line against
Prisma's. One engine run for all of them. (Other tests cover the same ground more widely:
test_index_matrix, test_join_tables, test_nesting, test_real_schemas, test_ir_positions.)
"""

from __future__ import annotations

import pytest

from tests.frontends.prisma.corpus import Case, load_cases, require_engines, run_oracle
from tests.frontends.prisma.differential import Outcome, evaluate

pytestmark = pytest.mark.node

CASES = {
    # issue item -> corpus case
    "#18 bare @@index(x) / @@unique(x) / fields: x": "bare_field_lists",
    "#18 bare @@id(x) and @@unique(x)": "bare_compound_keys",
    "#18 GIN with ops: raw(...) on a String": "gin_raw_operator_class",
    "#18 a view's @@id reported at the @@id line": "view_compound_id",
    "#18 MongoDB refused once, at the provider": "mongodb",
    "#27.6 nested lists in a field list": "nested_field_lists",
    "#27.12 relation in an @@ignore'd model needs no @ignore": "ignored_model_relations",
}


@pytest.fixture(scope="module")
def outcomes(node: str) -> dict[str, Outcome]:
    require_engines()
    by_id = {c.id: c for kind in ("valid", "invalid", "refused") for c in load_cases(kind)}
    cases: list[Case] = [by_id[name] for name in CASES.values()]
    oracle = run_oracle(cases, node)
    return {case.id: evaluate(case, oracle[case.id]) for case in cases}


@pytest.mark.parametrize("item", sorted(CASES))
def test_issue_case_reads_as_prisma_reads_it(item: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[CASES[item]]
    assert outcome.agrees, (outcome.prisma_ok, outcome.ours_ok, outcome.differences[:5],
                            outcome.prisma_lines, outcome.our_lines)
    if outcome.prisma_ok and outcome.ours_ok:
        assert outcome.elements > 0  # the IR was compared with the DMMF, not merely accepted

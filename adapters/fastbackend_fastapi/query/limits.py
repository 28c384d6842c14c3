"""How much one list request may ask for: each limit keeps a hostile query a fast 400.

The statement a query becomes grows with it: a condition is a comparison, a relation step a
nested EXISTS (or a correlated subquery in ORDER BY), a list value a bound parameter. Past these
sizes a query is not a real one; what it would cost is a RecursionError while the statement is
compiled (a few hundred relation steps), a database refusing the statement (PostgreSQL takes at
most 65,535 parameters), or seconds of parsing. SQLite's parser has the smallest stack: measured
on the statements the runtime builds (tests/reliability/test_hostile_requests.py), 8 nested
`some` relations fail ("parser stack overflow"), and 4 `every` relations (NOT EXISTS ... NOT)
leave room for 10 more NOT levels; the defaults (4 relations, 10 levels) stay inside that on
every shape. The defaults are the contract's (fastbackend_contract.tables.LIMITS), each
configurable by its environment variable or fastbackend.yaml's `limits` (security.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastbackend_contract.tables import LIMITS
from fastbackend_fastapi.query.errors import bad_parameter

_DEFAULT = {limit.key: int(limit.default) for limit in LIMITS if limit.query}


@dataclass(frozen=True)
class QueryLimits:
    max_where_depth: int = _DEFAULT["max_where_depth"]  # where= nesting: AND / OR / NOT, relations
    max_relation_depth: int = _DEFAULT["max_relation_depth"]  # per dot path or where= nesting
    max_conditions: int = _DEFAULT["max_conditions"]  # filters and where= conditions, together
    max_list_values: int = _DEFAULT["max_list_values"]  # every in / notin list, together
    max_names: int = _DEFAULT["max_names"]  # entries of sort, fields and include, each


DEFAULT_LIMITS = QueryLimits()


@dataclass
class Budget:
    """What one request has spent of its limits so far."""

    limits: QueryLimits = DEFAULT_LIMITS
    conditions: int = field(default=0)
    list_values: int = field(default=0)

    def condition(self, parameter: str) -> None:
        self.conditions += 1
        if self.conditions > self.limits.max_conditions:
            raise bad_parameter(parameter, f"more than {self.limits.max_conditions} conditions")

    def values(self, count: int, parameter: str) -> None:
        self.list_values += count
        if self.list_values > self.limits.max_list_values:
            raise bad_parameter(parameter, f"more than {self.limits.max_list_values} list "
                                           "values in one query")

    def steps(self, count: int, parameter: str) -> None:
        if count > self.limits.max_relation_depth:
            raise bad_parameter(parameter, f"walks more than {self.limits.max_relation_depth} "
                                           "relations")

    def names(self, count: int, parameter: str) -> None:
        if count > self.limits.max_names:
            raise bad_parameter(parameter, f"more than {self.limits.max_names} names")

"""The contract pass: records the REST contract in the IR (IR 1.2), once, for every adapter.

Each entity's routes (action, operation id, method, path template, success status, the
problems each can answer), each field's roles (readable, writable on create and on update,
required on create, filterable, sortable, its operators) and each relation's linking fields.
It runs last, after fastbackend.yaml's decisions (visibility, info), because exposure,
operations and field roles decide the routes. The rules live in fastbackend_ir.contract, where
every adapter also finds them to complete an IR older than 1.2 the same way; the contract's
vocabulary (operators per type, problems per route) is fastbackend_contract.tables'.
"""

from __future__ import annotations

from fastbackend_contract import tables
from fastbackend_ir import IR
from fastbackend_ir.contract import Vocabulary, completed

VOCABULARY = Vocabulary(operators=tables.OPERATORS_BY_TYPE, problems=tables.ROUTE_PROBLEMS,
                        aggregates=tables.AGGREGATES_BY_TYPE)


def record(ir: IR) -> IR:
    """``ir`` with its contract recorded; records already there (an ir.json compiled again)
    are kept."""
    return completed(ir, VOCABULARY)

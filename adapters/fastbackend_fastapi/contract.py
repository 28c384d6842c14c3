"""The IR's REST contract (routes, field roles, linking fields), completed for an older IR.

The runtime serves the routes and roles the IR records (fastbackend_ir.contract); an IR older
than 1.2 is completed by the compiler's own rules and the contract's tables, so it is served as
the compiler would record it today.
"""

from __future__ import annotations

from fastbackend_contract import tables
from fastbackend_ir import IR
from fastbackend_ir.contract import Vocabulary, completed

VOCABULARY = Vocabulary(tables.OPERATORS_BY_TYPE, tables.ROUTE_PROBLEMS, tables.AGGREGATES_BY_TYPE)


def recorded(ir: IR) -> IR:
    """``ir`` with its contract recorded (the same object when it is)."""
    return completed(ir, VOCABULARY)

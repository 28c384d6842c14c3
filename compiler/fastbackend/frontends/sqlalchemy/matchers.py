"""Named libcst matchers for the shapes of source the collector reads.

They match structure only; what a name means is decided by the Scope (scope.py), so ``sa.Column``
and ``Column`` are the same thing downstream.
"""

from __future__ import annotations

import libcst.matchers as m

DOCSTRING = m.SimpleStatementLine(
    body=[m.Expr(value=m.SimpleString() | m.ConcatenatedString())]
)
NAME_ASSIGN = m.Assign(targets=[m.AssignTarget(target=m.Name())])
NAME_ANN_ASSIGN = m.AnnAssign(target=m.Name())
TYPE_CHECKING = m.Name("TYPE_CHECKING") | m.Attribute(attr=m.Name("TYPE_CHECKING"))
DECLARATION = m.ClassDef() | m.SimpleStatementLine(body=[m.Assign() | m.AnnAssign()])
SINGLE_RETURN_BODY = m.IndentedBlock(body=[m.SimpleStatementLine(body=[m.Return()])])

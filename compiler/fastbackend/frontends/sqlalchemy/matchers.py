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
# `if __name__ == "__main__":` never runs when the module is imported
MAIN_GUARD = m.Comparison(left=m.Name("__name__"), comparisons=[
    m.ComparisonTarget(operator=m.Equal(), comparator=m.SimpleString('"__main__"')
                       | m.SimpleString("'__main__'"))])
IMPORT = m.Import() | m.ImportFrom()
DECLARATION = m.ClassDef() | m.SimpleStatementLine(body=[m.Assign() | m.AnnAssign()])
SINGLE_RETURN_BODY = m.IndentedBlock(body=[m.SimpleStatementLine(body=[m.Return()])])

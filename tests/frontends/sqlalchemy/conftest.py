"""The SQLAlchemy version a differential test asks (2.0 and 2.1, see differential.py)."""

from __future__ import annotations

import pytest

from tests.frontends.sqlalchemy.differential import VERSIONS, missing_oracle
from tests.services import unavailable


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    chosen: str = request.param
    reason = missing_oracle(chosen)
    if reason is not None:
        unavailable(f"the SQLAlchemy {chosen} oracle: {reason}")
    return chosen

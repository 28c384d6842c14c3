"""The front-end's codes are in the catalogue, in the FB1xx range."""

from __future__ import annotations

from fastbackend.codes import CODES
from fastbackend.frontends.sqlalchemy import codes


def test_every_front_end_code_is_catalogued_in_its_range() -> None:
    used = {value for name, value in vars(codes).items() if name.isupper()}
    assert used <= set(CODES)
    assert all(code.startswith("FB1") for code in used)
    assert {c for c in CODES if c.startswith("FB1")} == used

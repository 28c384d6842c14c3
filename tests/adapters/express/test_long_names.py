"""Constraint names longer than PostgreSQL's 63 bytes on the Express server (the `long_names` IR,
compiled from irs/long_names.prisma): the server migrates and serves, and a unique violation is a
409 naming the fields, as on the FastAPI runtime (tests/compiler/test_constraint_names.py)."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from fastbackend_ir import IR
from tests.adapters.express.harness import load_ir
from tests.adapters.express.servers import Servers, clients
from tests.compiler.test_constraint_names import ir_names, postgres_names


def _pointers(response: httpx.Response) -> list[str]:
    return sorted(error["pointer"] for error in response.json()["errors"])


@pytest.mark.node
@pytest.mark.postgres
@pytest.mark.slow
def test_long_names_serve_and_a_unique_violation_names_its_fields(
        express_servers: Servers) -> None:
    ir: IR = load_ir("long_names")
    assert max(len(name.encode()) for name in ir_names(ir)) == 63  # shortened: they needed it
    server = express_servers.get("long_names")
    url = sa.make_url(server.database_url).set(drivername="postgresql+psycopg")
    assert postgres_names(url.render_as_string(hide_password=False)) == ir_names(ir)
    for client in clients(server):
        body = {"electronic_mail_address_of_the_member": "a@x.io",
                "given_name_of_the_member_as_written": "Ada",
                "family_name_of_the_member_as_written": "Lovelace"}
        assert client.post("/members", json=body).status_code == 201
        again = client.post("/members", json={**body, "given_name_of_the_member_as_written": "Bea"})
        assert again.status_code == 409, again.text
        assert _pointers(again) == ["/electronic_mail_address_of_the_member"]
        both = client.post("/members", json={**body, "electronic_mail_address_of_the_member": "b@x"})
        assert both.status_code == 409, both.text
        assert _pointers(both) == ["/family_name_of_the_member_as_written",
                                   "/given_name_of_the_member_as_written"]

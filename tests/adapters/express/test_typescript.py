"""CI check: every test IR's project passes `prisma generate` and a strict `tsc`.

The Express tests' server fixture builds each project exactly this way before it serves it
(servers.py: `prisma generate`, then `tsc -p .` with the emitted strict tsconfig), so this test
asks that fixture for the project instead of type-checking the same files a second time; an IR
no other test serves is built (and served once) here.
"""

from __future__ import annotations

import pytest

from tests.adapters.express.harness import IR_PATHS
from tests.adapters.express.servers import Servers

pytestmark = [pytest.mark.node, pytest.mark.slow]


@pytest.mark.parametrize("name", sorted(IR_PATHS))
def test_the_emitted_project_generates_and_typechecks(name: str, express_servers: Servers) -> None:
    project = express_servers.get(name).project
    assert (project / "src" / "generated" / "prisma" / "client.ts").is_file()
    assert (project / "dist" / "server.js").is_file()  # tsc ran to the end: no type error
    assert '"strict": true' in (project / "tsconfig.json").read_text("utf-8")

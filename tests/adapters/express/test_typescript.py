"""CI check: every test IR's project passes `prisma generate` and a strict `tsc`.

The Express tests' server fixture builds each project before it serves it (builds.py: `prisma
generate`, then `tsc` with the emitted strict tsconfig, several projects to a `tsc -b`), so this
test asks that fixture for the project instead of type-checking the same files a second time; an
IR no other test serves is built (and served once) here. The support library (src/lib/) is the
same in every project: it is type-checked once (test_library.py), and the projects' `tsc` reads
its declarations (library.py), except the blog's, built whole as a user builds it, which must give
the same JavaScript.
"""

from __future__ import annotations

import pytest

from fastbackend_express.library import copy_header
from tests.adapters.express.harness import IR_PATHS
from tests.adapters.express.library import FULL_BUILDS, LibraryBuild
from tests.adapters.express.servers import Servers

pytestmark = [pytest.mark.node, pytest.mark.slow]


@pytest.mark.parametrize("name", sorted(IR_PATHS))
def test_the_emitted_project_generates_and_typechecks(name: str, express_servers: Servers) -> None:
    project = express_servers.get(name).project
    assert (project / "src" / "generated" / "prisma" / "client.ts").is_file()
    assert (project / "dist" / "server.js").is_file()  # tsc ran to the end: no type error
    assert '"strict": true' in (project / "tsconfig.json").read_text("utf-8")


@pytest.mark.parametrize("name", sorted(FULL_BUILDS))
def test_a_whole_build_compiles_the_library_to_the_prebuilt_javascript(
        name: str, express_servers: Servers, express_library: LibraryBuild) -> None:
    """What building the other projects on the prebuilt library relies on: tsc's JavaScript for
    src/lib/ does not depend on the IR (tsc keeps the copy's header comment, or drops it)."""
    dist = express_servers.get(name).project / "dist" / "lib"
    prebuilt = sorted(express_library.compiled.glob("*.js"))
    assert sorted(path.name for path in dist.glob("*.js")) == [path.name for path in prebuilt]
    for compiled in prebuilt:
        emitted = (dist / compiled.name).read_text("utf-8")
        header = copy_header(compiled.name.removesuffix(".js") + ".ts") + "\n"
        assert emitted.removeprefix(header) == compiled.read_text("utf-8"), compiled.name

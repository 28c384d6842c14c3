"""compile --check / --diff / --exit-non-zero-on-change, on the real front-ends (the blog
example, as models.py and as schema.prisma)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import PROJECTS, add_tag_slug, run

COMMENT = {".py": "# ", ".prisma": "// "}


@pytest.fixture(params=sorted(PROJECTS))
def compiled(request: pytest.FixtureRequest, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Path:
    """A compiled blog project; the current folder is the project."""
    monkeypatch.chdir(tmp_path)
    schema: Path = PROJECTS[request.param](tmp_path)
    code, _, err = run("compile", "--target", "ir")
    assert code == 0, err
    return schema


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_check_passes_when_every_output_is_up_to_date(compiled: Path) -> None:
    code, out, err = run("compile", "--target", "ir", "--check")
    assert (code, err) == (0, "")
    assert "all outputs are up to date" in out


def test_check_fails_on_a_stale_ir_naming_the_file_and_the_fix(compiled: Path) -> None:
    add_tag_slug(compiled)
    before = snapshot(Path(".fastbackend"))
    code, out, err = run("compile", "--target", "ir", "--check")
    assert code == 1
    assert "stale: .fastbackend/ir.json (out of date)" in err
    assert "1 output is stale; run: fastbackend compile --target ir" in err
    assert out == ""
    assert snapshot(Path(".fastbackend")) == before  # --check writes nothing


def test_check_reports_missing_outputs(compiled: Path) -> None:
    Path(".fastbackend/ir.json").unlink()
    code, _, err = run("compile", compiled.name, "--target", "ir", "--check")
    assert code == 1
    assert "stale: .fastbackend/ir.json (missing)" in err
    assert f"run: fastbackend compile {compiled.name} --target ir" in err
    assert not Path(".fastbackend/ir.json").exists()


def test_diff_prints_a_unified_diff_and_writes_nothing(compiled: Path) -> None:
    add_tag_slug(compiled)
    before = snapshot(Path(".fastbackend"))
    code, out, _ = run("compile", "--target", "ir", "--check", "--diff")
    assert code == 1
    assert out.startswith("--- a/.fastbackend/ir.json\n+++ b/.fastbackend/ir.json\n@@ ")
    assert '+          "column": "slug",\n' in out
    assert snapshot(Path(".fastbackend")) == before


def test_the_source_map_is_not_checked(compiled: Path) -> None:
    # A comment at the top moves every line: ir.map.json changes, ir.json does not.
    comment = COMMENT[compiled.suffix] + "a new first line\n"
    compiled.write_text(comment + compiled.read_text("utf-8"), "utf-8")
    code, out, _ = run("compile", "--target", "ir", "--check")
    assert code == 0 and "up to date" in out
    code, out, _ = run("compile", "--target", "ir")
    assert code == 0 and "wrote 1 file" in out  # only ir.map.json was stale


def test_check_exits_3_when_the_schema_does_not_compile(compiled: Path) -> None:
    broken = {".py": "\nclass Broken(Base:\n", ".prisma": "\nmodel Broken {\n"}
    compiled.write_text(compiled.read_text("utf-8") + broken[compiled.suffix], "utf-8")
    code, _, err = run("compile", "--target", "ir", "--check")
    assert code == 3
    assert f"{compiled.name}:" in err and "error FB" in err
    assert "Traceback" not in err


def test_exit_non_zero_on_change_fails_only_when_a_file_was_written(compiled: Path) -> None:
    add_tag_slug(compiled)
    code, out, err = run("compile", "--target", "ir", "--exit-non-zero-on-change")
    assert code == 1 and "wrote 2 files" in out
    assert "changed: .fastbackend/ir.json" in err
    code, out, _ = run("compile", "--target", "ir", "--exit-non-zero-on-change")
    assert code == 0 and "up to date" in out


def test_check_covers_every_output_of_the_default_targets(compiled: Path) -> None:
    code, _, _ = run("compile")
    assert code == 0
    written = sorted(p.name for p in Path(".fastbackend").iterdir())
    assert run("compile", "--check")[0] == 0
    for name in written:
        if name == "ir.map.json":
            continue
        path = Path(".fastbackend") / name
        path.write_bytes(path.read_bytes() + b" ")
        code, _, err = run("compile", "--check")
        assert code == 1 and f"stale: .fastbackend/{name} (out of date)" in err, name
        run("compile")


def test_the_check_command_is_compile_check(compiled: Path) -> None:
    """`fastbackend check`, the name pre-commit and CI scripts look for: the same answers."""
    assert run("check", "--target", "ir")[0] == 0
    add_tag_slug(compiled)
    before = snapshot(Path(".fastbackend"))
    code, out, err = run("check", "--target", "ir", "--diff")
    assert code == 1
    assert "stale: .fastbackend/ir.json (out of date)" in err
    assert out.startswith("--- a/.fastbackend/ir.json")
    assert snapshot(Path(".fastbackend")) == before

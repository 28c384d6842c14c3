"""fastbackend diff: sides, formats, thresholds, exit codes, --rules and --against."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from fastbackend.diff import RULES, fingerprint
from fastbackend_ir import Location, dumps_source_map
from tests.cli.helpers import (
    GOLDEN_BLOG,
    add_prisma_field,
    commit_all,
    git,
    new_repo,
    prisma_project,
    run,
    sqlalchemy_project,
)
from tests.diff.irs import Doc, edited, field

MAP = {"/entities/Post/fields/2": Location("models.py", 21, 5),
       "/entities/User": Location("models.py", 8, 1)}


def drop_post_body(document: Doc) -> None:
    document["entities"]["Post"]["fields"] = [
        f for f in document["entities"]["Post"]["fields"] if f["name"] != "body"]


def make_user_name_required(document: Doc) -> None:
    field(document, "User", "name").pop("nullable")


@pytest.fixture
def sides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """base/ir.json (+ its ir.map.json) and head/ir.json: Post.body removed."""
    monkeypatch.chdir(tmp_path)
    for name, document in (("base", edited()), ("head", edited(drop_post_body))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ir.json").write_text(json.dumps(document), "utf-8")
    (tmp_path / "base" / "ir.map.json").write_text(dumps_source_map(MAP), "utf-8")
    return "base/ir.json", "head/ir.json"


def test_a_removed_field_fails_with_its_rule_severities_and_location(
        sides: tuple[str, str]) -> None:
    code, out, err = run("diff", *sides)
    assert code == 1 and err == ""
    assert ("base/models.py:21:5: field-removed [api error, db error] Post.body removed "
            "(column body)") in out
    assert out.endswith("1 at or above the threshold (api>=error, db>=error)\n")


def test_the_threshold_decides_the_exit_code(sides: tuple[str, str]) -> None:
    assert run("diff", *sides, "--fail-on", "api=none,db=none")[0] == 0
    assert run("diff", *sides, "--fail-on", "api=none")[0] == 1  # db keeps its default
    assert run("diff", sides[0], sides[0])[0] == 0


def test_warnings_fail_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.json").write_text(json.dumps(edited()), "utf-8")
    Path("b.json").write_text(json.dumps(edited(make_user_name_required)), "utf-8")
    # field-made-required: API error, DB warning.
    assert run("diff", "a.json", "b.json", "--fail-on", "api=none")[0] == 0
    assert run("diff", "a.json", "b.json", "--fail-on", "api=none,db=warning")[0] == 1


def test_json_output_carries_fingerprints_pointers_and_locations(sides: tuple[str, str]) -> None:
    code, out, _ = run("diff", *sides, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["failed"] is True
    assert report["counts"] == {"api": {"error": 1, "warning": 0, "info": 0},
                                "db": {"error": 1, "warning": 0, "info": 0}}
    [finding] = report["findings"]
    assert finding == {
        "rule": "field-removed", "title": RULES["field-removed"].title, "api": "error",
        "db": "error", "message": "Post.body removed (column body)",
        "pointer": "/entities/Post/fields/2", "side": "base",
        "fingerprint": fingerprint("field-removed", "Post.body"), "hint": None,
        "location": {"file": "base/models.py", "line": 21, "column": 5},
    }


def test_markdown_output_is_a_pr_comment_with_a_table(sides: tuple[str, str]) -> None:
    _, out, _ = run("diff", *sides, "--format", "markdown")
    assert out.startswith("## FastBackend IR diff: ❌ breaking changes\n")
    assert "| Rule | API | Database | Change | Where |" in out
    assert ("| `field-removed` | 🔴 error | 🔴 error | Post.body removed (column body) | "
            "`base/models.py:21:5` |") in out


def test_github_output_is_annotations_and_a_step_summary(
        sides: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run("diff", *sides, "--format", "github")
    assert code == 1
    assert out.splitlines()[0] == (
        "::error file=base/models.py,line=21,col=5,title=field-removed (api error%2C db error)"
        "::Post.body removed (column body)")
    assert "| `field-removed` |" in summary.read_text("utf-8")


def test_a_side_can_come_from_standard_input(sides: tuple[str, str]) -> None:
    code, out, _ = run("diff", "-", sides[1], stdin=Path(sides[0]).read_bytes())
    assert code == 1 and "field-removed" in out and "<stdin>" in out


def test_rules_lists_the_whole_catalogue() -> None:
    code, out, _ = run("diff", "--rules")
    assert code == 0
    for rule in RULES.values():
        assert f"{rule.id} " in out and rule.title in out
    assert out.endswith(f"{len(RULES)} rules\n")
    listed = json.loads(run("diff", "--rules", "--format", "json")[1])
    assert [entry["id"] for entry in listed] == list(RULES)
    assert listed[0].keys() == {"id", "title", "api", "db", "description"}


@pytest.mark.parametrize(("args", "message"), [
    (["only-one.json"], "expected BASE and HEAD"),
    (["missing.json", "missing.json"], "missing.json: no such file"),
    (["-", "-"], "only one side can be read from standard input"),
    ([".", "b"], ".: is a folder; give its IR file"),
    (["a", "b", "--fail-on", "api=fatal"], "unknown severity 'fatal'"),
    (["a", "b", "--fail-on", "web=error"], "expected api=LEVEL or db=LEVEL"),
])
def test_usage_errors_exit_2_with_a_message(args: list[str], message: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("diff", *args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(("content", "problem"), [
    (b'{"irVersion": "1.0"}', "'source' is a required property"),
    (b"\xff\xfe\x00binary", "not UTF-8 JSON text"),
    (b"{not json", "not JSON"),
])
def test_an_invalid_ir_exits_3(content: bytes, problem: str, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bad.json").write_bytes(content)
    code, _, err = run("diff", "bad.json", str(GOLDEN_BLOG))
    assert code == 3 and "bad.json: invalid IR" in err and problem in err
    assert "Traceback" not in err


def test_a_side_can_be_a_file_at_a_git_ref(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = new_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    Path("ir.json").write_text(json.dumps(edited()), "utf-8")
    commit_all(repo, "base")
    Path("ir.json").write_text(json.dumps(edited(drop_post_body)), "utf-8")
    code, out, _ = run("diff", "HEAD:ir.json", "ir.json")
    assert code == 1 and "field-removed" in out
    code, _, err = run("diff", "nosuchref:ir.json", "ir.json")
    assert code == 2 and "nosuchref:ir.json: not found" in err


def test_against_head_1_compares_with_the_previous_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = new_repo(tmp_path / "repo")
    project = repo / "api"
    schema = prisma_project(project)
    monkeypatch.chdir(project)
    assert run("compile", "--target", "ir")[0] == 0
    commit_all(repo, "blog")
    add_prisma_field(schema, "Tag", "slug String")
    text = schema.read_text("utf-8")
    schema.write_text(text.replace("  name       String?   @db.VarChar(100)\n", ""), "utf-8")
    assert run("compile", "--target", "ir")[0] == 0
    commit_all(repo, "Tag.slug, no User.name")
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"

    code, out, _ = run("diff", "--against", "HEAD~1")  # compiles the working tree
    assert code == 1
    lines = out.splitlines()
    # Both sides' locations are relative to here (api/), whichever IR they come from.
    assert any(line.startswith("schema.prisma:") and "field-added-required" in line
               and "Tag.slug" in line for line in lines), out
    assert any(line.startswith("schema.prisma:26:3: field-removed") and "User.name" in line
               for line in lines), out
    code, out, _ = run("diff", "--against", "HEAD~1", ".fastbackend/ir.json")  # reads the file
    assert code == 1 and "field-added-required" in out
    assert run("diff", "--against", "HEAD")[0] == 0


def test_against_outside_a_repository_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("ir.json").write_bytes(GOLDEN_BLOG.read_bytes())
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, _, err = run("diff", "--against", "HEAD", "ir.json")
    assert code == 2 and "needs a git repository" in err


def test_git_uses_diff_as_a_diff_driver(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    fastbackend = Path(sys.executable).parent / "fastbackend"
    git(repo, "config", "diff.fastbackend.command", f"{fastbackend} diff")
    (repo / ".gitattributes").write_text(".fastbackend/ir.json diff=fastbackend\n", "utf-8")
    (repo / ".fastbackend").mkdir()
    ir_file = repo / ".fastbackend" / "ir.json"
    ir_file.write_text(json.dumps(edited()), "utf-8")
    commit_all(repo, "base")
    ir_file.write_text(json.dumps(edited(drop_post_body)), "utf-8")
    out = git(repo, "diff")  # check=True: git fails if the driver exits non-zero
    assert "field-removed [api error, db error] Post.body removed (column body)" in out
    assert "a/.fastbackend/ir.json -> b/.fastbackend/ir.json: 1 change" in out
    assert "models.py:1:1:" in out  # located in the project, not in git's temporary file


def test_the_git_driver_reports_an_added_ir_file(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("ir.json").write_bytes(GOLDEN_BLOG.read_bytes())
    args = [".fastbackend/ir.json", "/dev/null", ".", ".", "ir.json", "0" * 40, "100644"]
    code, out, _ = run("diff", *args)
    assert (code, out) == (0, ".fastbackend/ir.json: IR file added\n")


def test_against_on_sqlalchemy_models_points_at_the_changed_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = new_repo(tmp_path / "repo")
    models = sqlalchemy_project(repo)
    monkeypatch.chdir(repo)
    assert run("compile", "--target", "ir")[0] == 0
    commit_all(repo, "blog")
    text = models.read_text("utf-8")
    assert "String(200)" in text
    models.write_text(text.replace("String(200)", "String(120)"), "utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("    title:"))

    code, out, _ = run("diff", "--against", "HEAD", "--fail-on", "db=error")
    assert code == 1
    assert out.splitlines()[0] == (
        f"models.py:{line}:5: field-length-reduced [api warning, db error] "
        "Post.title: length 200 -> 120 (reduced)")
    assert run("diff", "--against", "HEAD", "--fail-on", "db=none")[0] == 0

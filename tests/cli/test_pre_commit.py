"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit on a temporary git repo.

pre-commit installs fastbackend from a hook repository (language: python), so this builds one
from this checkout's HEAD commit (git archive): what a user pinning that commit would get. Commit
before running it locally; in CI the checkout is the commit.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import GIT_ENV, PROJECTS, ROOT, add_tag_slug, commit_all, git, new_repo

pytestmark = pytest.mark.slow
PACKAGED = ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "compiler/",
            "ir_schema/", "grammars/", "adapters/")


def _hook_repository(into: Path) -> tuple[Path, str]:
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD", *PACKAGED], cwd=ROOT,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    git(into, "init", "-q")
    commit_all(into, "hooks")
    return into, git(into, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    if shutil.which("git") is None:
        pytest.fail("git is needed to test the pre-commit hooks")
    return _hook_repository(tmp_path_factory.mktemp("hooks"))


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # One hook environment for the module: pre-commit installs fastbackend into it once.
    yield tmp_path_factory.mktemp("pre-commit-home")


def _pre_commit_env(home: Path) -> dict[str, str]:
    return {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home)}


def _project(tmp_path: Path, hook_repo: tuple[Path, str], hook_id: str,
             language: str) -> tuple[Path, Path]:
    """A git repository with the blog schema and a pre-commit config using ``hook_id``."""
    repo = new_repo(tmp_path / "project")
    schema = PROJECTS[language](repo)
    path, rev = hook_repo
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {path.as_uri()}\n    rev: {rev}\n    hooks:\n"
        f"      - id: {hook_id}\n        args: [--target, ir]\n", "utf-8")
    return repo, schema


def _commit(repo: Path, home: Path, message: str) -> tuple[int, str]:
    """``git commit`` with the hook installed: its exit code and everything it printed."""
    git(repo, "add", "-A")
    done = subprocess.run(["git", "-c", "commit.gpgsign=false", "commit", "-m", message],
                          cwd=repo, capture_output=True, text=True, env=_pre_commit_env(home),
                          check=False, timeout=900)
    return done.returncode, done.stdout + done.stderr


def _install(repo: Path, home: Path) -> None:
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    subprocess.run([pre_commit, "install"], cwd=repo, check=True, capture_output=True,
                   env=_pre_commit_env(home))


def _compile(repo: Path) -> None:
    fastbackend = Path(sys.executable).parent / "fastbackend"
    subprocess.run([str(fastbackend), "compile", "--target", "ir", "-q"], cwd=repo, check=True)


@pytest.mark.parametrize("language", sorted(PROJECTS))
def test_check_hook_blocks_a_commit_with_a_stale_ir_and_passes_a_fresh_one(
        language: str, tmp_path: Path, hook_repo: tuple[Path, str],
        pre_commit_home: Path) -> None:
    repo, schema = _project(tmp_path, hook_repo, "fastbackend-check", language)
    _install(repo, pre_commit_home)
    _compile(repo)
    code, output = _commit(repo, pre_commit_home, "blog")
    assert code == 0, output
    assert "fastbackend check" in output and "Passed" in output

    add_tag_slug(schema)
    code, output = _commit(repo, pre_commit_home, "Tag.slug without the IR")
    assert code != 0
    assert "Failed" in output
    assert "stale: .fastbackend/ir.json (out of date)" in output
    assert "run: fastbackend compile --target ir" in output
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"

    _compile(repo)
    code, output = _commit(repo, pre_commit_home, "Tag.slug with the IR")
    assert code == 0, output
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"

    (repo / "NOTES.md").write_text("not a schema file\n", "utf-8")
    code, output = _commit(repo, pre_commit_home, "notes")
    assert code == 0 and "fastbackend check" in output and "Skipped" in output


def test_compile_hook_regenerates_and_fails_so_the_change_gets_staged(
        tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    repo, schema = _project(tmp_path, hook_repo, "fastbackend-compile", "sqlalchemy")
    _install(repo, pre_commit_home)
    _compile(repo)
    assert _commit(repo, pre_commit_home, "blog")[0] == 0

    add_tag_slug(schema)
    code, output = _commit(repo, pre_commit_home, "Tag.slug")
    assert code != 0 and "Failed" in output
    assert "changed: .fastbackend/ir.json" in output
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"
    assert '"slug"' in (repo / ".fastbackend" / "ir.json").read_text("utf-8")  # regenerated
    code, output = _commit(repo, pre_commit_home, "Tag.slug")  # stages the regenerated IR
    assert code == 0, output
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"

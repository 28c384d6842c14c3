"""Sources that crashed or exhausted the front-end (#27 items 4, 5 and 14): each now compiles or
gets FB101 at the position CPython's own parser gives, never a signal, FB100 or a traceback."""

from __future__ import annotations

import ast
import random
import subprocess
import sys
from pathlib import Path

import pytest

from fastbackend.diagnostics import CompileError, Diagnostic
from fastbackend.pipeline import compile_path

HEAD = '''\
from sqlalchemy import BigInteger, Column, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass

'''
MODEL = '''
class Thing(Base):
    __tablename__ = "things"
    id = Column(Integer, primary_key=True)
'''


def _compile(tmp_path: Path, body: str) -> list[Diagnostic]:
    path = tmp_path / "models.py"
    path.write_text(HEAD + body, "utf-8")
    try:
        _, result = compile_path(path)
    except CompileError as error:
        return error.diagnostics
    return result.warnings


def _cli(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "models.py"
    path.write_text(text, "utf-8")
    command = "from fastbackend.cli.main import main; main()"
    # run from the schema's folder: diagnostics name files relative to the current folder
    return subprocess.run([sys.executable, "-c", command, "compile", path.name, "--target", "ir"],
                          capture_output=True, text=True, check=False, timeout=120, cwd=tmp_path)


# item 4: nesting that made libcst segfault (exit 139) or take gigabytes


@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ("a[", "]"), ("(", ")")],
                         ids=["brackets", "subscripts", "parentheses"])
def test_deep_nesting_is_fb101_at_the_bracket_cpython_refuses(
        tmp_path: Path, opening: str, closing: str) -> None:
    text = HEAD + "x = " + opening * 2000 + "0" + closing * 2000 + "\n" + MODEL
    done = _cli(tmp_path, text)
    assert done.returncode == 3, done.stderr  # not 139 (SIGSEGV), not 1
    line = HEAD.count("\n") + 1
    # CPython stops at the 201st bracket (its limit is 200 levels)
    column = len("x = ") + 201 * len(opening)
    assert done.stderr.startswith(f"models.py:{line}:{column}: error FB101: syntax error: too "
                                  "many nested parentheses")
    assert "Traceback" not in done.stderr


def test_nesting_cpython_accepts_compiles(tmp_path: Path) -> None:
    """199 brackets is valid Python: the front-end reads it (and does not crash on it)."""
    done = _cli(tmp_path, HEAD + "x = " + "[" * 199 + "]" * 199 + "\n" + MODEL)
    assert done.returncode == 0, done.stderr


# item 5: resolution that recursed until FB100 (RecursionError)


def test_a_name_rebound_from_itself_is_its_previous_value(tmp_path: Path) -> None:
    found = _compile(tmp_path, '''
T = BigInteger()
T = T.with_variant(Integer(), "sqlite")


class Account(Base):
    __tablename__ = "accounts"
    id = Column(T, primary_key=True)
''')
    assert [(d.code, d.line) for d in found] == [("FB104", 10)]  # with_variant: generic type kept
    _, result = compile_path(tmp_path / "models.py")
    assert result.ir.entities["Account"].fields[0].type == "bigint"


def test_two_names_bound_to_each_other_end(tmp_path: Path) -> None:
    found = _compile(tmp_path, "A = B\nB = A\n" + MODEL.replace("Integer, primary", "A, primary")
                     .replace('"things"', '"things"\n    other = Column(Integer)'))
    assert "FB100" not in [d.code for d in found]
    assert [d.code for d in found] == ["FB104"]


def test_a_thousand_term_concatenation_is_one_string(tmp_path: Path) -> None:
    terms = " + ".join(['"ab"'] * 1000)
    _compile(tmp_path, f"PREFIX = {terms}\n" + MODEL.replace(
        "primary_key=True)", 'primary_key=True)\n    code = Column(String, default=PREFIX)'))
    _, result = compile_path(tmp_path / "models.py")
    default = result.ir.entities["Thing"].field("code").default
    assert getattr(default, "value", None) == "ab" * 1000


def test_calls_nested_190_deep_are_a_warning_at_their_statement(tmp_path: Path) -> None:
    nested = "f(" * 190 + "1" + ")" * 190
    found = _compile(tmp_path, "def f(x):\n    return x\n" + MODEL.replace(
        "primary_key=True)", f"primary_key=True)\n    n = Column(Integer, default={nested})"))
    line = HEAD.count("\n") + 7
    assert [(d.code, d.line, d.column) for d in found] == [("FB103", line, 5)]


# item 14: FB101 on the line CPython names, not one line below


CASES = {
    "missing colon": ("class User(Base)\n    pass\n", 1),
    "unclosed call": ("x = Column(Integer\n\ny = 1\n", 1),
    "bad indent": ("class User(Base):\n    a = 1\n      b = 2\n", 3),
    "stray operator": ("x = 1 +\ny = 2\n", 1),
    "unclosed string": ('x = "abc\ny = 2\n', 1),
    "keyword as name": ("class = 3\n", 1),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_syntax_error_is_reported_on_its_line(tmp_path: Path, case: str) -> None:
    text, line = CASES[case]
    (tmp_path / "models.py").write_text(text, "utf-8")
    with pytest.raises(CompileError) as raised:
        compile_path(tmp_path / "models.py")
    first = raised.value.diagnostics[0]
    assert (first.code, first.line) == ("FB101", line)
    assert first.source_line == text.splitlines()[line - 1]


def test_mutants_get_cpythons_position(tmp_path: Path) -> None:
    """Delete or duplicate one character of a real models file, many times: every mutant that
    Python refuses is FB101 at the line and column CPython reports."""
    source = (Path(__file__).parents[3] / "examples" / "blog" / "models.py").read_text("utf-8")
    rng = random.Random(27)
    checked = 0
    for _ in range(120):
        i = rng.randrange(len(source))
        mutant = source[:i] + source[i + 1:] if rng.random() < 0.5 else source[:i] + "(" + source[i:]
        try:
            ast.parse(mutant)
            continue
        except SyntaxError as error:
            expected = (error.lineno, error.offset)
        (tmp_path / "models.py").write_text(mutant, "utf-8")
        with pytest.raises(CompileError) as raised:
            compile_path(tmp_path / "models.py")
        first = raised.value.diagnostics[0]
        assert (first.code, first.line, first.column) == ("FB101", *expected)
        checked += 1
    assert checked > 20

"""The diagnostic format: file:line:col: severity CODE: message, then the line and a caret."""

from __future__ import annotations

from fastbackend.diagnostics import CompileError, Diagnostic, Severity, with_source

SOURCE = "from sqlalchemy import Column\n\nclass User(Base):\n    id = Colum(Integer)\n"


def test_format_with_caret_under_the_column() -> None:
    diagnostic = with_source(Diagnostic("models.py", 4, 10, "FB101", "unknown name 'Colum'"), SOURCE)
    assert diagnostic.format().splitlines() == [
        "models.py:4:10: error FB101: unknown name 'Colum'",
        "        id = Colum(Integer)",
        "             ^",
    ]


def test_compile_error_sorts_by_position_and_separates_warnings() -> None:
    error = CompileError([
        Diagnostic("models.py", 9, 1, "FB102", "later"),
        Diagnostic("models.py", 2, 5, "FB103", "a warning", Severity.WARNING),
        Diagnostic("a.py", 30, 1, "FB102", "other file"),
    ])
    assert [(d.file, d.line) for d in error.diagnostics] == [
        ("a.py", 30), ("models.py", 2), ("models.py", 9)]
    assert [d.message for d in error.errors] == ["other file", "later"]
    assert str(error).splitlines()[1] == "models.py:2:5: warning FB103: a warning"


def test_line_outside_the_file_prints_no_caret() -> None:
    diagnostic = with_source(Diagnostic("models.py", 99, 1, "FB101", "x"), SOURCE)
    assert diagnostic.format() == "models.py:99:1: error FB101: x"


def test_caret_line_counts_only_real_line_breaks() -> None:
    text = "a = 1\f# form feed\r\nb = 2\u2028c\rd = Colum()\n"
    diagnostic = with_source(Diagnostic("models.py", 3, 5, "FB101", "x"), text)
    assert diagnostic.source_line == "d = Colum()"

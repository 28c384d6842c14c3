"""A linear YAML writer for the OpenAPI document, byte-identical to PyYAML's block style.

PyYAML's pure-Python emitter took 9 s of the 10 s that a 300-model schema's compile cost
(issue #19): it builds an event per node and analyses every scalar again each time it meets
it. This writer walks the document once and appends text. It decides each string's style
with PyYAML's own resolver and scalar analysis (cached per distinct string: a document
repeats the same few thousand strings), and writes with PyYAML's own routines any scalar
that could be folded at the line width or needs escapes. It covers what the emitter produces
(mappings with string keys, lists, str, int, float, bool, None); anything else raises
``Unsupported`` and ``to_yaml`` falls back to PyYAML. tests/adapters/openapi/test_fastyaml.py
compares both on the corpus and on generated documents.

Settings mirrored (render.py): block style, insertion order, no aliases, allow_unicode,
width 100, indent 2.
"""

from __future__ import annotations

import io
from typing import Any

import yaml
from yaml.emitter import Emitter, ScalarAnalysis
from yaml.nodes import ScalarNode

WIDTH = 100
INDENT = 2
_STR_TAG = "tag:yaml.org,2002:str"
_SIMPLE_KEY_LIMIT = 128 - len("!!str")  # PyYAML's check_simple_key counts the tag


class Unsupported(Exception):
    """The document has something this writer does not reproduce exactly."""


class _Styles:
    """Each distinct string's style as PyYAML would choose it: '' (plain), "'" or '"'."""

    def __init__(self) -> None:
        self.emitter = Emitter(io.StringIO(), allow_unicode=True, width=WIDTH)
        self.resolver = yaml.SafeDumper(io.StringIO())
        self.values: dict[str, str] = {}
        self.keys: dict[str, str] = {}

    def analysis(self, text: str) -> ScalarAnalysis:
        return self.emitter.analyze_scalar(text)

    def value_style(self, text: str) -> str:
        style = self.values.get(text)
        if style is None:
            analysis = self.analysis(text)
            if self._plain(text) and analysis.allow_block_plain:
                style = ""
            elif analysis.allow_single_quoted:
                style = "'"
            else:
                style = '"'
            self.values[text] = style
        return style

    def key_style(self, text: str) -> str:
        style = self.keys.get(text)
        if style is None:
            analysis = self.analysis(text)
            if (analysis.empty or analysis.multiline
                    or len(analysis.scalar) >= _SIMPLE_KEY_LIMIT):
                raise Unsupported(f"a complex key: {text!r}")
            if self._plain(text) and analysis.allow_block_plain:
                style = ""
            elif analysis.allow_single_quoted:
                style = "'"
            else:
                raise Unsupported(f"a double-quoted key: {text!r}")
            self.keys[text] = style
        return style

    def _plain(self, text: str) -> bool:
        """Written plain, the text would read back as a string (not a number, bool, null...)."""
        resolved = self.resolver.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        return bool(resolved == _STR_TAG)


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.styles = _Styles()

    def text(self) -> str:
        return "".join(self.parts)[1:] + "\n"  # every line starts with "\n" + indent

    def mapping(self, mapping: dict[Any, Any], indent: int, inline: bool) -> None:
        """``inline``: the first key goes on the current line (after a sequence's "- ")."""
        parts = self.parts
        for number, (key, value) in enumerate(mapping.items()):
            if type(key) is not str:
                raise Unsupported(f"a {type(key).__name__} key")
            written = self.key(key)
            if number or not inline:
                parts.append("\n" + " " * indent)
            parts.append(written + ":")
            self.node(value, indent, indent + len(written) + 1, in_mapping=True)

    def sequence(self, sequence: list[Any], indent: int) -> None:
        for item in sequence:
            self.parts.append("\n" + " " * indent + "-")
            if type(item) is list and item:
                raise Unsupported("a list in a list")
            self.node(item, indent, indent + 1, in_mapping=False)

    def node(self, value: Any, indent: int, column: int, in_mapping: bool) -> None:
        """A mapping's value or a sequence's item; ``column``: where the line is now."""
        # exact types: PyYAML's SafeDumper refuses subclasses, and so must this writer
        kind = type(value)
        if kind is str:
            self.parts.append(self.string(value, indent, column))
        elif kind is dict:
            if not value:
                self.parts.append(" {}")
            elif in_mapping:
                self.mapping(value, indent + INDENT, inline=False)
            else:
                self.parts.append(" ")
                self.mapping(value, indent + INDENT, inline=True)
        elif kind is list:
            if not value:
                self.parts.append(" []")
            else:  # a mapping's list is not indented further (PyYAML's "indentless")
                self.sequence(value, indent)
        else:
            self.parts.append(" " + _other_scalar(value))

    def key(self, key: str) -> str:
        if self.styles.key_style(key) == "":
            return key
        return "'" + key.replace("'", "''") + "'"

    def string(self, text: str, indent: int, column: int) -> str:
        style = self.styles.value_style(text)
        # Short enough that PyYAML cannot fold it at a space, and on one line: written as is.
        if style == "" and (column + 1 + len(text) <= WIDTH or " " not in text):
            return " " + text
        if (style == "'" and "\n" not in text
                and (column + 3 + len(text) + text.count("'") <= WIDTH or " " not in text)):
            return " '" + text.replace("'", "''") + "'"
        return self._folded(text, style, indent, column)

    def _folded(self, text: str, style: str, indent: int, column: int) -> str:
        """PyYAML's own writer, in the state its emitter would be in here: the scalar's
        continuation lines are indented one step past the mapping or list holding it."""
        emitter = self.styles.emitter
        stream = io.StringIO()
        emitter.stream = stream
        emitter.column = column
        emitter.indent = indent + INDENT
        emitter.whitespace = False
        emitter.indention = False
        emitter.root_context = False
        if style == "":
            emitter.write_plain(text, True)
        elif style == "'":
            emitter.write_single_quoted(text, True)
        else:
            emitter.write_double_quoted(text, True)
        return stream.getvalue()


def _other_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    if type(value) is float:
        return _float(value)
    raise Unsupported(f"a {type(value).__name__} value")


def _float(value: float) -> str:
    """SafeRepresenter.represent_float's text."""
    if value != value:
        return ".nan"
    if value == float("inf"):
        return ".inf"
    if value == float("-inf"):
        return "-.inf"
    text = repr(value).lower()
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)
    return text


def dump(document: dict[str, Any]) -> str:
    """``document`` as PyYAML's block style writes it; raises Unsupported when it cannot."""
    if type(document) is not dict or not document:
        raise Unsupported("the document is not a non-empty mapping")
    writer = _Writer()
    writer.mapping(document, 0, inline=False)
    return writer.text()

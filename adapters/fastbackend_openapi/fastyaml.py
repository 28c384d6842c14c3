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
import re
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


# Texts whose scalar analysis is known without running PyYAML's (which costs more than
# writing them): one line, no leading or trailing space, nothing non-ASCII, and no character
# that is a YAML indicator where it stands (no ": ", no " #", no indicator first; { } , only
# flow indicators, which block style does not mind). Such a text is plain unless the resolver
# reads it as another type (1.5, 2024-01-31, yes), and then single-quoted.
# test_fastyaml.py checks these premises against PyYAML's analysis.
PLAIN_SAFE = re.compile(r"[A-Za-z0-9_(/][A-Za-z0-9_ ().,'`/{}-]*(?<! )")
# A local reference ("#/components/schemas/X"): '#' first makes it single-quoted.
REFERENCE = re.compile(r"#[A-Za-z0-9_./{}-]*")


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
            style = self._known_style(text)
            if style is None:
                analysis = self.analysis(text)
                if self.plain(text) and analysis.allow_block_plain:
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
            if len(text) >= _SIMPLE_KEY_LIMIT:
                raise Unsupported(f"a complex key: {text!r}")
            style = self._known_style(text)
            if style is None:
                analysis = self.analysis(text)
                if analysis.empty or analysis.multiline:
                    raise Unsupported(f"a complex key: {text!r}")
                if self.plain(text) and analysis.allow_block_plain:
                    style = ""
                elif analysis.allow_single_quoted:
                    style = "'"
                else:
                    raise Unsupported(f"a double-quoted key: {text!r}")
            self.keys[text] = style
        return style

    def _known_style(self, text: str) -> str | None:
        if PLAIN_SAFE.fullmatch(text):
            return "" if self.plain(text) else "'"
        if REFERENCE.fullmatch(text):
            return "'"
        return None

    def plain(self, text: str) -> bool:
        """Written plain, the text would read back as a string (not a number, bool, null...)."""
        resolved = self.resolver.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        return bool(resolved == _STR_TAG)


_ALWAYS = 1 << 30  # a column limit no line reaches
_LINE_BREAK = re.compile("[\n\x85\u2028\u2029]")  # YAML's line breaks (PyYAML's analysis)


class _Writer:
    """Appends the document's text to ``parts``; every line starts with "\n" + its indent."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.styles = _Styles()
        self.keys: dict[str, str] = {}  # key -> its text with the ":"
        # string -> (its text after a mapping's ":" or a list's "-", the last column at which
        # that text cannot be folded; past it PyYAML's own writer decides)
        self.strings: dict[str, tuple[str, int]] = {}

    def text(self) -> str:
        return "".join(self.parts)[1:] + "\n"

    def mapping(self, mapping: dict[Any, Any], indent: int, inline: bool) -> None:
        """``inline``: the first key goes on the current line (after a sequence's "- ")."""
        append = self.parts.append
        keys = self.keys
        strings = self.strings
        line = "\n" + " " * indent
        first = inline
        for key, value in mapping.items():
            written = keys.get(key) if type(key) is str else None
            if written is None:
                written = self.key(key)
            if first:
                append(written)
                first = False
            else:
                append(line + written)
            column = indent + len(written)
            if type(value) is str:
                known = strings.get(value)
                if known is not None and column <= known[1]:
                    append(known[0])  # the common case, inlined: this loop is the writer's cost
                else:
                    self.string(value, indent, column)
            else:
                self.node(value, indent, column, in_mapping=True)

    def sequence(self, sequence: list[Any], indent: int) -> None:
        append = self.parts.append
        dash = "\n" + " " * indent + "-"
        for item in sequence:
            append(dash)
            if type(item) is str:
                self.string(item, indent, indent + 1)
            else:
                self.node(item, indent, indent + 1, in_mapping=False)

    def node(self, value: Any, indent: int, column: int, in_mapping: bool) -> None:
        """A mapping's value or a sequence's item; ``column``: where the line is now."""
        # exact types: PyYAML's SafeDumper refuses subclasses, and so must this writer
        kind = type(value)
        if kind is str:
            self.string(value, indent, column)
        elif kind is dict:
            if not value:
                self.parts.append(" {}")
            elif len(value) == 1 and "$ref" in value:
                self.parts.append(_reference(value["$ref"], column))
            elif in_mapping:
                self.mapping(value, indent + INDENT, inline=False)
            else:
                self.parts.append(" ")
                self.mapping(value, indent + INDENT, inline=True)
        elif kind is list:
            if not value:
                self.parts.append(" []")
            elif not in_mapping:
                raise Unsupported("a list in a list")
            else:  # a mapping's list is not indented further (PyYAML's "indentless")
                self.sequence(value, indent)
        else:
            self.parts.append(" " + _other_scalar(value))

    def key(self, key: Any) -> str:
        if type(key) is not str:
            raise Unsupported(f"a {type(key).__name__} key")
        style = self.styles.key_style(key)
        written = (key if style == "" else "'" + key.replace("'", "''") + "'") + ":"
        self.keys[key] = written
        return written

    def string(self, text: str, indent: int, column: int) -> None:
        known = self.strings.get(text)
        if known is None:
            known = self.strings[text] = self._unfolded(text)
        if column <= known[1]:
            self.parts.append(known[0])
        else:
            self.parts.append(self._folded(text, indent, column))

    def _unfolded(self, text: str) -> tuple[str, int]:
        """The text on one line, and up to which column it stays so. PyYAML folds a plain or
        single-quoted scalar only at a space past the width; a double-quoted one (escapes)
        and a single-quoted one with a line break (\n, NEL, LS, PS) are always left to it."""
        style = self.styles.value_style(text)
        if style == "":
            return " " + text, (WIDTH - 1 - len(text) if " " in text else _ALWAYS)
        if style == "'" and not _LINE_BREAK.search(text):
            quoted = text.replace("'", "''")
            return " '" + quoted + "'", (WIDTH - 3 - len(quoted) if " " in text else _ALWAYS)
        return "", -1

    def _folded(self, text: str, indent: int, column: int) -> str:
        """PyYAML's own writer, in the state its emitter would be in here: the scalar's
        continuation lines are indented one step past the mapping or list holding it."""
        style = self.styles.value_style(text)
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


def _reference(target: Any, column: int) -> str:
    """A lone ``$ref`` in flow style, as render.py's PyYAML representer writes it: on the
    key's line, the target single-quoted (it starts with '#'). PyYAML would break the line
    once the column passes the width before the key: left to PyYAML."""
    if type(target) is not str or not REFERENCE.fullmatch(target) or column + 2 > WIDTH:
        raise Unsupported(f"a $ref this writer does not lay out: {target!r}")
    return " {$ref: '" + target + "'}"

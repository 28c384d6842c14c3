"""Seeds (real inputs kept in the repository) and the text mutations made of them.

A mutant is fully determined by (campaign seed, front-end, number): ``mutant(front_end, seed, n)``
gives the same mutant on any machine, so a failure found in a long run is reproduced alone.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

FrontEnd = Literal["prisma", "sqlalchemy"]
FRONT_ENDS: tuple[FrontEnd, ...] = ("prisma", "sqlalchemy")

TESTS = Path(__file__).resolve().parents[1]
CORPUS = TESTS / "corpus"
# The short run mutates small files only (tens of milliseconds to compile each); the soak run
# also mutates the real projects' files, up to this size.
SMALL = 6_000
LARGE = 120_000

_TOKEN = re.compile(r"\w+|\"[^\"\n]*\"|'[^'\n]*'|[^\w\s]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Seed:
    """One file to mutate. ``root`` is copied whole (a file, or a project folder); ``target`` is
    the file in it that is mutated and ``source`` what `fastbackend compile` is given, both
    relative to the copy."""

    front_end: FrontEnd
    root: Path
    target: str
    source: str

    @property
    def name(self) -> str:
        base = self.root.relative_to(CORPUS).as_posix()
        return base if self.target == self.root.name else f"{base}:{self.target}"

    def text(self) -> str:
        path = self.root if self.root.is_file() else self.root / self.target
        return path.read_text("utf-8")


@dataclass(frozen=True)
class Mutant:
    seed: Seed
    number: int
    text: str
    operations: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.seed.front_end}#{self.number} {self.seed.name} [{', '.join(self.operations)}]"


def _file_seeds(front_end: FrontEnd, files: list[Path]) -> list[Seed]:
    return [Seed(front_end, f, f.name, f.name) for f in files]


def _folder_seeds(front_end: FrontEnd, folder: Path, pattern: str, source: str) -> list[Seed]:
    return [Seed(front_end, folder, f.relative_to(folder).as_posix(), source)
            for f in sorted(folder.rglob(pattern)) if "__pycache__" not in f.parts]


@cache
def seeds(front_end: FrontEnd, large: bool) -> tuple[Seed, ...]:
    """The corpus files of one front-end; ``large`` adds real projects (folders, big files)."""
    limit = LARGE if large else SMALL
    found: list[Seed] = []
    if front_end == "prisma":
        kinds = ("valid", "invalid") if large else ("valid",)
        for kind in kinds:
            found += _file_seeds("prisma", sorted((CORPUS / "prisma" / kind).glob("*.prisma")))
        if large:
            for folder in sorted((CORPUS / "prisma" / "real").iterdir()):
                found += _folder_seeds("prisma", folder, "*.prisma", ".")
    else:
        found += _file_seeds("sqlalchemy", sorted((CORPUS / "sqlalchemy").glob("*.py")))
        if large:
            folders = [p for p in sorted((CORPUS / "sqlalchemy").iterdir()) if p.is_dir()]
            folders += sorted((CORPUS / "sqlalchemy" / "real").iterdir())
            for folder in folders:
                if folder.name != "real":
                    found += _folder_seeds("sqlalchemy", folder, "*.py", ".")
    return tuple(s for s in found if len(s.text()) <= limit)


# Fragments that stress each grammar: its punctuation, keywords and attribute heads, and text
# that is hostile to any reader (BOM, NUL, odd line breaks, non-ASCII, a byte that is not UTF-8).
_HOSTILE = ["\ufeff", "\x00", "\u2028", "\r", "\r\n", "\t", "\u00a0", "é", "用", "\U0001f600",
            "\udcff", "\\", "\\u", "\\x", '"', "'", "\n", " ", "-1", "1e999", "99999999999999999999",
            "0x", "1.5", "_", "__"]
_FRAGMENTS: dict[FrontEnd, list[str]] = {
    "prisma": ["{", "}", "@", "@@", "(", ")", "[", "]", ",", ":", "=", "?", "!", ".", "//", "///",
               "/*", "*/", "model", "enum", "type", "view", "datasource", "generator", "@relation(",
               "fields: [", "references: [", "onDelete: ", "@default(", "now()", "autoincrement()",
               "uuid()", "cuid()", "dbgenerated(", "@id", "@@id([", "@unique", "@@unique([",
               "@@index([", "@map(", "@@map(", "@@schema(", "@db.", "@updatedAt", "@ignore",
               "@@ignore", "Unsupported(", "String", "Int", "BigInt", "Json", "Bytes", "Decimal",
               "DateTime", "Boolean", "Float", "[]", "sort: Desc", "length: 3", 'name: "x"',
               'map: "x"', "type: Hash", "provider = ", 'previewFeatures = ["views"]'],
    "sqlalchemy": ["(", ")", "[", "]", "{", "}", ",", ":", "=", ".", "*", "**", "#", '"""', "\n    ",
                   "\n        ", "class X(Base):", "__tablename__ = ", "__table_args__ = ",
                   "__abstract__ = True", "mapped_column(", "Column(", "ForeignKey(", "relationship(",
                   "back_populates=", "backref=", "secondary=", "Mapped[", "Optional[", "list[",
                   "primary_key=True", "nullable=False", "unique=True", "index=True", "default=",
                   "server_default=", "String(", "Integer", "BigInteger", "Enum(", "lambda: ",
                   "import ", "from . import x", "from sqlalchemy import *", "del ", "global ",
                   "async ", "yield ", "await ", "__file__", "exec(", "getattr(", "...", "None",
                   "True", "if True:", "else:", "@declared_attr", "@property", "Table(", "UniqueConstraint(",
                   "Index(", "sa.", "db.", "Field(", "table=True", "SQLModel", "DeclarativeBase"],
}
# How deep a nesting mutation goes: shallow ones give other valid inputs, deep ones test the
# front-ends' limits (CPython's parser stops at 200 levels, Prisma's lists are unbounded).
_DEPTHS = [1, 2, 3, 8, 50, 300, 1_100]
_REPEATS = [2, 3, 20, 400]
_BRACKETS = [("(", ")"), ("[", "]"), ("{", "}")]


def _kind(token: str) -> str:
    return "word" if token[:1].isalnum() or token[:1] == "_" else "literal" if token[:1] in "\"'" else token


@cache
def _corpus_tokens(front_end: FrontEnd) -> dict[str, tuple[str, ...]]:
    """The corpus's tokens by kind: names and numbers, string literals, punctuation."""
    tokens = {t for s in seeds(front_end, False) for t in _TOKEN.findall(s.text())}
    kinds: dict[str, set[str]] = {}
    for token in tokens:
        kinds.setdefault(_kind(token) if _kind(token) in ("word", "literal") else "punct", set()).add(token)
    return {kind: tuple(sorted(found)) for kind, found in kinds.items()}


@cache
def _corpus_lines(front_end: FrontEnd) -> tuple[str, ...]:
    lines = {line for s in seeds(front_end, False) for line in s.text().splitlines() if line.strip()}
    return tuple(sorted(lines))


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def _delete_line(rng: random.Random, text: str, front_end: FrontEnd) -> str:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "".join(lines)


def _duplicate_line(rng: random.Random, text: str, front_end: FrontEnd) -> str:
    lines = _lines(text)
    at = rng.randrange(len(lines))
    lines.insert(at, lines[at] if lines[at].endswith("\n") else lines[at] + "\n")
    return "".join(lines)


def _swap_lines(rng: random.Random, text: str, front_end: FrontEnd) -> str:
    lines = _lines(text)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def _splice_line(rng: random.Random, text: str, front_end: FrontEnd) -> str:
    """A line of another corpus file of the same front-end, at a random line."""
    lines = _lines(text)
    lines.insert(rng.randrange(len(lines) + 1), rng.choice(_corpus_lines(front_end)) + "\n")
    return "".join(lines)


def _delete_span(rng: random.Random, text: str, front_end: FrontEnd) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + text[at + rng.randint(1, 24):]


def _insert_fragment(rng: random.Random, text: str, front_end: FrontEnd) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + rng.choice(_FRAGMENTS[front_end] + _HOSTILE) + text[at:]


def _spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text)] or [(0, 0)]


def _replace_token(rng: random.Random, text: str, front_end: FrontEnd) -> str:
    """A token replaced by one of its kind seen anywhere in the corpus (a name or keyword by a
    name or keyword, a literal by a literal, punctuation by punctuation): mostly still valid
    syntax, with other meanings."""
    spans = _spans(text)
    words = [(a, b) for a, b in spans if _kind(text[a:b]) == "word"]
    # Mostly names: most tokens are punctuation, and a swapped bracket only tests the parser.
    start, end = rng.choice(words if words and rng.random() < 0.8 else spans)
    kind = _kind(text[start:end])
    pool = _corpus_tokens(front_end)[kind if kind in ("word", "literal") else "punct"]
    return text[:start] + rng.choice(pool) + text[end:]


def _nest(rng: random.Random, text: str, front_end: FrontEnd) -> str:
    """A token wrapped in brackets, from one level to far past any parser's recursion."""
    start, end = rng.choice(_spans(text))
    depth = rng.choice(_DEPTHS)
    opening, closing = rng.choice(_BRACKETS)
    return text[:start] + opening * depth + text[start:end] + closing * depth + text[end:]


def _repeat(rng: random.Random, text: str, front_end: FrontEnd) -> str:
    """A line or a token repeated: duplicate names, long argument lists, long concatenations."""
    if rng.random() < 0.5:
        lines = _lines(text)
        at = rng.randrange(len(lines))
        line = lines[at] if lines[at].endswith("\n") else lines[at] + "\n"
        lines[at:at + 1] = [line] * rng.choice(_REPEATS)
        return "".join(lines)
    start, end = rng.choice(_spans(text))
    joiner = rng.choice([" + ", ", ", ".", " ", "("])
    return text[:start] + joiner.join([text[start:end]] * rng.choice(_REPEATS)) + text[end:]


def _long_name(rng: random.Random, text: str, front_end: FrontEnd) -> str:
    """A name made long: identifiers past every database's limit (63 bytes on PostgreSQL)."""
    names = [m for m in re.finditer(r"[A-Za-z_]\w*", text)]
    if not names:
        return text
    found = rng.choice(names)
    return text[:found.end()] + "_" * rng.choice([1, 60, 300]) + "x" + text[found.end():]


_ATTRIBUTE: dict[FrontEnd, re.Pattern[str]] = {
    "prisma": re.compile(r"@@?[\w.]+(?:\((?:[^()\n]|\([^()\n]*\))*\))?"),
    "sqlalchemy": re.compile(r"\b\w+=(?:\"[^\"\n]*\"|'[^'\n]*'|[\w.]+(?:\([^()\n]*\))?)"),
}
# Where an attribute goes: after a Prisma field's type, or as the last argument of a call that
# closes its line (mapped_column(...), Column(...), relationship(...), Field(...)).
_HOST: dict[FrontEnd, re.Pattern[str]] = {
    "prisma": re.compile(r"^[ \t]+\w+[ \t]+[A-Za-z]\w*(?:\([^)\n]*\))?(?:\[\])?\??(?=[ \t]|$).*$",
                         re.MULTILINE),
    "sqlalchemy": re.compile(r"\(.*(\))[ \t]*$", re.MULTILINE),
}


@cache
def _corpus_attributes(front_end: FrontEnd) -> tuple[str, ...]:
    found = {a for s in seeds(front_end, False) for a in _ATTRIBUTE[front_end].findall(s.text())}
    return tuple(sorted(found))


def _add_attribute(rng: random.Random, text: str, front_end: FrontEnd) -> str:
    """An attribute seen in the corpus given to another field: `@unique`, `@db.VarChar(300)`,
    `@default([])`; `nullable=False`, `server_default=text("now()")`, `ondelete="CASCADE"`."""
    hosts = list(_HOST[front_end].finditer(text))
    if not hosts:
        return text
    host = rng.choice(hosts)
    attribute = rng.choice(_corpus_attributes(front_end))
    if front_end == "prisma":  # a block attribute (@@index) on a line of its own
        separator = "\n  " if attribute.startswith("@@") else " "
        return text[:host.end()] + separator + attribute + text[host.end():]
    at = host.start(1)
    return text[:at] + ", " + attribute + text[at:]


OPERATIONS: dict[str, Callable[[random.Random, str, FrontEnd], str]] = {
    "delete-line": _delete_line, "duplicate-line": _duplicate_line, "swap-lines": _swap_lines,
    "splice-line": _splice_line, "delete-span": _delete_span, "insert-fragment": _insert_fragment,
    "replace-token": _replace_token, "nest": _nest, "repeat": _repeat, "long-name": _long_name,
    "add-attribute": _add_attribute,
}
# Mostly small structural edits, which keep many mutants compilable (the interesting ones for
# the runtime), with rarer stress operations.
_WEIGHTS = {"delete-line": 5, "duplicate-line": 3, "swap-lines": 2, "splice-line": 3,
            "delete-span": 1, "insert-fragment": 2, "replace-token": 8, "nest": 1, "repeat": 1,
            "long-name": 1, "add-attribute": 6}


def mutant(front_end: FrontEnd, campaign: int, number: int, large: bool) -> Mutant:
    """Mutant ``number`` of a campaign: a seed file, then one operation on it (three times in
    five), two or three."""
    rng = random.Random(f"{campaign}:{front_end}:{number}:{large}")
    # A real project's mutant compiles the whole project (seconds): one mutant in four.
    small = seeds(front_end, False)
    seed = rng.choice(small if not large or rng.random() < 0.75 else seeds(front_end, True))
    text = seed.text()
    names = rng.choices(list(_WEIGHTS), weights=list(_WEIGHTS.values()), k=rng.choice([1, 1, 1, 2, 3]))
    for name in names:
        text = OPERATIONS[name](rng, text, front_end)
    return Mutant(seed, number, text, tuple(names))


def line_count(text: str) -> int:
    """Lines as the diagnostics count them (a last line after the final break is a line)."""
    return len(_LINE_BREAK.split(text))


def line_at(text: str, line: int) -> str:
    return _LINE_BREAK.split(text)[line - 1]

"""The Prisma test corpus: tests/corpus/prisma/{valid,invalid}, plus CRLF, lone-CR and tab variants.

A case is a set of files (a folder of .prisma files is one multi-file schema). Schemas with `url`
in their datasource are Prisma 6 schemas (Prisma 7 forbids it, 6 requires it) and are checked
against the Prisma 6.19 engine; every other case against the Prisma 7 engine, and, when it has a
datasource, once more against 6.19 with a `url` added (the `[prisma6]` variant).
"""

from __future__ import annotations

import json
import random
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus" / "prisma"
ORACLE = Path(__file__).with_name("prisma_oracle.js")
_URL = re.compile(r"(?:^|[\r\n])[ \t]*url\s*=")


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str]

    @property
    def engine(self) -> str:
        return "6" if any(_URL.search(text) for text in self.files.values()) else "7"


def _read(path: Path) -> str:
    # newline="" keeps CRLF and lone CR exactly as written.
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def load_cases(kind: str) -> list[Case]:
    folder = CORPUS / kind
    cases = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            files = {p.name: _read(p) for p in sorted(entry.glob("*.prisma"))}
            cases.append(Case(entry.name, files))
        elif entry.suffix == ".prisma":
            cases.append(Case(entry.stem, {"schema.prisma": _read(entry)}))
    return cases


def load_real_cases() -> list[Case]:
    """tests/corpus/prisma/real/<project>/: real public schemas, each with a SOURCE.md naming its
    repository, commit and licence. Every .prisma file under a project folder is one schema
    (a prismaSchemaFolder keeps its sub-folders)."""
    cases = []
    for folder in sorted((CORPUS / "real").iterdir()):
        files = {p.relative_to(folder).as_posix(): _read(p) for p in sorted(folder.rglob("*.prisma"))}
        cases.append(Case(f"real/{folder.name}", files))
    return cases


def variants(case: Case) -> list[Case]:
    """The same schema with CRLF, lone-CR and tab-indented lines."""
    def each(change: Any) -> dict[str, str]:
        return {name: change(text) for name, text in case.files.items()}
    return [
        Case(f"{case.id}[crlf]", each(lambda t: t.replace("\n", "\r\n"))),
        Case(f"{case.id}[cr]", each(lambda t: t.replace("\n", "\r"))),
        Case(f"{case.id}[tabs]", each(lambda t: re.sub(r"(?m)^  ", "\t", t))),
    ]


_DATASOURCE_OPEN = re.compile(r"^(datasource\s+\w+\s*\{[^\n]*\n)", re.MULTILINE)


def prisma6_variant(case: Case) -> Case | None:
    """A Prisma 7 schema with a datasource, as a Prisma 6 schema: `url` added (6 requires it)."""
    if case.engine == "6" or not any(_DATASOURCE_OPEN.search(t) for t in case.files.values()):
        return None
    files = {name: _DATASOURCE_OPEN.sub(lambda m: m.group(1) + '  url = env("DATABASE_URL")\n',
                                        text) for name, text in case.files.items()}
    return Case(f"{case.id}[prisma6]", files)


_BLOCK_START = re.compile(r"^(?:model|view|type|enum|datasource|generator)\b")
_COMMENT_LINE = re.compile(r"^\s*(?://|/\*)")


def split_variant(case: Case) -> Case | None:
    """A one-file schema as a prismaSchemaFolder: each top-level block in a file of its own, with
    the comment lines right above it, so every diagnostic must name the right file."""
    if len(case.files) != 1:
        return None
    lines = next(iter(case.files.values())).split("\n")
    starts = [0]
    for number, line in enumerate(lines):
        if number and _BLOCK_START.match(line):
            first = number
            while first > starts[-1] + 1 and _COMMENT_LINE.match(lines[first - 1]):
                first -= 1
            starts.append(first)
    if len(starts) < 2:
        return None
    bounds = zip(starts, [*starts[1:], len(lines)], strict=True)
    files = {f"part{index:02}.prisma": "\n".join(lines[start:end])
             for index, (start, end) in enumerate(bounds)}
    return Case(f"{case.id}[split]", files)


def with_variants(cases: list[Case]) -> list[Case]:
    found = [variant for case in cases for variant in (case, *variants(case))]
    found += [v for case in cases if (v := split_variant(case)) is not None]
    return found + [v for case in cases if (v := prisma6_variant(case)) is not None]


def run_oracle(cases: list[Case], node: str, benchmark: int = 0) -> dict[str, dict[str, Any]]:
    """Run Prisma's engine on every case, each on its engine version: one node process in all."""
    request = {"benchmark": benchmark, "schemas": [
        {"id": c.id, "engine": c.engine, "files": sorted(c.files.items())} for c in cases]}
    completed = subprocess.run([node, str(ORACLE)], input=json.dumps(request), text=True,
                               capture_output=True, check=True, cwd=ROOT)
    return {item["id"]: item for item in json.loads(completed.stdout)}


def require_engines(*packages: str) -> None:
    """Skip (or, with FASTBACKEND_REQUIRE_SERVICES=1, fail) when Prisma's engines are missing."""
    from tests.services import unavailable

    for package in packages or ("prisma-schema-wasm-6", "prisma-schema-wasm-7"):
        if not (ROOT / "node_modules" / package).is_dir():
            unavailable("Prisma's schema engine is not installed: run `npm ci --ignore-scripts`")


_LOCATION = re.compile(r"-->\s+(\S+?):(\d+)")


def prisma_error_lines(message: str) -> list[tuple[str, int]]:
    return [(file, int(line)) for file, line in _LOCATION.findall(message)]


# Mutations for the differential fuzz: no CR (Prisma numbers the lines of a mixed-ending file
# differently) and no `url` (it switches the Prisma major version the schema is written for).
MUTATION_FRAGMENTS = ["{", "}", "@", "@@", "(", ")", "[", "]", ",", ":", "=", '"', "\\", "/*",
                      "*/", "//", "///", "\n", "\t", " ", "?", "!", ".", "-1", "1.5", "model",
                      "enum", "@relation(", "fields: [", "@default(", "now()", "@id", "@unique",
                      "@@index([", "@db.", "String", "Int", "_", "A", "z9"]


def mutation_cases(seed: int, count: int) -> list[Case]:
    """Small random edits (insert a fragment, delete a span, drop a line) of valid corpus schemas,
    the same ones for a given seed."""
    rng = random.Random(seed)
    seeds = [c for c in load_cases("valid") if len(c.files) == 1 and c.engine == "7"
             and c.id not in ("generated_300_models", "unicode_identifiers")]
    cases = []
    for index in range(count):
        text = next(iter(rng.choice(seeds).files.values()))
        for _ in range(rng.randint(1, 2)):
            text = _mutate(rng, text)
        cases.append(Case(f"mutation-{seed}-{index}", {"schema.prisma": text}))
    return [c for c in cases if c.engine == "7"]


def _mutate(rng: random.Random, text: str) -> str:
    at = rng.randint(0, len(text))
    action = rng.choice(["insert", "delete", "line"])
    if action == "insert":
        return text[:at] + rng.choice(MUTATION_FRAGMENTS) + text[at:]
    if action == "delete":
        return text[:at] + text[at + rng.randint(1, 8):]
    lines = text.split("\n")
    del lines[rng.randrange(len(lines))]
    return "\n".join(lines)

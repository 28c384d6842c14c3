"""Generated schemas that put every index rule to Prisma's engine: index type x field type x
native type x operator class x per-field option, per provider.

Each provider gets one schema: a model per field declaration, and in it one index attribute per
line, so a single engine run judges thousands of combinations and the comparison is line by
line. Every generated line is well-formed for Prisma's first phase (known operator classes and
index types, native types that fit their scalar), so Prisma reports every rule violation it finds,
each at its own line, and nothing hides behind an earlier error.
"""

from __future__ import annotations

import random

from fastbackend.frontends.prisma.connectors import OPERATOR_CLASSES
from fastbackend.frontends.prisma.native_types import ARITIES, NATIVE_TYPES
from tests.frontends.prisma.corpus import Case

PROVIDERS = ("postgresql", "cockroachdb", "mysql", "sqlserver", "sqlite")
INDEX_TYPES = (None, "BTree", "Hash", "Gist", "Gin", "SpGist", "Brin")
SCALARS = ("String", "Int", "BigInt", "Float", "Decimal", "DateTime", "Bytes", "Json", "Boolean")
_SCALAR_LISTS = {"postgresql", "cockroachdb"}
_JSON = {"postgresql", "cockroachdb", "mysql"}
_ENUMS = {"postgresql", "cockroachdb", "mysql", "sqlite"}


def field_declarations(provider: str) -> list[str]:
    """Every scalar, every native type on each scalar it fits, enums, lists, Unsupported."""
    found = [s for s in SCALARS if s != "Json" or provider in _JSON]
    for native, scalars in sorted(NATIVE_TYPES.get(provider, {}).items()):
        count = ARITIES.get(provider, {}).get(native, (0,))[0]
        arguments = "(" + ", ".join(["1", "0"][:count]) + ")" if count else ""
        found += [f"{scalar} @db.{native}{arguments}" for scalar in sorted(scalars)]
    if provider in _ENUMS:
        found.append("Color")
    if provider in _SCALAR_LISTS:
        found += ["String[]", "Int[]"]
    found.append('Unsupported("tsvector")')
    return found


def _options(rng: random.Random, sample: int | None) -> list[str]:
    classes = sorted(OPERATOR_CLASSES)
    chosen = classes if sample is None else rng.sample(classes, sample)
    return ["", "(sort: Desc)", "(length: 10)", '(ops: raw("gin_trgm_ops"))',
            *(f"(ops: {name})" for name in chosen)]


def _lines(rng: random.Random, sample: int | None) -> list[str]:
    lines = []
    for kind in INDEX_TYPES:
        suffix = f", type: {kind}" if kind else ""
        lines += [f"  @@index([f{option}]{suffix})" for option in _options(rng, sample)]
    lines += ["  @@unique([f(ops: JsonbOps)])", "  @@index([f, id], type: SpGist)",
              "  @@index([f, id], type: Gin)", "  @@index([id, f], type: Gin)",
              "  @@unique([f])", "  @@unique([f(length: 10)])", "  @@unique([f(sort: Desc)])",
              "  @@fulltext([f])"]
    return lines


# Primary keys and field-level uniques: one model each (a model has one id, a field one @unique).
KEY_VARIANTS = ("  f {0}\n  @@id([f])", "  f {0}\n  @@id([f(length: 10)])",
                "  f {0}\n  @@id([f(sort: Desc)])", "  id Int @id\n  f {0} @unique",
                "  id Int @id\n  f {0} @unique(length: 10)", "  f {0} @id(length: 10)")


def _model(index: int, declaration: str, lines: list[str]) -> str:
    # Each index gets its own name: Prisma checks derived names (`M0_f_idx`) for clashes too.
    named = [line[:-1] + f', map: "m{index}_{number}")' for number, line in enumerate(lines)]
    return "\n".join([f"model M{index} {{", "  id Int @id", f"  f {declaration}", *named, "}", ""])


def _keyable(declaration: str) -> bool:
    """Lists, Json and Unsupported fields cannot be keys at all, an error of Prisma's first
    validation phase that would hide every other error of the schema."""
    return not any(word in declaration for word in ("[]", "Json", "Unsupported"))


def _key_model(index: int, variant: int, declaration: str) -> str:
    body = KEY_VARIANTS[variant].format(declaration)
    return f"model K{index}_{variant} {{\n{body}\n}}\n"


def matrix_case(provider: str, seed: int, sample: int | None) -> Case:
    """``sample`` operator classes per model (chosen with ``seed``), or all of them when None."""
    rng = random.Random(f"{seed}-{provider}")
    parts = [f'datasource db {{\n  provider = "{provider}"\n}}\n']
    if provider in _ENUMS:
        parts.append("enum Color {\n  RED\n}\n")
    declarations = field_declarations(provider)
    parts += [_model(i, d, _lines(rng, sample)) for i, d in enumerate(declarations)]
    parts += [_key_model(i, v, d) for i, d in enumerate(declarations) if _keyable(d)
              for v, _variant in enumerate(KEY_VARIANTS)]
    return Case(f"index-matrix-{provider}", {"schema.prisma": "\n".join(parts)})


def matrix_cases(seed: int, sample: int | None) -> list[Case]:
    return [matrix_case(provider, seed, sample) for provider in PROVIDERS]

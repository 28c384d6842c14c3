"""Names in the emitted project: Prisma models and delegates, TypeScript identifiers, file names."""

from __future__ import annotations

import re

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|[_\-\s]+")


def words(name: str) -> list[str]:
    return [word for word in _WORD_BOUNDARY.split(name) if word]


def pascal(name: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in words(name))


def camel(name: str) -> str:
    text = pascal(name)
    return text[:1].lower() + text[1:]


def kebab(name: str) -> str:
    return "-".join(word.lower() for word in words(name))


def delegate(model: str) -> str:
    """The PrismaClient property of a model: Prisma lower-cases only the first character."""
    return model[:1].lower() + model[1:]

"""Names the REST API derives from model names: kebab-case plural paths, PascalCase ids."""

from __future__ import annotations

import re
import unicodedata

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_IRREGULAR = {
    "person": "people", "child": "children", "man": "men", "woman": "women", "mouse": "mice",
    "goose": "geese", "tooth": "teeth", "foot": "feet", "datum": "data", "index": "indices",
    "status": "statuses", "criterion": "criteria", "analysis": "analyses",
}
_UNCOUNTABLE = {"news", "series", "species", "equipment", "information", "metadata", "data",
                "sheep", "fish", "media", "feedback", "settings", "money"}


def ascii_name(name: str) -> str:
    """An ASCII spelling for URLs and operation ids: accents dropped (Café -> Cafe), other
    letters as their code points (用户 -> U7528U6237). Prisma and Python accept Unicode names;
    paths and OpenAPI operation ids should not depend on percent-encoding."""
    kept = []
    for char in unicodedata.normalize("NFKD", name):
        if char.isascii():
            kept.append(char)
        elif not unicodedata.combining(char):
            kept.append(f"U{ord(char):04X}")
    return "".join(kept)


def words(name: str) -> list[str]:
    """Split PascalCase, camelCase, snake_case or kebab-case into lower-case ASCII words."""
    spaced = _WORD_BOUNDARY.sub("_", ascii_name(name).replace("-", "_"))
    return [part.lower() for part in spaced.split("_") if part]


def plural(word: str) -> str:
    lower = word.lower()
    if lower in _UNCOUNTABLE:
        return word
    if lower in _IRREGULAR:
        return word[0] + _IRREGULAR[lower][1:] if word[:1].isupper() else _IRREGULAR[lower]
    if re.search(r"[^su]s$", lower):
        return word  # already plural (Users, Settings); Status and Address still get "es"
    if re.search(r"[^aeiou]y$", lower):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", lower):
        return word + "es"
    return word + "s"


def kebab(name: str) -> str:
    return "-".join(words(name))


def pascal(name: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in words(name))


def snake(name: str) -> str:
    return "_".join(words(name))


def resource_path(entity_name: str) -> str:
    """``User`` -> ``/users``, ``BlogPost`` -> ``/blog-posts``."""
    parts = words(entity_name)
    parts[-1] = plural(parts[-1])
    return "/" + "-".join(parts)


def plural_pascal(entity_name: str) -> str:
    parts = words(entity_name)
    parts[-1] = plural(parts[-1])
    return "".join(part[:1].upper() + part[1:] for part in parts)

"""`search=`: full-text search on a list read (IR 1.4), parsed into the Query.

Only an entity whose IR records a `search` takes it; any other answers 400 invalid-parameter
naming `search` (never an unranked or unindexed scan). Without `sort`, the page is ordered by
rank, best match first, then by the key; with `sort`, the search only filters. A page ordered by
rank is paged by `offset`, not `cursor` (a rank is a float the database recomputes per request,
not a key a cursor can hold exactly): `cursor` with it is a 400 and such pages give no
`next_cursor`. The SQL is the dialect's (database/dialects/fulltext.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastbackend_fastapi.query.errors import bad_parameter
from fastbackend_fastapi.query.vocabulary import EntityVocabulary

PARAMETER = "search"
WORD = re.compile(r"\w")


def parse(entity: EntityVocabulary, params: Mapping[str, Any]) -> tuple[str | None, bool]:
    """The search text (None: no search) and whether the page is ordered by rank."""
    raw = params.get(PARAMETER)
    if raw is None:
        return None, False
    text = checked(entity, raw)
    ranked = params.get("sort") is None
    if ranked and params.get("cursor") is not None:
        raise bad_parameter("cursor", "a search ordered by rank pages by offset, not cursor "
                                      "(give sort= to page a search by cursor)")
    return text, ranked


def checked(entity: EntityVocabulary, raw: Any) -> str:
    """The search text of ``search=``, on an entity that has full-text search (an aggregate
    takes it too: it aggregates the matching rows, so no rank and no cursor rule)."""
    if entity.search is None:
        raise bad_parameter(PARAMETER, f"{entity.name} has no full-text search; declare its "
                            f"searched fields in fastbackend.yaml (models.{entity.name}.search)")
    if not isinstance(raw, str):
        raise bad_parameter(PARAMETER, "expected text")
    if not WORD.search(raw):
        raise bad_parameter(PARAMETER, "needs at least one word to search for")
    return raw


def unsupported(database: str) -> Exception:
    return bad_parameter(PARAMETER, f"full-text search is not supported on this database "
                                    f"({database})")

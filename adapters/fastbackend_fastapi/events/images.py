"""The realtime feed's row images (docs/events.md "Realtime").

Each realtime entity has an image table (its name decided by the compiler: the IR's
``events.imageTables``): per feed row of a create or an update, the row the event carries (its
after image), and per feed row of a delete the row as the delete found it (its before image),
as one row holding the feed row's id and every column of the entity, hidden ones included.
The write inserts it in its own transaction, beside its feed row (outbox.py). The feed judges
an event by running the list's own conditions (filters, row scope) against it
(routes/changes.py), so an event is judged by what it carries, never by the row as it is when
the event is sent. Retention prunes the images with their feed rows (retention.py).

The table has no constraint but its key: no foreign key to the entity's table (its row may be
gone), no unique (a row has one image per event), every column nullable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from fastbackend_fastapi.database import sqltypes
from fastbackend_ir import Field

FEED_ID = "fastbackend_feed_id"  # the feed row's outbox id: the image table's key
_ID = sqltypes.with_variants(sa.BigInteger(), Field(name=FEED_ID, column=FEED_ID, type="bigint",
                                                    primary_key=True))


def image_table(metadata: sa.MetaData, name: str,
                columns: Mapping[str, sa.Column[Any]]) -> sa.Table:
    """The image table ``name`` of an entity whose columns are ``columns`` (by field name):
    the same column names and types, each keyed by its field name as the entity's are, so the
    list's statements find the fields in it as they find them in the entity's table."""
    copies = [sa.Column(column.name, column.type, key=field, nullable=True)
              for field, column in columns.items()]
    return sa.Table(name, metadata,
                    sa.Column(FEED_ID, _ID, primary_key=True, autoincrement=False), *copies)


def image_values(table: sa.Table, feed_id: int, row: Any) -> dict[str, Any]:
    """The image row of ``row`` (a Row labelled by field name) for the feed row ``feed_id``."""
    mapping = row._mapping
    values = {column.key: mapping[column.key] for column in table.columns
              if column.key != FEED_ID and column.key in mapping}
    values[FEED_ID] = feed_id
    return values

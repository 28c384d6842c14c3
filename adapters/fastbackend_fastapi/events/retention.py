"""How long the realtime feed's rows are kept (docs/events.md "Retention").

Each server deletes the feed rows (destination ``$realtime``) older than
``events.retentionSeconds`` or beyond the newest ``events.retentionRows``, when it starts and
then every PRUNE_SECONDS (FASTBACKEND_FEED_PRUNE_SECONDS). Always a prefix by id: the rows up
to one id go. That id is recorded in a marker row of the outbox (destination
``$realtime-pruned``, the id as its payload; the delivery worker never claims it, being
`delivered`), so a stream whose position is below it knows that events it has not sent are gone
and tells its client to reload (an SSE ``reset`` event, routes/changes.py), never skipping
them silently. Servers pruning at once is harmless: deletes of a prefix, and the highest
marker wins. The feed rows' images (images.py) go with them: the same prefix of feed ids.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fastbackend_fastapi.events.images import FEED_ID
from fastbackend_fastapi.events.outbox import DELIVERED, REALTIME
from fastbackend_ir import Events

PRUNED = "$realtime-pruned"
PRUNE_SECONDS = 60.0
PRUNE_VARIABLE = "FASTBACKEND_FEED_PRUNE_SECONDS"


def prune_seconds(environ: Mapping[str, str] | None = None) -> float:
    """Seconds between two prunes (the variable, else PRUNE_SECONDS)."""
    text = (os.environ if environ is None else environ).get(PRUNE_VARIABLE, "").strip()
    try:
        value = float(text) if text else PRUNE_SECONDS
    except ValueError:
        return PRUNE_SECONDS
    return value if value > 0 else PRUNE_SECONDS


def prune(connection: Connection, table: sa.Table, events: Events,
          now: float | None = None, images: Iterable[sa.Table] = ()) -> int:
    """Deletes the feed rows past retention and their ``images`` (in the caller's
    transaction); how many feed rows."""
    t, feed = table, table.c.destination == REALTIME
    now = time.time() if now is None else now
    cutoffs = [connection.execute(sa.select(sa.func.max(t.c.id)).where(
        feed, t.c.created_at < now - events.retention_seconds)).scalar()]
    if events.retention_rows is not None:
        cutoffs.append(connection.execute(sa.select(t.c.id).where(feed).order_by(t.c.id.desc())
                                          .offset(events.retention_rows).limit(1)).scalar())
    through = max((int(cut) for cut in cutoffs if cut is not None), default=None)
    if through is None:
        return 0
    deleted = connection.execute(sa.delete(t).where(feed, t.c.id <= through)).rowcount
    for image in images:
        connection.execute(sa.delete(image).where(image.c[FEED_ID] <= through))
    through = max(through, pruned_through(connection, table))
    connection.execute(sa.delete(t).where(t.c.destination == PRUNED))
    connection.execute(sa.insert(t).values(
        event_id="pruned", destination=PRUNED, entity="", operation="prune", row_key="",
        payload=str(through), status=DELIVERED, attempts=0, created_at=now,
        next_attempt_at=now, delivered_at=now))
    return int(deleted or 0)


def pruned_through(connection: Connection, table: sa.Table) -> int:
    """The highest feed row id deleted so far (0: none)."""
    rows = connection.execute(sa.select(table.c.payload)
                              .where(table.c.destination == PRUNED)).scalars()
    return max((int(text) for text in rows if text.isdigit()), default=0)

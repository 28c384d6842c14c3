"""Read-your-writes across instances (`operations.replicas.writers: redis`).

Each instance remembers its own clients' recent writes (database/replicas.py); behind a load
balancer that is not sticky, a client's next read may reach another instance, which would send
it to a replica that has not replayed the write yet. With this store, a write also sets a
Redis key per client that expires with the read-your-writes window, and an instance about to
send a read to a replica first asks whether the key exists. One round trip per replica read,
none when every read goes to the primary anyway.

When Redis does not answer, a read goes to the primary (never stale; the primary takes the
load until Redis is back), and a write's mark is lost for the other instances (its own
instance still remembers it); each outage is logged once.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from typing import Any

logger = logging.getLogger("fastbackend_fastapi.replicas")


class RedisWriters:
    """database.replicas.SharedWriters on Redis (redis-py's blocking client: it runs in the
    read's worker thread, and the write's mark off the event loop)."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis  # only with `writers: redis`

        self.client: Any = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.prefix = prefix
        self.errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self._down = threading.Event()  # set during an outage: logged once

    def mark(self, client: str, seconds: float) -> None:
        try:
            self.client.set(self._key(client), b"1", px=max(1, math.ceil(seconds * 1000)))
        except self.errors as error:
            self._failed("a write could not be shared", error)
        else:
            self._answered()

    def recent(self, client: str) -> bool:
        try:
            found = bool(self.client.exists(self._key(client)))
        except self.errors as error:
            self._failed("reads go to the primary", error)
            return True
        self._answered()
        return found

    def close(self) -> None:
        self.client.close()

    def _key(self, client: str) -> str:
        # fixed length whatever the client id (an address, a key's hash, a token subject)
        return f"{self.prefix}:{hashlib.sha256(client.encode()).hexdigest()[:32]}"

    def _failed(self, consequence: str, error: BaseException) -> None:
        if not self._down.is_set():
            self._down.set()
            logger.warning("read-your-writes store (Redis) is not answering: %s (%s)",
                           consequence, error)

    def _answered(self) -> None:
        if self._down.is_set():
            self._down.clear()
            logger.warning("read-your-writes store (Redis) answers again")

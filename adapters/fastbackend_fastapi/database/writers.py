"""Who wrote recently, for read-your-writes (database/replicas.py): in this process, or in
Redis so that every instance knows (docs/operations.md, "Read replicas").

A client that committed a write reads the primary for `read_your_writes_seconds`. In memory
(the default) only the instance that served the write knows it, so another instance may send
the client's next read to a replica: sticky load balancing, or Redis. With the rate limits'
`storage: redis` the mark is a Redis key with that lifetime (`PREFIX:ryw:CLIENT`, `SET ... PX`),
read by every instance on the same Redis. When Redis does not answer, a read goes to the
primary (correct, only less spread) and a warning is logged once per outage.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

logger = logging.getLogger("fastbackend_fastapi.replicas")
WRITERS = 100_000  # clients remembered as recent writers (least recently written forgotten)
REDIS_TIMEOUT_SECONDS = 0.5  # a read waits no longer for Redis before it takes the primary


class Writers(Protocol):
    def wrote(self, client: str, seconds: float) -> None: ...

    def recent(self, client: str) -> bool: ...

    def close(self) -> None: ...


class MemoryWriters:
    """This process's recent writers (the least recently written forgotten past WRITERS)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.until: OrderedDict[str, float] = OrderedDict()

    def wrote(self, client: str, seconds: float) -> None:
        self.until.pop(client, None)
        self.until[client] = self.clock() + seconds
        if len(self.until) > WRITERS:
            self.until.popitem(last=False)

    def recent(self, client: str) -> bool:
        until = self.until.get(client)
        return until is not None and self.clock() < until

    def close(self) -> None:
        self.until.clear()


class RedisWriters:
    """Recent writers in Redis, shared by every instance (redis-py's client, thread-safe)."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis  # only with the rate limits' `storage: redis`

        self.client: Any = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                                socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
        self.prefix = f"{prefix}:ryw:"
        self.errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self.failing = False

    def wrote(self, client: str, seconds: float) -> None:
        self._ask(lambda: self.client.set(self.prefix + client, b"1", px=int(seconds * 1000)))

    def recent(self, client: str) -> bool:
        found = self._ask(lambda: self.client.exists(self.prefix + client))
        return found is None or bool(found)  # no answer: the primary, always correct

    def close(self) -> None:
        self.client.close()

    def _ask(self, call: Callable[[], Any]) -> Any:
        try:
            answer = call()
        except self.errors as error:
            if not self.failing:
                logger.warning("read-your-writes: Redis did not answer (%s); reads go to the "
                               "primary until it does", error)
            self.failing = True
            return None
        self.failing = False
        return answer

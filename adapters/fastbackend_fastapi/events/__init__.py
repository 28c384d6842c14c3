"""Change events (docs/events.md): a transactional outbox written with every write the runtime
makes, and a worker that delivers it at least once, in order per row, to webhooks, Redis
Streams, NATS JetStream and RabbitMQ.

- ``outbox``: the table and ``Outbox.record``, called in the write's own transaction.
- ``settings``: the IR's destinations with their secrets from the environment (a missing
  variable stops startup).
- ``destinations``: one sender per destination kind.
- ``worker``: claims, delivers, retries with backoff, dead-letters.
"""

from fastbackend_fastapi.events.settings import EventsConfigError

__all__ = ["EventsConfigError"]

"""One sender per destination kind: ``send`` returns when the broker (or the webhook's
endpoint) has accepted the event, and raises otherwise; the worker retries.

Broker clients are imported only when a destination of their kind is configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any, Protocol

from fastbackend_fastapi.events.settings import Resolved

TIMEOUT = 10.0  # seconds for one delivery attempt


class Sender(Protocol):
    async def send(self, event_id: str, payload: str) -> None: ...
    async def close(self) -> None: ...


class DeliveryFailed(Exception):
    """The destination refused the event (a non-2xx answer, a negative acknowledgement)."""


def signature(key: bytes, event_id: str, timestamp: int, payload: str) -> str:
    """Standard Webhooks: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``."""
    signed = f"{event_id}.{timestamp}.{payload}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


class Webhook:
    def __init__(self, resolved: Resolved) -> None:
        import httpx

        self.url, self.key = resolved.url, resolved.key
        self.client = httpx.AsyncClient(timeout=TIMEOUT)

    async def send(self, event_id: str, payload: str) -> None:
        timestamp = int(time.time())
        headers = {"content-type": "application/json", "webhook-id": event_id,
                   "webhook-timestamp": str(timestamp),
                   "webhook-signature": signature(self.key, event_id, timestamp, payload)}
        response = await self.client.post(self.url, content=payload.encode(), headers=headers)
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"{self.url} answered {response.status_code}")

    async def close(self) -> None:
        await self.client.aclose()


class RedisStream:
    def __init__(self, resolved: Resolved) -> None:
        import redis.asyncio

        assert resolved.destination.stream is not None
        self.stream = resolved.destination.stream
        self.client: Any = redis.asyncio.from_url(resolved.url, socket_timeout=TIMEOUT)

    async def send(self, event_id: str, payload: str) -> None:
        await self.client.xadd(self.stream, {"id": event_id, "payload": payload})

    async def close(self) -> None:
        await self.client.aclose()


class NatsJetStream:
    """Publishes with ``Nats-Msg-Id``: JetStream drops a redelivery inside the stream's
    duplicate window. The stream covering the subject is the operator's (not created here)."""

    def __init__(self, resolved: Resolved) -> None:
        assert resolved.destination.subject is not None
        self.url, self.subject = resolved.url, resolved.destination.subject
        self.client: Any = None

    async def send(self, event_id: str, payload: str) -> None:
        if self.client is None:
            import nats

            self.client = await nats.connect(self.url, connect_timeout=int(TIMEOUT),
                                             allow_reconnect=True)
        stream = self.client.jetstream(timeout=TIMEOUT)
        await stream.publish(self.subject, payload.encode(), headers={"Nats-Msg-Id": event_id})

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


class RabbitMQ:
    """Publisher confirms: ``publish`` returns once the broker has taken the message (a
    persistent one, to a durable queue: written), raises on a nack or an unroutable message."""

    def __init__(self, resolved: Resolved) -> None:
        assert resolved.destination.routing_key is not None
        self.url = resolved.url
        self.exchange_name = resolved.destination.exchange or ""
        self.routing_key = resolved.destination.routing_key
        self.connection: Any = None
        self.exchange: Any = None

    async def send(self, event_id: str, payload: str) -> None:
        import aio_pika

        if self.exchange is None:
            self.connection = await aio_pika.connect_robust(self.url, timeout=TIMEOUT)
            channel = await self.connection.channel(publisher_confirms=True,
                                                     on_return_raises=True)
            self.exchange = (channel.default_exchange if not self.exchange_name else
                             await channel.get_exchange(self.exchange_name))
        message = aio_pika.Message(payload.encode(), message_id=event_id,
                                   content_type="application/json",
                                   delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
        await self.exchange.publish(message, routing_key=self.routing_key, mandatory=True,
                                    timeout=TIMEOUT)

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()


SENDERS: dict[str, Callable[[Resolved], Sender]] = {
    "webhook": Webhook,
    "redis": RedisStream,
    "nats": NatsJetStream,
    "rabbitmq": RabbitMQ,
}


def sender(resolved: Resolved) -> Sender:
    return SENDERS[resolved.destination.kind](resolved)

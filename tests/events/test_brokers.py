"""Each broker receives the events, in order, with the event id for deduplication: Redis
Streams (XADD), NATS JetStream (Nats-Msg-Id) and RabbitMQ (publisher confirms, message_id).
Against the real services of this machine (tests/services.py's addresses)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.fastapi.conftest import TestClient
from tests.events.conftest import compile_project, outbox, wait_for
from tests.services import require_redis

NATS_URL = os.environ.get("FASTBACKEND_TEST_NATS", "nats://127.0.0.1:4222")
AMQP_URL = os.environ.get("FASTBACKEND_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672/")
StartApp = Callable[[Path, str], TestClient]


def _writes(client: TestClient) -> None:
    assert client.post("/notes", json={"slug": "a", "title": "0"}).status_code == 201
    for n in range(1, 4):
        assert client.patch("/notes/a", json={"title": str(n)}).status_code == 200
    assert client.delete("/notes/a").status_code == 204


def _serve(tmp_path: Path, destination: str, start_app: StartApp) -> tuple[TestClient, str]:
    url = f"sqlite+pysqlite:///{tmp_path / 'app.db'}"
    config = f"events:\n  destinations:\n    out: {destination}\n  models:\n    Note: {{out: all}}\n"
    return start_app(compile_project(tmp_path / "project", config), url), url


def _delivered(url: str) -> list[dict[str, Any]]:
    def done() -> list[dict[str, Any]] | None:
        rows = outbox(url)
        return rows if len(rows) == 5 and all(r["status"] == "delivered" for r in rows) else None

    rows: list[dict[str, Any]] = wait_for(done, what="five events delivered")
    return rows


def test_redis_stream_receives_each_event_in_order(tmp_path: Path, start_app: StartApp,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    monkeypatch.setenv("EVENTS_REDIS_URL", require_redis())
    stream = f"fastbackend-test-{uuid.uuid4().hex}"
    client, url = _serve(tmp_path, f"{{type: redis, url_env: EVENTS_REDIS_URL, stream: {stream}}}",
                         start_app)
    _writes(client)
    rows = _delivered(url)
    reader = redis.Redis.from_url(require_redis())
    try:
        entries = reader.xrange(stream)
        assert [e[1][b"id"].decode() for e in entries] == [r["event_id"] for r in rows]
        assert [e[1][b"payload"].decode() for e in entries] == [r["payload"] for r in rows]
    finally:
        reader.delete(stream)
        reader.close()


async def _nats_stream(name: str, subject: str) -> None:
    import nats

    connection = await nats.connect(NATS_URL)
    try:
        await connection.jetstream().add_stream(name=name, subjects=[subject])
    finally:
        await connection.close()


async def _nats_messages(name: str) -> list[Any]:
    import nats

    connection = await nats.connect(NATS_URL)
    try:
        stream = connection.jetstream()
        count = (await stream.stream_info(name)).state.messages
        messages = [await stream.get_msg(name, seq) for seq in range(1, count + 1)]
        await stream.delete_stream(name)
        return messages
    finally:
        await connection.close()


def test_nats_jetstream_receives_each_event_with_its_dedup_id(tmp_path: Path,
                                                              start_app: StartApp) -> None:
    name = f"FBTEST_{uuid.uuid4().hex}"
    subject = f"fbtest.{uuid.uuid4().hex}"
    asyncio.run(_nats_stream(name, subject))
    client, url = _serve(tmp_path, f'{{type: nats, url: "{NATS_URL}", subject: {subject}}}',
                         start_app)
    _writes(client)
    rows = _delivered(url)
    messages = asyncio.run(_nats_messages(name))
    assert [m.headers["Nats-Msg-Id"] for m in messages] == [r["event_id"] for r in rows]
    assert [m.data.decode() for m in messages] == [r["payload"] for r in rows]


async def _rabbit_queue(exchange: str, routing_key: str) -> str:
    import aio_pika

    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_exchange(exchange, aio_pika.ExchangeType.DIRECT)
        queue = await channel.declare_queue(f"{exchange}.q")
        await queue.bind(declared, routing_key)
        return queue.name


async def _rabbit_messages(exchange: str, queue_name: str, count: int) -> list[Any]:
    import aio_pika

    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name)
        messages = []
        for _ in range(count):
            message = await queue.get(no_ack=True, fail=False)
            if message is not None:
                messages.append(message)
        await queue.delete(if_unused=False, if_empty=False)
        await channel.exchange_delete(exchange)
        return messages


def test_rabbitmq_receives_each_event_confirmed(tmp_path: Path, start_app: StartApp,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    exchange = f"fbtest-{uuid.uuid4().hex}"
    queue = asyncio.run(_rabbit_queue(exchange, "notes"))
    monkeypatch.setenv("EVENTS_AMQP_URL", AMQP_URL)
    client, url = _serve(tmp_path, f"{{type: rabbitmq, url_env: EVENTS_AMQP_URL, "
                                   f"exchange: {exchange}, routing_key: notes}}", start_app)
    _writes(client)
    rows = _delivered(url)  # each confirmed by the broker before it was marked delivered
    messages = asyncio.run(_rabbit_messages(exchange, queue, 6))
    assert [m.message_id for m in messages] == [r["event_id"] for r in rows]
    assert [m.body.decode() for m in messages] == [r["payload"] for r in rows]


def test_an_unroutable_rabbitmq_message_is_not_delivered(tmp_path: Path, start_app: StartApp,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """mandatory publishing: a routing key no queue is bound to is a failed attempt, not a
    silent drop."""
    exchange = f"fbtest-{uuid.uuid4().hex}"
    asyncio.run(_rabbit_queue(exchange, "bound"))
    monkeypatch.setenv("EVENTS_AMQP_URL", AMQP_URL)
    client, url = _serve(tmp_path, f"{{type: rabbitmq, url_env: EVENTS_AMQP_URL, "
                                   f"exchange: {exchange}, routing_key: nowhere}}", start_app)
    assert client.post("/notes", json={"slug": "a", "title": "0"}).status_code == 201
    row = wait_for(lambda: next((r for r in outbox(url) if r["attempts"] >= 1), None),
                   what="a failed attempt")
    assert row["status"] == "pending" and row["last_error"]
    asyncio.run(_rabbit_messages(exchange, f"{exchange}.q", 0))

"""Application-side value generators named by the IR (GeneratorDefault.name).

Each is a few lines on the standard library's ``secrets``, ``hashlib`` and ``uuid``, written to
the published specifications (RFC 9562 for UUIDv7, the ULID spec, Nano ID's and cuid's reference
implementations), so the runtime carries no extra dependency for them. Prisma generates uuid(),
cuid() and nanoid() in the client too, so generating them in the application matches it.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import secrets
import socket
import string
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import ExecutionContext

Generator = Callable[..., Any]

_BASE36 = string.digits + string.ascii_lowercase
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_NANOID_ALPHABET = "_-" + string.digits + string.ascii_letters
_cuid_counter = itertools.count(secrets.randbelow(36**4))


def now() -> datetime:
    return datetime.now(UTC)


def statement_now(context: ExecutionContext) -> datetime:
    """`now` once per statement: a row's creation and update stamps read the same clock at
    the same instant (a server default beside an application stamp gave an ``updated_at``
    earlier than ``created_at``). SQLAlchemy passes the statement's execution context."""
    stamp: datetime | None = getattr(context, "_fastbackend_now", None)
    if stamp is None:
        stamp = now()
        context._fastbackend_now = stamp  # type: ignore[attr-defined]
    return stamp


def uuid4() -> uuid.UUID:
    return uuid.uuid4()


def uuid7() -> uuid.UUID:
    """RFC 9562 UUIDv7: 48-bit Unix milliseconds, version 7, 74 random bits, variant 10."""
    millis = time.time_ns() // 1_000_000
    value = (millis & ((1 << 48) - 1)) << 80 | secrets.randbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return uuid.UUID(int=value)


def ulid() -> str:
    """26 Crockford base32 characters: 48-bit milliseconds then 80 random bits."""
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def nanoid(size: int = 21) -> str:
    return "".join(secrets.choice(_NANOID_ALPHABET) for _ in range(size))


def cuid() -> str:
    """cuid v1 as Prisma's cuid(): 'c', time, counter, host fingerprint, randomness (base36)."""
    stamp = _base36(int(time.time() * 1000))
    counter = _pad(_base36(next(_cuid_counter) % 36**4), 4)
    return f"c{stamp}{counter}{_fingerprint()}{_random36(8)}"


def cuid2(length: int = 24) -> str:
    """cuid2: a random letter, then a SHA3-512 hash of time, salt, counter and host, in base36."""
    first = secrets.choice(string.ascii_lowercase)
    material = f"{time.time_ns()}{_random36(length)}{next(_cuid_counter)}{_fingerprint()}"
    digest = int.from_bytes(hashlib.sha3_512(material.encode()).digest(), "big")
    return (first + _base36(digest)[1:])[:length]


def _fingerprint() -> str:
    seed = sum(map(ord, socket.gethostname())) + os.getpid()
    return _pad(_base36(seed % 36**4), 4)


def _random36(size: int) -> str:
    return "".join(secrets.choice(_BASE36) for _ in range(size))


def _base36(number: int) -> str:
    digits = []
    while True:
        number, remainder = divmod(number, 36)
        digits.append(_BASE36[remainder])
        if number == 0:
            return "".join(reversed(digits))


def _pad(text: str, width: int) -> str:
    return text.rjust(width, "0")[-width:]


GENERATORS: dict[str, Generator] = {
    "now": now,
    "uuid4": uuid4,
    "uuid7": uuid7,
    "cuid": cuid,
    "cuid2": cuid2,
    "nanoid": nanoid,
    "ulid": ulid,
}


# (generator, the field's logical type) -> the conversion to that type: a uuid() default on a
# string column is its text (SQLite's driver refuses a UUID object; PostgreSQL's would store
# it in a text column only by luck of adaptation).
CONVERSIONS: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("uuid4", "string"): str,
    ("uuid7", "string"): str,
}


def generator(name: str, args: tuple[int | str, ...] = (),
              field_type: str | None = None) -> Callable[[], Any]:
    """A zero-argument callable for the IR's generator ``name`` with its ``args``, producing
    values of ``field_type`` (the field's logical type)."""
    try:
        function = GENERATORS[name]
    except KeyError:
        raise ValueError(f"unsupported generator {name!r}") from None
    convert = CONVERSIONS.get((name, field_type or ""))
    if convert is not None:
        return lambda: convert(function(*args))
    if not args:
        return function
    return lambda: function(*args)

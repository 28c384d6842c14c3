"""The generators' formats, against their specifications."""

from __future__ import annotations

import re
import time
import uuid

from fastbackend_fastapi import generators


def test_uuid7_layout_and_order() -> None:
    before = time.time_ns() // 1_000_000
    values = [generators.uuid7() for _ in range(50)]
    assert all(v.version == 7 and v.variant == uuid.RFC_4122 for v in values)
    millis = values[0].int >> 80
    assert before <= millis <= time.time_ns() // 1_000_000
    assert len(set(values)) == 50


def test_ulid_is_26_crockford_characters_with_the_time_first() -> None:
    value = generators.ulid()
    assert re.fullmatch(r"[0-7][0-9A-HJKMNP-TV-Z]{25}", value)
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    number = 0
    for char in value:
        number = number * 32 + alphabet.index(char)
    assert abs((number >> 80) - time.time_ns() // 1_000_000) < 5_000


def test_nanoid_cuid_cuid2_shapes_and_uniqueness() -> None:
    assert re.fullmatch(r"[A-Za-z0-9_-]{21}", generators.nanoid())
    assert len(generators.generator("nanoid", (8,))()) == 8
    cuids = {generators.cuid() for _ in range(200)}
    assert len(cuids) == 200 and all(re.fullmatch(r"c[0-9a-z]{24}", c) for c in cuids)
    cuid2s = {generators.cuid2() for _ in range(200)}
    assert len(cuid2s) == 200 and all(re.fullmatch(r"[a-z][0-9a-z]{23}", c) for c in cuid2s)


def test_now_is_aware_utc() -> None:
    assert generators.now().utcoffset() is not None

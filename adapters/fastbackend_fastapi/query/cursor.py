"""Opaque keyset cursors: the sort values of the last row of a page, tamper-evident.

A cursor is base64url(JSON {"s": sort, "v": values}) "." base64url(MAC). The MAC (keyed BLAKE2b)
covers the entity too, so an edited or foreign cursor is a 400, and decoded values are parsed by
their fields' types like any other input. The key is FASTBACKEND_CURSOR_SECRET; without it, one
derived from the IR, so every worker and instance agrees (tamper-evident, not forgery-proof).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from fastbackend_fastapi.query.errors import bad_parameter
from fastbackend_fastapi.query.nodes import SortKey

MAC_BYTES = 12
_COMPACT = json.JSONEncoder(separators=(",", ":"))  # json.dumps's bytes, one encoder made once
PARAMETER = "cursor"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def spelling(sort: Sequence[SortKey]) -> str:
    return ",".join(key.spelling for key in sort)


@dataclass(frozen=True)
class CursorCodec:
    entity: str
    secret: bytes

    def _mac(self, payload: bytes) -> bytes:
        return hashlib.blake2b(self.entity.encode() + b"\0" + payload, key=self.secret[:64],
                               digest_size=MAC_BYTES).digest()

    def encode(self, sort: Sequence[SortKey], values: Sequence[Any]) -> str:
        dumped = [key.field.adapter.dump_python(value, mode="json") if value is not None else None
                  for key, value in zip(sort, values, strict=True)]
        return self.sign(spelling(sort), dumped)

    def sign(self, spelled: str, dumped: Sequence[Any]) -> str:
        """The token of ``{"s": spelled, "v": dumped}`` (values already in their JSON form)."""
        payload = _COMPACT.encode({"s": spelled, "v": list(dumped)}).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def document(self, token: str) -> Any:
        """The verified payload of a token, parsed (a 400 if it is not one this API issued)."""
        payload = self._verified(token)
        try:
            return json.loads(payload)
        except ValueError:
            raise bad_parameter(PARAMETER, "not a cursor this API issued") from None

    def decode(self, token: str, sort: Sequence[SortKey]) -> tuple[Any, ...]:
        document = self.document(token)
        if not isinstance(document, dict) or document.get("s") != spelling(sort):
            raise bad_parameter(PARAMETER, "the cursor was issued for another sort order; "
                                           f"send sort={document.get('s')!r} with it"
                                if isinstance(document, dict) else "not a cursor")
        raw = document.get("v")
        if not isinstance(raw, list) or len(raw) != len(sort):
            raise bad_parameter(PARAMETER, "not a cursor this API issued")
        return tuple(self._value(key, value) for key, value in zip(sort, raw, strict=True))

    def _verified(self, token: str) -> bytes:
        body, _, mac = token.partition(".")
        try:
            payload, signature = _unb64(body), _unb64(mac)
        except (binascii.Error, ValueError):
            raise bad_parameter(PARAMETER, "not a cursor this API issued") from None
        if not hmac.compare_digest(signature, self._mac(payload)):
            raise bad_parameter(PARAMETER, "not a cursor this API issued (or it was altered)")
        return payload

    @staticmethod
    def _value(key: SortKey, value: Any) -> Any:
        if value is None:
            return None
        try:
            return key.field.adapter.validate_json(json.dumps(value))
        except ValidationError:
            raise bad_parameter(PARAMETER, "not a cursor this API issued") from None

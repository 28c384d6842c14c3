"""The IR's destinations, completed from the environment at startup.

The IR names variables (``secretEnv``, ``urlEnv``), never their values. A variable that is
unset, or a webhook secret that is not a Standard Webhooks ``whsec_`` secret, stops the server
and the worker with a message naming it: events are never silently dropped.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass

from fastbackend_ir import EventDestination, Events

SECRET_PREFIX = "whsec_"


class EventsConfigError(Exception):
    """Events are configured but cannot be delivered as configured (a startup error)."""


@dataclass(frozen=True)
class Resolved:
    """One destination, ready to connect: its URL and (webhooks) its signing key's bytes."""

    destination: EventDestination
    url: str
    key: bytes = b""

    @property
    def name(self) -> str:
        return self.destination.name


def resolve(events: Events, environ: Mapping[str, str] | None = None) -> dict[str, Resolved]:
    env = os.environ if environ is None else environ
    return {name: _resolve(destination, env) for name, destination in events.destinations.items()}


def _variable(env: Mapping[str, str], name: str, destination: EventDestination,
              what: str) -> str:
    value = env.get(name, "")
    if not value:
        raise EventsConfigError(f"events destination {destination.name!r}: the environment "
                                f"variable {name} (its {what}) is not set")
    return value


def _resolve(destination: EventDestination, env: Mapping[str, str]) -> Resolved:
    url = destination.url
    if destination.url_env is not None:
        url = _variable(env, destination.url_env, destination, "URL")
    assert url is not None  # the compiler requires url or url_env
    if destination.kind != "webhook":
        return Resolved(destination, url)
    assert destination.secret_env is not None  # the compiler requires it of a webhook
    secret = _variable(env, destination.secret_env, destination, "signing secret")
    return Resolved(destination, url, _signing_key(secret, destination))


def _signing_key(secret: str, destination: EventDestination) -> bytes:
    """A Standard Webhooks secret: ``whsec_`` and the base64 of 24 to 64 random bytes."""
    if not secret.startswith(SECRET_PREFIX):
        raise EventsConfigError(f"events destination {destination.name!r}: "
                                f"{destination.secret_env} must be a Standard Webhooks secret "
                                f"({SECRET_PREFIX} followed by base64)")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except binascii.Error:
        key = b""
    if len(key) < 24 or len(key) > 64:
        raise EventsConfigError(f"events destination {destination.name!r}: "
                                f"{destination.secret_env} must hold the base64 of 24 to 64 "
                                "bytes after whsec_")
    return key

"""LiveKit test keys, a gateway built with them, and webhooks signed the way LiveKit signs:
a JWT from the project's key whose `sha256` claim is the base64 SHA-256 of the body."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from collections.abc import Iterator
from datetime import datetime

import pytest
from livekit import api

from bartr.adapters.video import LiveKitGateway
from bartr.settings import get_settings

KEY = "APIbartrtest"
SECRET = "bartr-livekit-test-secret-0123456789abcdef"
URL = "ws://127.0.0.1:7880"
_ids = itertools.count(1)


def gateway() -> LiveKitGateway:
    return LiveKitGateway(url=URL, api_key=KEY, api_secret=SECRET)


def verifier() -> api.TokenVerifier:
    return api.TokenVerifier(KEY, SECRET)


def sign(body: str, *, key: str = KEY, secret: str = SECRET) -> str:
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    return api.AccessToken(key, secret).with_sha256(digest).to_jwt()


def event_body(
    event: str,
    *,
    room: str,
    at: datetime,
    identity: str = "",
    event_id: str | None = None,
) -> str:
    """A webhook body in LiveKit's JSON (protobuf field names, camelCase)."""
    payload: dict[str, object] = {
        "event": event,
        "id": event_id or f"EV_test{next(_ids)}",
        "createdAt": str(int(at.timestamp())),
        "room": {"name": room, "sid": "RM_test"},
    }
    if identity:
        payload["participant"] = {"identity": identity, "sid": f"PA_{identity}", "name": "x"}
    return json.dumps(payload)


@pytest.fixture
def livekit_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Video configured with the test key (the registry builds the real LiveKit gateway)."""
    monkeypatch.setenv("BARTR_LIVEKIT_URL", URL)
    monkeypatch.setenv("BARTR_LIVEKIT_API_KEY", KEY)
    monkeypatch.setenv("BARTR_LIVEKIT_API_SECRET", SECRET)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def livekit_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("URL", "API_KEY", "API_SECRET"):
        monkeypatch.setenv(f"BARTR_LIVEKIT_{name}", "")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()

"""LiveKit adapter: tokens the real TokenVerifier accepts, webhooks signed the way LiveKit signs."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

import pytest
from livekit import api

from bartr.adapters.video import InvalidWebhook, LiveKitGateway

KEY, SECRET = "APItestkey", "a-test-secret-that-is-long-enough-0123456789"


def _gateway() -> LiveKitGateway:
    return LiveKitGateway(url="ws://127.0.0.1:7880", api_key=KEY, api_secret=SECRET)


def test_room_token_is_scoped_to_one_room_and_identity() -> None:
    token = _gateway().room_token(
        room="r-9f2c", identity="17", name="Maya", ttl=timedelta(minutes=20)
    )
    claims = api.TokenVerifier(KEY, SECRET).verify(token)
    assert claims.identity == "17" and claims.name == "Maya"
    assert claims.video is not None
    assert claims.video.room == "r-9f2c" and claims.video.room_join
    assert claims.video.can_publish and claims.video.can_subscribe
    with pytest.raises(Exception):  # noqa: B017 - any verification error is a refusal
        api.TokenVerifier(KEY, "another-secret-that-is-long-enough-000000").verify(token)


def _signed(body: str, secret: str = SECRET) -> str:
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    return api.AccessToken(KEY, secret).with_sha256(digest).to_jwt()


def test_webhook_signed_by_our_project_is_read() -> None:
    body = json.dumps(
        {
            "event": "participant_joined",
            "id": "EV_1",
            "createdAt": "1767000000",
            "room": {"name": "r-9f2c"},
            "participant": {"identity": "17"},
        }
    )
    event = _gateway().verify_webhook(body, _signed(body))
    assert (event.id, event.event, event.room, event.identity) == (
        "EV_1",
        "participant_joined",
        "r-9f2c",
        "17",
    )
    assert event.created_at == 1767000000


def test_tampered_or_foreign_webhooks_are_refused() -> None:
    body = json.dumps({"event": "room_finished", "id": "EV_2", "room": {"name": "r"}})
    with pytest.raises(InvalidWebhook):
        _gateway().verify_webhook(body.replace("EV_2", "EV_3"), _signed(body))
    with pytest.raises(InvalidWebhook):
        _gateway().verify_webhook(body, _signed(body, "another-secret-that-is-long-enough-000"))
    with pytest.raises(InvalidWebhook):
        _gateway().verify_webhook(body, "not a token")

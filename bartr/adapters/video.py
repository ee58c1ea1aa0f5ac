"""Video rooms: LiveKit access tokens and LiveKit's signed webhooks.

Which member may enter which room, and when, is decided by the video service; this
module only turns that decision into a short-lived, room-scoped token and checks that a
webhook really comes from our LiveKit project, using the official `livekit-api` SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from livekit import api


class InvalidWebhook(Exception):
    """The webhook's token, signature or body hash does not check out."""


@dataclass(frozen=True)
class RoomEvent:
    """The parts of a LiveKit webhook event BARTR uses."""

    id: str
    event: str  # participant_joined, participant_left, room_finished, ...
    room: str
    identity: str  # empty for room events
    created_at: int  # unix seconds, as LiveKit stamps it


class VideoGateway(Protocol):
    url: str

    def room_token(self, *, room: str, identity: str, name: str, ttl: timedelta) -> str:
        """A JWT that lets `identity` join, publish and subscribe in `room` only."""
        ...

    def verify_webhook(self, body: str, authorization: str) -> RoomEvent: ...


class LiveKitGateway:
    def __init__(self, *, url: str, api_key: str, api_secret: str) -> None:
        self.url = url
        self._key = api_key
        self._secret = api_secret

    def room_token(self, *, room: str, identity: str, name: str, ttl: timedelta) -> str:
        grants = api.VideoGrants(room_join=True, room=room, can_publish=True, can_subscribe=True)
        return (
            api.AccessToken(self._key, self._secret)
            .with_identity(identity)
            .with_name(name)
            .with_grants(grants)
            .with_ttl(ttl)
            .to_jwt()
        )

    def verify_webhook(self, body: str, authorization: str) -> RoomEvent:
        receiver = api.WebhookReceiver(api.TokenVerifier(self._key, self._secret))
        try:
            event = receiver.receive(body, authorization)
        except Exception as exc:  # the SDK raises bare Exception / jwt errors
            raise InvalidWebhook(str(exc)) from exc
        return RoomEvent(
            id=event.id,
            event=event.event,
            room=event.room.name,
            identity=event.participant.identity,
            created_at=int(event.created_at),
        )

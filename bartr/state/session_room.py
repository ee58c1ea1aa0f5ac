"""The video call of one session (/sessions/[session_id]/room): pre-join, then the call.

The LiveKit token is issued only when the member presses Join (never at page load), goes
to the browser in `room_token`, and is cleared as soon as the room reports it connected
(or failed, or was left), and again on every load: it sits in the state only for the
second it takes to connect. It is scoped to this session's room and expires with the
join window anyway (`services/video/tokens.py`).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr import routes
from bartr.adapters import registry
from bartr.db import read_session
from bartr.services import video
from bartr.services.errors import DomainError
from bartr.state.auth import GENERIC_ERROR, AuthState, log

MEDIA_REFUSED = (
    "Your browser did not let BARTR use your camera or microphone. Allow them for this site "
    "(the camera icon in the address bar), then reload this page. You can also join with "
    "both switched off."
)
MEDIA_FAILURES = {
    "PermissionDenied": MEDIA_REFUSED,
    "NotFound": "No camera or microphone was found. Plug one in, or join with it switched off.",
    "DeviceInUse": "Your camera or microphone is busy in another app. Close it there, then retry.",
}
CONNECTION_FAILED = (
    "The call could not be reached. Check your connection and press Join again in a moment."
)


def _device(values: dict[str, Any], key: str) -> str:
    value = values.get(key)
    return value[:200] if isinstance(value, str) else ""


class SessionRoomState(AuthState):
    room_loading: bool = True
    room_error: str = ""  # why this member cannot join now (the page shows only this)
    room_title: str = ""
    room_other_name: str = ""
    room_note: str = ""
    room_ends_iso: str = ""
    session_href: str = ""
    joined: bool = False
    server_url: str = ""
    room_token: str = ""  # only between Join and the connection (see the module)
    camera_on: bool = True
    microphone_on: bool = True
    room_options: dict[str, dict[str, str]] = {}
    media_error: str = ""
    join_error: str = ""

    _room_sid: int = 0
    _was_connected: bool = False

    @rx.event
    def load_room(self) -> None:
        parts = self.router.url.path.rstrip("/").split("/")
        raw = parts[-2] if len(parts) >= 2 else ""
        self._room_sid = int(raw) if raw.isdigit() and len(raw) < 12 else 0
        self.room_token, self.joined = "", False
        self.media_error, self.join_error, self.room_error = "", "", ""
        self.room_loading = True
        self.session_href = routes.session(self._room_sid)
        try:
            with read_session() as db:
                user = self._require_user(db)
                card = video.call_card(
                    db,
                    actor=user,
                    session_id=self._room_sid,
                    enabled=registry.video() is not None,
                )
                detail = video.room_heading(db, actor=user, session_id=self._room_sid)
        except DomainError as exc:
            self.room_error, self.room_loading = exc.message, False
            return
        except Exception:
            log.exception("session room")
            self.room_error, self.room_loading = GENERIC_ERROR, False
            return
        if not card.can_join:
            self.room_error = card.note
        self.room_title, self.room_other_name = detail
        self.room_note = card.note
        self.room_ends_iso = card.ends_at.isoformat() if card.ends_at else ""
        self.room_loading = False

    @rx.event
    def join(self, values: dict[str, Any]) -> None:
        """Pre-join submitted: issue the room pass now and connect with the choices made."""
        self.join_error, self.media_error = "", ""
        choices = values if isinstance(values, dict) else {}
        try:
            with read_session() as db:
                user = self._require_user(db)
                room_pass = video.issue_room_pass(
                    db, actor=user, session_id=self._room_sid, gateway=registry.video()
                )
        except DomainError as exc:
            self.join_error = exc.message
            return
        except Exception:
            log.exception("room pass")
            self.join_error = GENERIC_ERROR
            return
        self.camera_on = choices.get("videoEnabled") is not False
        self.microphone_on = choices.get("audioEnabled") is not False
        options: dict[str, dict[str, str]] = {}
        if camera := _device(choices, "videoDeviceId"):
            options["videoCaptureDefaults"] = {"deviceId": camera}
        if microphone := _device(choices, "audioDeviceId"):
            options["audioCaptureDefaults"] = {"deviceId": microphone}
        self.room_options = options
        self.server_url, self.room_token = room_pass.url, room_pass.token
        self.joined, self._was_connected = True, False

    @rx.event
    def connected(self) -> None:
        self.room_token, self._was_connected = "", True

    @rx.event
    def connection_failed(self) -> None:
        self.room_token, self.joined = "", False
        self.join_error = CONNECTION_FAILED

    @rx.event
    def left(self) -> Any:
        """The member left (or the call ended): back to the session page. A connection that
        never opened is a failure to report here instead."""
        self.room_token, self.joined = "", False
        if not self._was_connected:
            self.join_error = self.join_error or CONNECTION_FAILED
            return None
        self._was_connected = False
        return rx.redirect(self.session_href or routes.SESSIONS)

    @rx.event
    def preview_failed(self) -> None:
        self.media_error = MEDIA_REFUSED

    @rx.event
    def device_failed(self, failure: Any = "") -> None:
        self.media_error = MEDIA_FAILURES.get(str(failure), MEDIA_REFUSED)

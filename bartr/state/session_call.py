"""The session page's video card (/sessions/[session_id]): Join lit while the call is open,
when it opens otherwise, and who was in the call ("You: 14:02–14:58 · Maya: 14:00–14:58").

Its own small state beside `SessionDetailState`: it only reads. `tick` runs as the card's
relative clock changes ("opens in 4 minutes"), so Join lights up without a reload.
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


class SessionCallState(AuthState):
    call_loaded: bool = False
    call_enabled: bool = False
    call_can_join: bool = False
    call_note: str = ""
    call_attendance: str = ""
    call_opens_iso: str = ""
    call_room_href: str = ""

    _call_sid: int = 0

    @rx.event
    def load_call(self) -> None:
        raw = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        self._call_sid = int(raw) if raw.isdigit() and len(raw) < 12 else 0
        self._read_call()

    @rx.event
    def tick(self, _: Any = None) -> None:
        """The relative clock changed: maybe the window opened (or closed)."""
        if self._call_sid:
            self._read_call()

    def _read_call(self) -> None:
        try:
            with read_session() as db:
                user = self._require_user(db)
                card = video.call_card(
                    db,
                    actor=user,
                    session_id=self._call_sid,
                    enabled=registry.video() is not None,
                )
        except DomainError as exc:
            self.call_enabled, self.call_can_join, self.call_note = False, False, exc.message
            self.call_loaded = True
            return
        except Exception:
            log.exception("session call card")
            self.call_can_join, self.call_note = False, GENERIC_ERROR
            self.call_loaded = True
            return
        self.call_enabled, self.call_can_join = card.enabled, card.can_join
        self.call_note, self.call_attendance = card.note, card.attendance
        self.call_opens_iso = card.opens_at.isoformat() if card.opens_at else ""
        self.call_room_href = routes.session_room(self._call_sid)
        self.call_loaded = True

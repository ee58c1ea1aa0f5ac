"""Video calls for sessions (LiveKit): who may join when, attendance, the outcome after a call.

    window.py      the join window and the attendance share, from settings
    tokens.py      `issue_room_pass`: a short-lived token for one room, or a refusal in words
    attendance.py  `handle_webhook`: LiveKit's signed events recorded once, attendance rebuilt
    completion.py  `apply_call_rules` and the window-closing job's `due_ids`
    card.py        `call_card`: what the session page and the room page say to one member

The caller owns the transaction; the LiveKit gateway (`bartr.adapters.video`) is passed in.
"""

from __future__ import annotations

from bartr.services.video.attendance import Visit, handle_webhook, session_for_room, visits
from bartr.services.video.card import CallCard, attendance_line, call_card, room_heading
from bartr.services.video.completion import apply_call_rules, due_ids
from bartr.services.video.tokens import (
    NOT_CONFIGURED,
    STRANGER,
    RoomPass,
    check_can_join,
    issue_room_pass,
    local_time_phrase,
)
from bartr.services.video.window import CallRules, CallWindow, call_window

__all__ = [
    "NOT_CONFIGURED",
    "STRANGER",
    "CallCard",
    "CallRules",
    "CallWindow",
    "RoomPass",
    "Visit",
    "apply_call_rules",
    "attendance_line",
    "call_card",
    "call_window",
    "check_can_join",
    "due_ids",
    "handle_webhook",
    "issue_room_pass",
    "local_time_phrase",
    "room_heading",
    "session_for_room",
    "visits",
]

"""Video calls for sessions (LiveKit): who may join when, attendance, the outcome after a call.

    window.py      the join window and the attendance share, from settings
    tokens.py      `issue_room_pass`: a short-lived token for one room, or a refusal in words
    attendance.py  `handle_webhook`: LiveKit's signed events recorded once, attendance rebuilt
    completion.py  `apply_call_rules` and the window-closing job's `due_ids`

The caller owns the transaction; the LiveKit gateway (`bartr.adapters.video`) is passed in.
"""

from __future__ import annotations

from bartr.services.video.attendance import Visit, handle_webhook, session_for_room, visits
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
    "CallRules",
    "CallWindow",
    "RoomPass",
    "Visit",
    "apply_call_rules",
    "call_window",
    "check_can_join",
    "due_ids",
    "handle_webhook",
    "issue_room_pass",
    "local_time_phrase",
    "session_for_room",
    "visits",
]

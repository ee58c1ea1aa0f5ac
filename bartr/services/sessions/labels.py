"""Words for states and actions, shown on pages and in refusals (one place, one spelling)."""

from __future__ import annotations

from bartr.models.sessions import SessionState

ACTION_LABELS: dict[str, str] = {
    "request": "Requested",
    "accept": "Accepted",
    "propose_reschedule": "Proposed new times",
    "decline": "Declined",
    "withdraw": "Withdrew the request",
    "cancel": "Cancelled",
    "mark_complete": "Marked as taught",
    "confirm_complete": "Confirmed it happened",
    "report_no_show": "Reported a no-show",
    "dispute": "Opened a dispute",
    "resolve_dispute": "Resolved the dispute",
    "expire": "Expired unanswered",
    "auto_complete": "Completed automatically",
    "finalize_no_show": "Closed as a no-show",
    "safety_close": "Closed by BARTR",
    "call_complete": "Completed after the video call",
    "call_teacher_absent": "Teacher missed the video call",
    "call_learner_absent": "No-show claim filed from the video call",
}

STATE_LABELS: dict[str, str] = {
    SessionState.REQUESTED: "Requested",
    SessionState.RESCHEDULE_PROPOSED: "New time proposed",
    SessionState.SCHEDULED: "Scheduled",
    SessionState.COMPLETED: "Completed",
    SessionState.CANCELLED: "Cancelled",
    SessionState.DECLINED: "Declined",
    SessionState.EXPIRED: "Expired",
    SessionState.NO_SHOW: "No-show",
    SessionState.DISPUTED: "In dispute",
}

STATE_MESSAGES: dict[str, str] = {
    SessionState.REQUESTED: "This request is still waiting for an answer.",
    SessionState.RESCHEDULE_PROPOSED: "New times are being proposed for this session.",
    SessionState.SCHEDULED: "This session is already scheduled.",
    SessionState.COMPLETED: "This session is already completed.",
    SessionState.CANCELLED: "This session was already cancelled.",
    SessionState.DECLINED: "This request was already declined.",
    SessionState.EXPIRED: "This request has expired.",
    SessionState.NO_SHOW: "This session was already closed as a no-show.",
    SessionState.DISPUTED: "This session is in dispute; an admin will decide.",
}

"""The session lifecycle: requests, negotiation of times, the agreed session and its end.

    rules.py        the state machine as ONE table (`TRANSITIONS`) and the checks reading it
    guards.py       the clock conditions the table names
    booking.py      time cleaning, the overlap rule, free slots, `do_request_session`
    transitions.py  every other `do_*` (answers, cancellation, completion, disputes, the job's,
                    the outcomes of a video call)
    machine.py      the vocabulary the table is written in (Stage, Who, Effect, Transition)
    store.py        row locks, proposals, the timeline (`record`), the escrow
    queries.py      what the periodic job must do now (`due_ids`, `starting_soon`)
    views.py        "My sessions" lists and one session's page
    policy.py       the refund and timing policy as data and pure functions
    labels.py, times.py   words for states and actions; naming times in a person's zone

Every public name is re-exported here, so callers keep writing
`from bartr.services import sessions` and `sessions.do_accept(...)`. The caller owns the
transaction; nothing in this package commits.
"""

from __future__ import annotations

from bartr.services.sessions import policy
from bartr.services.sessions.booking import (
    MAX_MESSAGE,
    MAX_PROPOSED_TIMES,
    busy_intervals,
    check_can_request,
    check_no_overlap,
    clean_times,
    do_request_session,
    free_start_times,
    request_options,
)
from bartr.services.sessions.labels import ACTION_LABELS, STATE_LABELS, STATE_MESSAGES
from bartr.services.sessions.queries import due_ids, starting_soon
from bartr.services.sessions.rules import (
    CHECKS,
    SYSTEM_ACTIONS,
    TRANSITIONS,
    USER_ACTIONS,
    Effect,
    Stage,
    Transition,
    Who,
    allowed_actions,
    check_accept,
    check_auto_complete,
    check_cancel,
    check_confirm_complete,
    check_decline,
    check_dispute,
    check_expire,
    check_finalize_no_show,
    check_mark_complete,
    check_propose_reschedule,
    check_report_no_show,
    check_resolve_dispute,
    check_transition,
    check_withdraw,
    effective_state,
    responder,
    side_of,
    stage_of,
)
from bartr.services.sessions.store import get_session, lock_session, open_times
from bartr.services.sessions.times import format_time
from bartr.services.sessions.transitions import (
    MAX_REASON,
    cancellation_preview,
    do_accept,
    do_auto_complete,
    do_call_complete,
    do_call_learner_absent,
    do_call_teacher_absent,
    do_cancel,
    do_confirm_complete,
    do_decline,
    do_dispute,
    do_expire,
    do_finalize_no_show,
    do_mark_complete,
    do_propose_reschedule,
    do_report_no_show,
    do_resolve_dispute,
    do_safety_close,
    do_withdraw,
)
from bartr.services.sessions.views import (
    TABS,
    EventView,
    PartyView,
    ProposalView,
    SessionDetail,
    SessionRow,
    Tab,
    check_can_read,
    list_for_user,
    member_policy_text,
    session_detail,
    tab_counts,
)

__all__ = [
    "ACTION_LABELS",
    "CHECKS",
    "MAX_MESSAGE",
    "MAX_PROPOSED_TIMES",
    "MAX_REASON",
    "STATE_LABELS",
    "STATE_MESSAGES",
    "SYSTEM_ACTIONS",
    "TABS",
    "TRANSITIONS",
    "USER_ACTIONS",
    "Effect",
    "EventView",
    "PartyView",
    "ProposalView",
    "SessionDetail",
    "SessionRow",
    "Stage",
    "Tab",
    "Transition",
    "Who",
    "allowed_actions",
    "busy_intervals",
    "cancellation_preview",
    "check_accept",
    "check_auto_complete",
    "check_can_read",
    "check_can_request",
    "check_cancel",
    "check_confirm_complete",
    "check_decline",
    "check_dispute",
    "check_expire",
    "check_finalize_no_show",
    "check_mark_complete",
    "check_no_overlap",
    "check_propose_reschedule",
    "check_report_no_show",
    "check_resolve_dispute",
    "check_transition",
    "check_withdraw",
    "clean_times",
    "do_accept",
    "do_auto_complete",
    "do_call_complete",
    "do_call_learner_absent",
    "do_call_teacher_absent",
    "do_cancel",
    "do_confirm_complete",
    "do_decline",
    "do_dispute",
    "do_expire",
    "do_finalize_no_show",
    "do_mark_complete",
    "do_propose_reschedule",
    "do_report_no_show",
    "do_request_session",
    "do_resolve_dispute",
    "do_safety_close",
    "do_withdraw",
    "due_ids",
    "effective_state",
    "format_time",
    "free_start_times",
    "get_session",
    "list_for_user",
    "lock_session",
    "member_policy_text",
    "open_times",
    "policy",
    "request_options",
    "responder",
    "session_detail",
    "side_of",
    "stage_of",
    "starting_soon",
    "tab_counts",
]

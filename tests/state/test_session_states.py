"""The session pages' states, driven directly: what they show and how they refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from reflex.istate.data import RouterData
from reflex_base import constants
from sqlmodel import Session

from bartr.models.accounts import User
from bartr.models.sessions import SkillSession
from bartr.services import accounts, ledger
from bartr.services.credits import credits
from bartr.state.session_detail import SessionDetailState, event_note
from bartr.state.session_request import SessionRequestState
from bartr.state.sessions_list import SessionsListState
from bartr.state.slots import SlotChoice, SlotDay, toggle_choice
from bartr.state.wording import credits_phrase, relative_label, when_label
from tests.factories import events_of, make_user, sign_in
from tests.services.session_factories import make_pair, request, scheduled

NOW = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)


def _state(cls: type, user: User | None, db: Session, path: str) -> Any:
    state = cls(_reflex_internal_init=True)
    state.router = RouterData.from_router_data(
        {constants.RouteVar.ORIGIN: path, constants.RouteVar.HEADERS: {"origin": "http://t"}}
    )
    sign_in(state, accounts.open_session_for(db, user).token if user else "")
    db.commit()
    return state


def _drive(result: Any) -> list[Any]:
    """Run a handler to the end; return what it yielded or returned (lists flattened)."""
    events: list[Any] = []
    for item in events_of(result):
        events.extend(item if isinstance(item, list) else [item])
    return events


# --------------------------------------------------------------------------- pure wording


def test_relative_and_absolute_times_in_the_viewers_zone() -> None:
    assert relative_label(NOW + timedelta(seconds=20), NOW) == "now"
    assert relative_label(NOW + timedelta(minutes=1), NOW) == "in 1 minute"
    assert relative_label(NOW - timedelta(hours=5), NOW) == "5 hours ago"
    assert relative_label(NOW + timedelta(days=3, hours=1), NOW) == "in 3 days"
    assert relative_label(NOW - timedelta(days=30), NOW) == "4 weeks ago"
    # 12:00 UTC is 07:00 in New York (EST) and 21:00 in Tokyo.
    assert when_label(NOW, "America/New_York", now=NOW) == "Mon 4 Mar, 07:00"
    assert when_label(NOW, "Asia/Tokyo", now=NOW) == "Mon 4 Mar, 21:00"
    assert when_label(NOW, "UTC", now=NOW + timedelta(days=400)) == "Mon 4 Mar 2030, 12:00"
    assert credits_phrase(credits(1)) == "1 credit"
    assert credits_phrase(credits(1.5)) == "1.5 credits"
    assert credits_phrase(30) == "0.5 credits"


def test_event_notes_are_worded_from_data_in_the_viewers_zone() -> None:
    # 12:00 UTC is 21:00 in Tokyo; amounts are integer minor units (60 = 1 credit).
    moved = {"times": ["2030-03-05T12:00:00+00:00"], "instead_of": "2030-03-04T12:00:00+00:00"}
    assert event_note("propose_reschedule", moved, "Tuesday suits me.", "Asia/Tokyo", NOW) == (
        "Instead of Mon 4 Mar, 21:00. Proposed Tue 5 Mar, 21:00. Tuesday suits me."
    )
    requested = {"times": ["2030-03-05T12:00:00+00:00", "2030-03-06T12:00:00+00:00"], "held": 60}
    assert event_note("request", requested, "", "UTC", NOW) == "2 times proposed; 1 credit held."
    agreed = {"starts_at": "2030-03-04T12:00:00+00:00"}
    assert (
        event_note("accept", agreed, "", "America/New_York", NOW) == "Agreed on Mon 4 Mar, 07:00."
    )
    split = {"resolution": "split", "to_teacher": 30, "to_learner": 30}
    assert event_note("resolve_dispute", split, "", "UTC", NOW) == (
        "0.5 credits paid to the teacher, 0.5 credits returned to the learner."
    )
    absent = {"absent": "teacher", "to_teacher": 0, "to_learner": 90}
    assert event_note("finalize_no_show", absent, "", "UTC", NOW) == (
        "The teacher did not show up. 1.5 credits returned to the learner."
    )


def test_events_written_before_data_keep_their_stored_note() -> None:
    old = "Instead of Mon 4 Mar 2030, 12:00 (UTC). Tuesday suits me."
    assert event_note("propose_reschedule", None, old, "Asia/Tokyo", NOW) == old


def test_picking_times_caps_at_three_and_keeps_them_in_order() -> None:
    slots = [SlotChoice(iso=f"2030-03-0{i}T10:00:00+00:00", label=str(i)) for i in range(1, 6)]
    days = [SlotDay(key="d", slots=slots)]
    chosen: list[SlotChoice] = []
    for i in (3, 1, 2, 4):
        chosen = toggle_choice(days, chosen, slots[i - 1].iso)
    assert [c.label for c in chosen] == ["1", "2", "3"]  # the fourth was refused
    chosen = toggle_choice(days, chosen, slots[1].iso)
    assert [c.label for c in chosen] == ["1", "3"]
    assert toggle_choice(days, chosen, "not-offered") == chosen


# --------------------------------------------------------------------------- /sessions


def test_list_opens_the_tab_that_needs_me_with_the_next_action(db: Session) -> None:
    pair = make_pair(db)
    request(db, pair)
    teacher = _state(SessionsListState, pair.teacher, db, "/sessions")
    _drive(SessionsListState.load.fn(teacher))
    assert teacher.error == ""
    assert teacher.tab == "to_answer"
    assert teacher.counts["to_answer"] == 1
    [row] = teacher.rows
    assert (row.action_label, row.action_primary) == ("Answer request", True)
    assert row.role_label == "You teach"
    assert row.href == f"/sessions/{row.id}"

    learner = _state(SessionsListState, pair.learner, db, "/sessions?tab=history")
    _drive(SessionsListState.load.fn(learner))
    assert (learner.tab, learner.rows) == ("history", [])
    _drive(SessionsListState.set_tab.fn(learner, "my_requests"))
    assert [r.action_label for r in learner.rows] == ["View request"]
    assert learner.zone_label == "your time, Europe/Berlin"


def test_list_without_a_login_says_so_calmly(db: Session) -> None:
    state = _state(SessionsListState, None, db, "/sessions")
    _drive(SessionsListState.load.fn(state))
    assert "log in" in state.error
    assert state.loading is False


# --------------------------------------------------------------------------- /sessions/<id>


def test_detail_offers_only_the_allowed_actions_and_accept_schedules(db: Session) -> None:
    pair = make_pair(db)
    now = datetime.now(UTC)
    start = now.replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    booked = request(db, pair, times=[start, start + timedelta(hours=1)], now=now)
    teacher = _state(SessionDetailState, pair.teacher, db, f"/sessions/{booked.id}")
    _drive(SessionDetailState.load.fn(teacher))
    assert teacher.load_error == ""
    assert set(teacher.actions) == {"accept", "propose_reschedule", "decline"}
    assert len(teacher.proposals) == 2
    assert teacher.ics_href == ""
    assert "asked for a session" in teacher.headline

    events = _drive(SessionDetailState.accept.fn(teacher, teacher.proposals[1].iso))
    assert teacher.action_error == ""
    assert teacher.busy is False
    assert teacher.state == "scheduled"
    assert teacher.ics_href == f"/api/calendar/session/{booked.id}.ics"
    assert any("Session scheduled" in str(e) for e in events), "a success toast"
    db.expire_all()
    row = db.get(SkillSession, booked.id)
    assert row is not None and row.starts_at == start + timedelta(hours=1)
    assert [e.label for e in teacher.events][:2] == ["Accepted", "Requested"]


def test_detail_refusal_is_a_message_and_changes_nothing(db: Session) -> None:
    pair = make_pair(db)
    booked = request(db, pair)
    learner = _state(SessionDetailState, pair.learner, db, f"/sessions/{booked.id}")
    _drive(SessionDetailState.load.fn(learner))
    assert set(learner.actions) == {"withdraw"}
    # Fired over the socket anyway: the service refuses, the page says why.
    _drive(SessionDetailState.accept.fn(learner, learner.proposals[0].iso))
    assert "Only the teacher can accept" in learner.action_error
    assert learner.state == "requested"
    db.expire_all()
    assert db.get(SkillSession, booked.id).state == "requested"  # type: ignore[union-attr]


def test_a_refused_dialog_action_keeps_the_dialog_open_and_says_why(db: Session) -> None:
    pair = make_pair(db)
    now = datetime.now(UTC)
    booked = scheduled(db, pair, start=now.replace(microsecond=0) + timedelta(days=2), now=now)
    learner = _state(SessionDetailState, pair.learner, db, f"/sessions/{booked.id}")
    _drive(SessionDetailState.load.fn(learner))
    assert "cancel" in learner.actions
    assert "returns all 1 credit" in learner.cancel_note
    _drive(SessionDetailState.open_dialog.fn(learner, "dispute"))
    _drive(SessionDetailState.dispute.fn(learner, {"reason": ""}))
    assert learner.dialog == "dispute"
    assert "once the session has ended" in learner.dialog_error
    _drive(SessionDetailState.open_dialog.fn(learner, "cancel"))
    _drive(SessionDetailState.cancel.fn(learner, {"reason": "Something came up"}))
    assert (learner.dialog, learner.state) == ("", "cancelled")
    db.expire_all()
    assert ledger.held_balance(db, pair.learner.id or 0) == 0


def test_a_stranger_cannot_read_a_session(db: Session) -> None:
    pair = make_pair(db)
    booked = request(db, pair)
    stranger = make_user(db)
    state = _state(SessionDetailState, stranger, db, f"/sessions/{booked.id}")
    _drive(SessionDetailState.load.fn(state))
    assert "Only the two people" in state.load_error
    assert state.skill_title == ""


# --------------------------------------------------------------------------- /sessions/new


def test_request_refuses_clearly_when_credits_are_short(db: Session) -> None:
    pair = make_pair(db, learner_credits=0)  # the welcome credits only
    request(db, pair, duration=90)  # holds 1.5 of them
    balance = ledger.available_balance(db, pair.learner.id or 0)
    assert 0 < balance < credits(1)
    state = _state(SessionRequestState, pair.learner, db, f"/sessions/new?skill={pair.skill_id}")
    _drive(SessionRequestState.load.fn(state))
    assert state.load_error == ""
    assert (state.balance, state.can_afford) == (balance, False)
    _drive(SessionRequestState.toggle.fn(state, state.days[2].slots[0].iso))
    events = _drive(SessionRequestState.send.fn(state, {"message": "hi"}))
    assert "costs 1 credits" in state.errors["duration_minutes"]
    assert not any("/sessions/" in str(e) for e in events)
    assert ledger.available_balance(db, pair.learner.id or 0) == balance
    # A shorter session fits; the picked time stays picked.
    _drive(SessionRequestState.set_duration.fn(state, "30"))
    assert state.can_afford and len(state.chosen) == 1


def test_request_sends_and_goes_to_the_session(db: Session) -> None:
    pair = make_pair(db)
    before = ledger.available_balance(db, pair.learner.id or 0)
    state = _state(SessionRequestState, pair.learner, db, f"/sessions/new?skill={pair.skill_id}")
    _drive(SessionRequestState.load.fn(state))
    assert state.teacher_name == pair.teacher.display_name
    for slot in state.days[1].slots[:2]:
        _drive(SessionRequestState.toggle.fn(state, slot.iso))
    events = _drive(SessionRequestState.send.fn(state, {"message": "Hola"}))
    assert state.errors == {} and state.form_error == ""
    assert any("/sessions/" in str(e) for e in events)
    assert ledger.available_balance(db, pair.learner.id or 0) == before - credits(1)


def test_request_page_explains_why_a_skill_cannot_be_booked(db: Session) -> None:
    pair = make_pair(db)
    own = _state(SessionRequestState, pair.teacher, db, f"/sessions/new?skill={pair.skill_id}")
    _drive(SessionRequestState.load.fn(own))
    assert "yourself" in own.load_error
    missing = _state(SessionRequestState, pair.learner, db, "/sessions/new?skill=999999")
    _drive(SessionRequestState.load.fn(missing))
    assert "no longer offered" in missing.load_error

"""Requests, validation messages, the read model, double-fired transitions and time zones."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bartr.db import unit_of_work
from bartr.models.accounts import Role, UserStatus
from bartr.models.ledger import LedgerTransaction
from bartr.models.profiles import SkillKind
from bartr.models.sessions import SessionEvent, SessionProposal, SkillSession
from bartr.services import accounts, calendar_feed, ledger, sessions
from bartr.services.credits import format_credits
from bartr.services.errors import (
    Conflict,
    DomainError,
    InsufficientCredits,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from tests.factories import make_user
from tests.services.session_factories import (
    T0,
    make_pair,
    make_skill,
    make_teacher,
    request,
    scheduled,
    wallet,
)

H = timedelta(hours=1)
START = T0 + timedelta(days=3, hours=2)


def _counts(db: Session) -> tuple[int, int, int, int]:
    def n(model: type) -> int:
        return db.exec(select(func.count()).select_from(model)).one()

    return n(SkillSession), n(SessionProposal), n(SessionEvent), n(LedgerTransaction)


# --------------------------------------------------------------------------- request


def test_request_holds_cost_and_records_proposals(db: Session) -> None:
    pair = make_pair(db)
    before = wallet(db, pair.learner)
    times = [START, START + H * 2, START + timedelta(days=1)]
    s = request(db, pair, times=list(reversed(times)), duration=90, message="  Hola!  ")
    assert s.state == "requested" and s.cost == 90 and s.message == "Hola!"
    assert s.teacher_id == pair.teacher.id and s.learner_id == pair.learner.id
    assert wallet(db, pair.learner) == before - 90
    assert ledger.escrow_balance(db, s.id) == 90
    assert sessions.open_times(db, s) == times
    # Earliest of: first proposed start (T0+74h) and 72 h after sending.
    assert s.expires_at == T0 + 72 * H
    assert ledger.find_transaction(db, f"session:{s.id}:hold") is not None


def test_expiry_is_the_first_proposed_start_when_sooner(db: Session) -> None:
    pair = make_pair(db)
    s = request(db, pair, times=[T0 + 30 * H, T0 + 5 * H])
    assert s.expires_at == T0 + 5 * H


@pytest.mark.parametrize(
    ("times", "error", "words"),
    [
        ([T0 - H], ValidationFailed, "in the past"),
        ([T0 + 3 * H, T0 - H], ValidationFailed, "in the past"),
        ([], ValidationFailed, "between one and 3"),
        ([START + H * i for i in range(4)], ValidationFailed, "between one and 3"),
        ([START, START], ValidationFailed, "different"),
        ([START.replace(tzinfo=None)], ValidationFailed, "time zone"),
    ],
)
def test_bad_times_are_refused_and_nothing_written(
    db: Session, times: list[datetime], error: type[DomainError], words: str
) -> None:
    pair = make_pair(db)
    before, balance = _counts(db), wallet(db, pair.learner)
    with pytest.raises(error) as err:
        request(db, pair, times=times)
    assert words in err.value.message
    db.rollback()
    assert _counts(db) == before and wallet(db, pair.learner) == balance


def test_past_time_message_names_the_time_in_the_learners_zone(db: Session) -> None:
    pair = make_pair(db, learner_tz="America/Los_Angeles")
    with pytest.raises(ValidationFailed) as err:
        request(db, pair, times=[datetime(2030, 1, 7, 7, 0, tzinfo=UTC)])
    assert err.value.message.startswith("Sun 6 Jan 2030, 23:00 (America/Los_Angeles)")


def test_outside_availability_is_refused_naming_the_time(db: Session) -> None:
    # Teacher in Berlin is available Mondays to Fridays 09:00-12:00 only.
    teacher = make_teacher(db, windows=[(d, "09:00", "12:00") for d in range(5)], name="Ana")
    pair = make_pair(db, teacher=teacher, learner_tz="Europe/Berlin")
    before = _counts(db)
    ok = datetime(2030, 1, 10, 9, 0, tzinfo=UTC)  # Thu 10:00 Berlin
    late = datetime(2030, 1, 10, 11, 30, tzinfo=UTC)  # Thu 12:30 Berlin
    with pytest.raises(ValidationFailed) as err:
        request(db, pair, times=[ok, late])
    assert err.value.message == (
        "Ana is not available at Thu 10 Jan 2030, 12:30 (Europe/Berlin) for 60 minutes."
    )
    db.rollback()
    assert _counts(db) == before
    # A 120-minute session from 10:30 would run past noon too.
    with pytest.raises(ValidationFailed):
        request(db, pair, times=[datetime(2030, 1, 10, 9, 30, tzinfo=UTC)], duration=120)
    db.rollback()
    assert request(db, pair, times=[ok]).state == "requested"


def test_overlap_with_teachers_or_learners_scheduled_session(db: Session) -> None:
    teacher = make_teacher(db, name="Ana")
    first = make_pair(db, teacher=teacher)
    scheduled(db, first, start=START)
    # Another learner asks for a time overlapping Ana's scheduled session.
    other = make_pair(db, teacher=teacher)
    before = _counts(db)
    with pytest.raises(Conflict) as err:
        request(db, other, times=[START + 30 * timedelta(minutes=1)])
    assert err.value.message.startswith("Ana already has a session at ")
    db.rollback()
    assert _counts(db) == before
    # The first learner books someone else at the same time: their own clash.
    elsewhere = make_pair(db)
    elsewhere.learner = first.learner
    with pytest.raises(Conflict) as err:
        request(db, elsewhere, times=[START - 30 * timedelta(minutes=1)])
    assert "overlaps another session of yours" in err.value.message
    db.rollback()
    # Back to back is fine.
    assert request(db, other, times=[START + H]).state == "requested"


def test_insufficient_credits_writes_nothing(db: Session) -> None:
    pair = make_pair(db, learner_credits=0)
    k = 0
    while wallet(db, pair.learner) >= 120:  # spend the welcome credits on other requests
        request(db, pair, duration=120, times=[START + 3 * H * k])
        k += 1
    have = wallet(db, pair.learner)
    before = _counts(db)
    with pytest.raises(InsufficientCredits) as err:
        request(db, pair, duration=120, times=[START + 3 * H * k])
    assert err.value.message.startswith(
        f"This session costs 2 credits and you have {format_credits(have)} available."
    )
    db.rollback()
    assert _counts(db) == before and wallet(db, pair.learner) == have


def test_who_may_request_what(db: Session) -> None:
    pair = make_pair(db)
    learn_skill = make_skill(db, pair.teacher, kind=SkillKind.LEARN)
    with pytest.raises(NotAllowed, match="yourself"):
        sessions.do_request_session(
            db,
            actor=pair.teacher,
            skill_id=pair.skill_id,
            duration_minutes=60,
            start_times=[START],
            now=T0,
        )
    with pytest.raises(NotAllowed, match="offers to teach"):
        sessions.do_request_session(
            db,
            actor=pair.learner,
            skill_id=learn_skill,
            duration_minutes=60,
            start_times=[START],
            now=T0,
        )
    with pytest.raises(NotFound):
        sessions.do_request_session(
            db, actor=pair.learner, skill_id=999_999, duration_minutes=60, start_times=[START]
        )
    with pytest.raises(ValidationFailed, match="30, 60, 90 or 120"):
        request(db, pair, duration=45)
    with pytest.raises(ValidationFailed, match="too long"):
        request(db, pair, message="x" * 1001)
    newcomer = make_user(db, onboarded=False)
    with pytest.raises(NotAllowed, match="Finish setting up"):
        sessions.do_request_session(
            db,
            actor=newcomer,
            skill_id=pair.skill_id,
            duration_minutes=60,
            start_times=[START],
            now=T0,
        )
    admin = make_user(db, role=Role.ADMIN)
    accounts.do_set_status(db, actor=admin, user_id=pair.teacher.id, status=UserStatus.SUSPENDED)
    db.commit()
    with pytest.raises(NotAllowed, match="not taking requests"):
        request(db, pair)
    db.rollback()
    assert db.exec(select(func.count()).select_from(SkillSession)).one() == 0


# --------------------------------------------------------------------------- negotiation


def test_reschedule_rounds_and_accept_picks_current_round_only(db: Session) -> None:
    pair = make_pair(db)
    s = request(db, pair, times=[START])
    sid = s.id or 0
    t2 = START + timedelta(days=1)
    sessions.do_propose_reschedule(
        db, actor=pair.teacher, session_id=sid, start_times=[t2], now=T0 + H
    )
    db.commit()
    # The learner's original time is no longer on offer.
    with pytest.raises(ValidationFailed, match="one of the proposed times"):
        sessions.do_accept(db, actor=pair.learner, session_id=sid, starts_at=START, now=T0 + 2 * H)
    db.rollback()
    t3 = START + timedelta(days=2)
    sessions.do_propose_reschedule(
        db, actor=pair.learner, session_id=sid, start_times=[t3], now=T0 + 2 * H
    )
    sessions.do_accept(db, actor=pair.teacher, session_id=sid, starts_at=t3, now=T0 + 3 * H)
    db.commit()
    s = sessions.get_session(db, sid)
    assert (s.state, s.starts_at, s.ends_at, s.proposal_round) == ("scheduled", t3, t3 + H, 3)
    assert s.expires_at is None
    assert ledger.escrow_balance(db, sid) == 60
    # One hold only, however many rounds.
    holds = db.exec(
        select(func.count())
        .select_from(LedgerTransaction)
        .where(LedgerTransaction.idempotency_key.like(f"session:{sid}:%"))  # type: ignore[attr-defined]
    ).one()
    assert holds == 1


def test_reschedule_of_scheduled_session_needs_24_hours_notice(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    with pytest.raises(InvalidTransition, match="at least 24 hours notice"):
        sessions.do_propose_reschedule(
            db,
            actor=pair.teacher,
            session_id=s.id,
            start_times=[START + timedelta(days=2)],
            now=START - 23 * H,
        )


def test_accepting_a_time_that_became_taken_is_a_conflict(db: Session) -> None:
    teacher = make_teacher(db, name="Ana")
    a, b = make_pair(db, teacher=teacher), make_pair(db, teacher=teacher)
    sa, sb = request(db, a, times=[START]), request(db, b, times=[START + 30 * H / 60])
    sessions.do_accept(db, actor=teacher, session_id=sa.id, starts_at=START, now=T0 + H)
    db.commit()
    with pytest.raises(Conflict, match="overlaps another session of yours"):
        sessions.do_accept(
            db, actor=teacher, session_id=sb.id, starts_at=START + 30 * H / 60, now=T0 + H
        )


def test_accepting_a_time_that_has_passed(db: Session) -> None:
    pair = make_pair(db)
    early, later = T0 + 5 * H, T0 + 30 * H
    s = request(db, pair, times=[early, later])
    # Expiry is the earliest start, so after `early` the whole request has lapsed.
    with pytest.raises(InvalidTransition, match="expired"):
        sessions.do_accept(db, actor=pair.teacher, session_id=s.id, starts_at=later, now=early + H)


# --------------------------------------------------------------------------- read model


def test_tabs_and_counts_and_lazy_expiry(db: Session) -> None:
    pair = make_pair(db)
    open_req = request(db, pair, times=[START])
    sched = scheduled(db, pair, start=START + timedelta(days=1))
    declined = request(db, pair, times=[START + timedelta(days=2)])
    sessions.do_decline(db, actor=pair.teacher, session_id=declined.id, now=T0 + H)
    db.commit()
    L, T = pair.learner, pair.teacher
    now = T0 + 2 * H

    def ids(actor, tab, at=now):  # type: ignore[no-untyped-def]
        return [r.id for r in sessions.list_for_user(db, actor=actor, tab=tab, now=at)]

    assert ids(T, "to_answer") == [open_req.id]
    assert ids(L, "my_requests") == [open_req.id]
    assert ids(L, "to_answer") == [] and ids(T, "my_requests") == []
    assert ids(L, "upcoming") == [sched.id] == ids(T, "upcoming")
    assert ids(L, "history") == [declined.id]
    assert sessions.tab_counts(db, actor=T, now=now) == {
        "to_answer": 1,
        "my_requests": 0,
        "upcoming": 1,
        "history": 1,
    }
    row = sessions.list_for_user(db, actor=T, tab="to_answer", now=now)[0]
    assert row.needs_my_answer and row.open_times == [START] and row.other.id == L.id
    assert row.state == "requested" and row.cost_text == "1"

    # After its expiry, with no job run, the request is shown as expired everywhere.
    late = T0 + 72 * H
    assert ids(T, "to_answer", late) == []
    assert set(ids(L, "history", late)) == {declined.id, open_req.id}
    lapsed = [r for r in sessions.list_for_user(db, actor=L, tab="history", now=late)]
    assert {r.id: r.state for r in lapsed}[open_req.id] == "expired"
    detail = sessions.session_detail(db, actor=T, session_id=open_req.id, now=late)
    assert detail.state == "expired" and detail.allowed_actions == []
    assert detail.open_proposals == [] and detail.events[-1].action == "expire"
    assert sessions.tab_counts(db, actor=T, now=late)["to_answer"] == 0


def test_a_counter_proposal_moves_the_request_to_the_other_side(db: Session) -> None:
    pair = make_pair(db)
    open_req = request(db, pair, times=[START])
    sessions.do_propose_reschedule(
        db,
        actor=pair.teacher,
        session_id=open_req.id,
        start_times=[START + timedelta(hours=2)],
        now=T0 + H,
    )
    db.commit()
    now = T0 + 2 * H

    def ids(actor, tab):  # type: ignore[no-untyped-def]
        return [r.id for r in sessions.list_for_user(db, actor=actor, tab=tab, now=now)]

    assert ids(pair.learner, "to_answer") == [open_req.id]
    assert ids(pair.teacher, "my_requests") == [open_req.id]
    assert ids(pair.teacher, "to_answer") == [] and ids(pair.learner, "my_requests") == []


def test_detail_is_for_participants_and_admins_only(db: Session) -> None:
    pair = make_pair(db, teacher_tz="Asia/Kolkata", learner_tz="America/Los_Angeles")
    s = request(db, pair, times=[START], message="I want to practise ordering food.")
    stranger = make_user(db)
    admin = make_user(db, role=Role.ADMIN)
    with pytest.raises(NotAllowed):
        sessions.session_detail(db, actor=stranger, session_id=s.id, now=T0 + H)
    with pytest.raises(NotFound):
        sessions.session_detail(db, actor=admin, session_id=424242, now=T0 + H)
    d = sessions.session_detail(db, actor=admin, session_id=s.id, now=T0 + H)
    assert d.viewer_side is None and d.allowed_actions == []
    d = sessions.session_detail(db, actor=pair.teacher, session_id=s.id, now=T0 + H)
    assert d.teacher.timezone == "Asia/Kolkata" and d.learner.timezone == "America/Los_Angeles"
    assert d.teacher.handle == pair.teacher.handle and d.learner.display_name
    assert d.skill_title and d.cost == 60 and d.held == 60 and d.cost_text == "1"
    assert d.message == "I want to practise ordering food."
    assert [p.starts_at for p in d.open_proposals] == [START]
    assert d.allowed_actions == ["accept", "propose_reschedule", "decline"]
    assert d.proposed_by == "learner"
    assert [e.action for e in d.events] == ["request"]
    assert d.events[0].actor_name == pair.learner.display_name
    assert any("24 hours" in line for line in d.policy_text)


def test_timeline_records_every_transition(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    end = START + H
    sessions.do_mark_complete(db, actor=pair.teacher, session_id=s.id, now=end + H)
    sessions.do_confirm_complete(db, actor=pair.learner, session_id=s.id, now=end + 2 * H)
    db.commit()
    db.expire_all()  # read the JSON back from the database, not the objects just written
    d = sessions.session_detail(db, actor=pair.learner, session_id=s.id, now=end + 3 * H)
    assert [(e.action, e.from_state, e.to_state) for e in d.events] == [
        ("request", "", "requested"),
        ("accept", "requested", "scheduled"),
        ("mark_complete", "scheduled", "scheduled"),
        ("confirm_complete", "scheduled", "completed"),
    ]
    assert [e.at for e in d.events] == [T0, T0, end + H, end + 2 * H]
    assert d.events[-1].note == ""  # nobody wrote anything; the facts are data
    assert d.events[-1].data == {"to_teacher": 60, "to_learner": 0}
    assert d.events[0].data == {"times": [START.isoformat()], "held": 60}
    assert d.events[1].data == {"starts_at": START.isoformat()}


def test_events_written_before_structured_data_still_read(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    db.add(
        SessionEvent(
            session_id=s.id or 0,
            actor_id=pair.teacher.id,
            action="propose_reschedule",
            from_state="scheduled",
            to_state="scheduled",
            note="Instead of Sun 6 Jan 2030, 10:00 (UTC).",
            data=None,
            at=T0 + H,
        )
    )
    db.commit()
    db.expire_all()
    d = sessions.session_detail(db, actor=pair.learner, session_id=s.id, now=T0 + 2 * H)
    old = d.events[-1]
    assert (old.data, old.note) == (None, "Instead of Sun 6 Jan 2030, 10:00 (UTC).")


# --------------------------------------------------------------------------- time zones


def test_kolkata_and_los_angeles_see_the_same_instant_across_us_dst(db: Session) -> None:
    # US clocks spring forward on Sun 8 Mar 2026; India has no DST.
    now = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    start = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)  # Monday after the change
    pair = make_pair(db, teacher_tz="Asia/Kolkata", learner_tz="America/Los_Angeles")
    s = request(db, pair, times=[start], now=now)
    sessions.do_accept(db, actor=pair.teacher, session_id=s.id, starts_at=start, now=now)
    db.commit()
    t = sessions.session_detail(db, actor=pair.teacher, session_id=s.id, now=now)
    lrn = sessions.session_detail(db, actor=pair.learner, session_id=s.id, now=now)
    assert t.starts_at == lrn.starts_at == start
    assert t.starts_at_local == lrn.starts_at_local  # the same instant...
    assert (t.starts_at_local.hour, t.starts_at_local.minute) == (21, 30)  # IST, UTC+5:30
    assert lrn.starts_at_local.hour == 9  # PDT (UTC-7) after the change; PST would be 8
    assert lrn.starts_at_local.utcoffset() == timedelta(hours=-7)
    # The proposal was made before the change (PST) and shows the right local time too.
    before = datetime(2026, 3, 7, 16, 0, tzinfo=UTC)
    row = request(db, pair, times=[before], now=now)
    d = sessions.session_detail(db, actor=pair.learner, session_id=row.id, now=now)
    assert d.open_proposals[0].starts_at_local.hour == 8  # PST
    # Both calendar files carry the same UTC instant.
    ics_t = calendar_feed.session_ics(db, actor=pair.teacher, session_id=s.id, now=now)
    ics_l = calendar_feed.session_ics(db, actor=pair.learner, session_id=s.id, now=now)
    assert b"DTSTART:20260309T160000Z" in ics_t and b"DTSTART:20260309T160000Z" in ics_l
    assert b"DTEND:20260309T170000Z" in ics_l


# --------------------------------------------------------------------------- double fire


def _race(engine: Engine, n: int, fn) -> list[object]:  # type: ignore[no-untyped-def]
    """Run `fn` in n threads at once, each in its own unit of work. The caller's test
    session must not hold a transaction (SQLite's BEGIN IMMEDIATE would block the threads)."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            with unit_of_work() as db:
                results[i] = fn(db)
        except Exception as exc:  # collected for the assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_tabs_cancel_at_once_move_credits_once(engine: Engine, db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    learner0, teacher0 = wallet(db, pair.learner), wallet(db, pair.teacher)
    db.commit()  # end the read transaction without expiring the objects the threads use
    # Late cancellation by the learner: half to the teacher, half back.
    results = _race(
        engine,
        2,
        lambda d: (
            sessions.do_cancel(d, actor=pair.learner, session_id=s.id, now=START - 2 * H).state
        ),
    )
    assert sorted(map(type, results), key=str) == sorted([str, InvalidTransition], key=str)
    assert any(
        isinstance(r, InvalidTransition) and "already cancelled" in r.message for r in results
    )
    db.expire_all()
    assert wallet(db, pair.learner) - learner0 == 30
    assert wallet(db, pair.teacher) - teacher0 == 30
    assert ledger.escrow_balance(db, s.id) == 0
    assert ledger.check_invariants(db) == []


def test_two_tabs_accept_at_once_schedule_once(engine: Engine, db: Session) -> None:
    pair = make_pair(db)
    s = request(db, pair, times=[START, START + 3 * H])
    results = _race(
        engine,
        2,
        lambda d: (
            sessions.do_accept(
                d, actor=pair.teacher, session_id=s.id, starts_at=START, now=T0 + H
            ).state
        ),
    )
    assert results.count("scheduled") == 1
    assert sum(isinstance(r, InvalidTransition) for r in results) == 1
    db.expire_all()
    events = db.exec(
        select(func.count())
        .select_from(SessionEvent)
        .where(SessionEvent.session_id == s.id, SessionEvent.action == "accept")
    ).one()
    assert events == 1 and ledger.escrow_balance(db, s.id) == 60


def test_accept_and_withdraw_race_one_wins(engine: Engine, db: Session) -> None:
    pair = make_pair(db)
    learner0 = wallet(db, pair.learner)
    s = request(db, pair, times=[START])
    db.commit()
    fns = [
        lambda d: (
            sessions.do_accept(
                d, actor=pair.teacher, session_id=s.id, starts_at=START, now=T0 + H
            ).state
        ),
        lambda d: sessions.do_withdraw(d, actor=pair.learner, session_id=s.id, now=T0 + H).state,
    ]
    results = _race(engine, 2, lambda d: fns.pop()(d))
    db.expire_all()
    final = sessions.get_session(db, s.id)
    if final.state == "scheduled":  # accept won; withdrawing a scheduled session is refused
        assert results.count("scheduled") == 1
        assert ledger.escrow_balance(db, s.id) == 60 and wallet(db, pair.learner) == learner0 - 60
    else:  # withdraw won; accepting a cancelled request is refused
        assert final.state == "cancelled" and results.count("cancelled") == 1
        assert ledger.escrow_balance(db, s.id) == 0 and wallet(db, pair.learner) == learner0
    assert sum(isinstance(r, InvalidTransition) for r in results) == 1
    assert ledger.check_invariants(db) == []


def test_two_requests_for_the_same_slot_do_not_both_schedule(engine: Engine, db: Session) -> None:
    teacher = make_teacher(db)
    a, b = make_pair(db, teacher=teacher), make_pair(db, teacher=teacher)
    sa, sb = request(db, a, times=[START]), request(db, b, times=[START])
    ids = [sa.id, sb.id]
    results = _race(
        engine,
        2,
        lambda d: (
            sessions.do_accept(
                d,
                actor=teacher,
                session_id=ids.pop(),
                starts_at=START,
                now=T0 + H,
            ).state
        ),
    )
    assert results.count("scheduled") == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1

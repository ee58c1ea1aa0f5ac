"""The video service: room passes checked with LiveKit's real TokenVerifier, every refusal,
attendance from signed events (replays, out of order), and the rules after a call."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt
import pytest
from sqlmodel import Session, select

from bartr.models.accounts import Role
from bartr.models.sessions import SkillSession
from bartr.models.video import SessionAttendance
from bartr.services import ledger, sessions, video
from bartr.services.errors import BadSignature, NotAllowed
from tests.factories import make_user
from tests.services import video_factories as vf
from tests.services.session_factories import T0, make_pair, request, scheduled, wallet

START = T0 + timedelta(days=3, hours=2)  # 10:00 UTC = 11:00 in Berlin (winter)
RULES = video.CallRules()  # 10 minutes before, 30 after, 50 %
livekit_on, livekit_off = vf.livekit_on, vf.livekit_off


def _pass(db: Session, actor, session_id: int, now: datetime) -> video.RoomPass:  # type: ignore[no-untyped-def]
    return video.issue_room_pass(
        db, actor=actor, session_id=session_id, gateway=vf.gateway(), now=now, call_rules=RULES
    )


def _ttl(token: str) -> int:
    """The token's lifetime as LiveKit reads it (`exp - nbf`; both stamped from the wall clock)."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return int(claims["exp"]) - int(claims["nbf"])


# --------------------------------------------------------------------------- tokens


def test_room_names_are_random_and_unique(db: Session) -> None:
    pair = make_pair(db)
    a = scheduled(db, pair, start=START)
    b = scheduled(db, pair, start=START + timedelta(days=1))
    assert a.video_room and b.video_room and a.video_room != b.video_room
    int(a.video_room.removeprefix("bartr-"), 16)  # 128 random bits in hex, no session id
    assert len(a.video_room) == len("bartr-") + 32


@pytest.mark.parametrize("side", ["learner", "teacher"])
def test_participants_get_a_pass_for_their_room_only(db: Session, side: str) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    member = pair.learner if side == "learner" else pair.teacher
    now = START - timedelta(minutes=10)  # the moment the window opens
    room_pass = _pass(db, member, s.id or 0, now)
    claims = vf.verifier().verify(room_pass.token)
    assert claims.identity == str(member.id)
    assert claims.name == member.display_name
    assert claims.video is not None
    assert claims.video.room == s.video_room and claims.video.room_join
    assert claims.video.can_publish and claims.video.can_subscribe
    assert not claims.video.room_admin and not claims.video.room_create
    # TTL: until the window closes (end + 30 min), no longer: 10 + 60 + 30 minutes from now.
    assert _ttl(room_pass.token) == (10 + 60 + 30) * 60
    assert room_pass.expires_at == START + timedelta(minutes=90)
    assert room_pass.url == vf.URL and room_pass.room == s.video_room


def test_a_pass_expires_with_the_window(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    late = START + timedelta(minutes=85)  # five minutes before the window closes
    room_pass = _pass(db, pair.learner, s.id or 0, late)
    assert room_pass.expires_at == START + timedelta(minutes=90)
    assert _ttl(room_pass.token) == 5 * 60


def test_too_early_names_the_opening_in_the_members_time(db: Session) -> None:
    pair = make_pair(db, learner_tz="America/New_York")
    s = scheduled(db, pair, start=START)
    with pytest.raises(NotAllowed) as teacher_err:
        _pass(db, pair.teacher, s.id or 0, START - timedelta(minutes=30))
    # 10:00 UTC start: opens 09:50 UTC = 10:50 Berlin, 04:50 New York.
    assert "opens at 10:50 your time" in teacher_err.value.message
    with pytest.raises(NotAllowed) as learner_err:
        _pass(db, pair.learner, s.id or 0, START - timedelta(minutes=30))
    assert "opens at 04:50 your time" in learner_err.value.message
    with pytest.raises(NotAllowed) as days_before:
        _pass(db, pair.learner, s.id or 0, START - timedelta(days=2))
    assert "04:50 your time on Thu 10 Jan" in days_before.value.message


def test_too_late_says_when_it_closed(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    with pytest.raises(NotAllowed) as err:
        _pass(db, pair.learner, s.id or 0, START + timedelta(minutes=90))
    assert "closed at 12:30 your time" in err.value.message


def test_strangers_and_admins_are_refused(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    stranger = make_user(db)
    admin = make_user(db, role=Role.ADMIN)
    for who in (stranger, admin):
        with pytest.raises(NotAllowed) as err:
            _pass(db, who, s.id or 0, START)
        assert err.value.message == video.STRANGER


def test_cancelled_completed_and_open_requests_have_no_call(db: Session) -> None:
    pair = make_pair(db)
    cancelled = scheduled(db, pair, start=START)
    sessions.do_cancel(db, actor=pair.teacher, session_id=cancelled.id or 0, now=T0)
    done = scheduled(db, pair, start=START + timedelta(days=1))
    open_request = request(db, pair, times=[START + timedelta(days=2)])
    end = START + timedelta(days=1, hours=1)
    sessions.do_mark_complete(db, actor=pair.teacher, session_id=done.id or 0, now=end)
    sessions.do_confirm_complete(db, actor=pair.learner, session_id=done.id or 0, now=end)
    db.commit()
    cases = {
        cancelled.id: ("cancelled", START),
        done.id: ("completed", end),
        open_request.id: ("No time is agreed", START + timedelta(days=2)),
    }
    for sid, (words, now) in cases.items():
        with pytest.raises(NotAllowed) as err:
            _pass(db, pair.learner, sid or 0, now)
        assert words in err.value.message


def test_video_off_is_a_clear_refusal(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    with pytest.raises(NotAllowed) as err:
        video.issue_room_pass(db, actor=pair.learner, session_id=s.id or 0, gateway=None, now=START)
    assert err.value.message == video.NOT_CONFIGURED


def test_window_settings_are_configurable(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    wide = video.CallRules(open_before=timedelta(minutes=45), close_after=timedelta(0))
    early = START - timedelta(minutes=40)
    assert video.issue_room_pass(
        db,
        actor=pair.learner,
        session_id=s.id or 0,
        gateway=vf.gateway(),
        now=early,
        call_rules=wide,
    )
    with pytest.raises(NotAllowed):
        video.issue_room_pass(
            db,
            actor=pair.learner,
            session_id=s.id or 0,
            gateway=vf.gateway(),
            now=START + timedelta(minutes=60),
            call_rules=wide,
        )


# --------------------------------------------------------------------------- webhooks


def _deliver(db: Session, body: str, *, now: datetime, auth: str | None = None) -> str:
    outcome = video.handle_webhook(
        db,
        body=body,
        authorization=vf.sign(body) if auth is None else auth,
        gateway=vf.gateway(),
        now=now,
    )
    db.commit()
    return outcome


def _event(s: SkillSession, kind: str, at: datetime, who=None, **kw: str) -> str:  # type: ignore[no-untyped-def]
    identity = str(who.id) if who is not None else ""
    return vf.event_body(kind, room=s.video_room or "", at=at, identity=identity, **kw)


def _attendance(db: Session, s: SkillSession, user_id: int) -> SessionAttendance | None:
    db.expire_all()
    return db.exec(
        select(SessionAttendance).where(
            SessionAttendance.session_id == s.id, SessionAttendance.user_id == user_id
        )
    ).first()


def test_joins_and_leaves_become_attendance_once(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    join = _event(s, "participant_joined", START + timedelta(minutes=2), pair.learner)
    assert _deliver(db, join, now=START) == "attendance"
    row = _attendance(db, s, pair.learner.id or 0)
    assert row is not None and row.in_room_since == START + timedelta(minutes=2)
    leave = _event(s, "participant_left", START + timedelta(minutes=58), pair.learner)
    assert _deliver(db, leave, now=START) == "attendance"
    assert _deliver(db, leave, now=START) == "duplicate"  # replayed: nothing changes
    row = _attendance(db, s, pair.learner.id or 0)
    assert row is not None
    assert (row.first_join_at, row.last_leave_at) == (
        START + timedelta(minutes=2),
        START + timedelta(minutes=58),
    )
    assert row.seconds_present == 56 * 60 and row.in_room_since is None


def test_a_leave_arriving_before_its_join_is_read_in_time_order(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    leave = _event(s, "participant_left", START + timedelta(minutes=30), pair.teacher)
    join = _event(s, "participant_joined", START, pair.teacher)
    _deliver(db, leave, now=START + timedelta(minutes=30))
    assert _attendance(db, s, pair.teacher.id or 0) is None  # a leave alone is no visit
    _deliver(db, join, now=START + timedelta(minutes=31))
    row = _attendance(db, s, pair.teacher.id or 0)
    assert row is not None and row.seconds_present == 30 * 60 and row.in_room_since is None


def test_two_visits_add_up_and_the_room_end_closes_an_open_one(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    t = pair.teacher
    for kind, minute in (
        ("participant_joined", 0),
        ("participant_left", 10),
        ("participant_joined", 20),
    ):
        _deliver(db, _event(s, kind, START + timedelta(minutes=minute), t), now=START)
    _deliver(
        db,
        _event(s, "room_finished", START + timedelta(minutes=25)),
        now=START + timedelta(minutes=25),
    )
    row = _attendance(db, s, t.id or 0)
    assert row is not None and row.seconds_present == 15 * 60
    assert row.last_leave_at == START + timedelta(minutes=25)


def test_bad_signatures_are_refused_and_nothing_is_written(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    body = _event(s, "participant_joined", START, pair.learner)
    tampered = body.replace(str(pair.learner.id), str(pair.teacher.id))
    wrong_key = vf.sign(body, secret="another-secret-that-is-long-enough-00000000")
    for text, auth in ((tampered, vf.sign(body)), (body, wrong_key), (body, "garbage")):
        with pytest.raises(BadSignature):
            _deliver(db, text, now=START, auth=auth)
        db.rollback()
    assert _attendance(db, s, pair.learner.id or 0) is None
    assert _attendance(db, s, pair.teacher.id or 0) is None


def test_strangers_identity_and_unknown_rooms_are_ignored(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    stranger = make_user(db)
    assert _deliver(db, _event(s, "participant_joined", START, stranger), now=START) == "ignored"
    other_room = vf.event_body("participant_joined", room="bartr-nope", at=START, identity="1")
    assert _deliver(db, other_room, now=START) == "unknown room"


# --------------------------------------------------------------------------- after the call


def _call(db: Session, s: SkillSession, visits: list, finished_at: datetime) -> str:  # type: ignore[type-arg]
    for who, a, b in visits:
        _deliver(db, _event(s, "participant_joined", START + timedelta(minutes=a), who), now=START)
        _deliver(db, _event(s, "participant_left", START + timedelta(minutes=b), who), now=START)
    return _deliver(db, _event(s, "room_finished", finished_at), now=finished_at)


def test_both_attended_completes_and_settles_once(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    learner_before, teacher_before = wallet(db, pair.learner), wallet(db, pair.teacher)
    outcome = _call(
        db, s, [(pair.teacher, -5, 58), (pair.learner, 2, 58)], START + timedelta(minutes=59)
    )
    assert outcome == "completed"
    db.expire_all()
    row = db.get(SkillSession, s.id)
    assert row is not None and row.state == "completed"
    assert wallet(db, pair.teacher) == teacher_before + s.cost
    assert wallet(db, pair.learner) == learner_before
    assert ledger.escrow_balance(db, s.id or 0) == 0
    assert ledger.check_invariants(db) == []
    # The job later, a replayed room end: nothing more moves.
    assert (
        video.apply_call_rules(db, session_id=s.id or 0, now=START + timedelta(hours=2), final=True)
        == "nothing"
    )
    db.commit()
    assert wallet(db, pair.teacher) == teacher_before + s.cost


def test_too_short_a_call_changes_nothing_until_the_window_closes(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    outcome = _call(
        db, s, [(pair.teacher, 0, 20), (pair.learner, 0, 20)], START + timedelta(minutes=21)
    )
    assert outcome == "nothing"
    db.expire_all()
    row = db.get(SkillSession, s.id)
    assert row is not None and row.state == "scheduled" and row.video_checked_at is None
    after = START + timedelta(minutes=91)
    assert video.due_ids(db, now=after, call_rules=RULES) == [s.id]
    assert video.apply_call_rules(db, session_id=s.id or 0, now=after, final=True) == "nothing"
    db.commit()
    assert video.due_ids(db, now=after, call_rules=RULES) == []


def test_the_window_closing_job_applies_the_rules_once(db: Session, livekit_on: None) -> None:
    from bartr.background import close_call_windows

    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    _deliver(db, _event(s, "participant_joined", START, pair.learner), now=START)
    _deliver(
        db, _event(s, "participant_left", START + timedelta(minutes=40), pair.learner), now=START
    )
    learner_before = wallet(db, pair.learner)
    db.commit()  # end the read: the job writes in its own transactions
    after = START + timedelta(minutes=95)
    assert close_call_windows(now=START + timedelta(minutes=80)) == {}  # window still open
    assert close_call_windows(now=after) == {"calls_teacher_absent": 1}
    assert close_call_windows(now=after) == {}
    db.expire_all()
    row = db.get(SkillSession, s.id)
    assert row is not None and row.state == "no_show" and row.no_show_reported_by == "learner"
    assert wallet(db, pair.learner) == learner_before + s.cost
    assert ledger.check_invariants(db) == []


def test_the_job_does_nothing_while_video_is_off(db: Session, livekit_off: None) -> None:
    from bartr.background import close_call_windows

    assert close_call_windows(now=START) == {}


def test_members_read_what_a_call_decides_only_while_calls_are_on(
    db: Session, livekit_on: None
) -> None:
    line = "the call is the evidence"
    assert any(line in text for text in sessions.member_policy_text(cost=60))
    assert "half of the booked time" in sessions.policy.video_call_text(50)
    assert not any(line in text for text in sessions.policy.policy_text(cost=60))

"""POST /api/livekit/webhook with bodies signed the way LiveKit signs them (a JWT from the
project's key whose `sha256` claim is the body's hash, made with livekit-api), and a
simulated call per completion rule: join, join, leave, leave, room_finished."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from bartr.api.livekit_webhook import MAX_BODY_BYTES, livekit_webhook
from bartr.models.accounts import User
from bartr.models.sessions import SkillSession
from bartr.models.video import LiveKitEvent, SessionAttendance
from bartr.services import ledger, ratings
from tests.services import video_factories as vf
from tests.services.session_factories import make_pair, scheduled, wallet

URL = "/api/livekit/webhook"
livekit_on, livekit_off = vf.livekit_on, vf.livekit_off

# The route runs on the real clock: the sessions here started two hours ago.
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
START = NOW - timedelta(hours=2)


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    app = Starlette(routes=[Route(URL, livekit_webhook, methods=["POST"])])
    with TestClient(app) as c:
        yield c


def _past_session(db: Session, *, duration: int = 60):  # type: ignore[no-untyped-def]
    pair = make_pair(db)
    session = scheduled(db, pair, start=START, duration=duration, now=START - timedelta(days=1))
    return pair, session


def _post(client: TestClient, body: str, auth: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        URL,
        content=body.encode(),
        headers={
            "Authorization": vf.sign(body) if auth is None else auth,
            "content-type": "application/webhook+json",
        },
    )


def _event(s: SkillSession, kind: str, minute: int, who: User | None = None, **kw: str) -> str:
    identity = str(who.id) if who is not None else ""
    at = START + timedelta(minutes=minute)
    return vf.event_body(kind, room=s.video_room or "", at=at, identity=identity, **kw)


def _counts(db: Session) -> tuple[int, int]:
    db.expire_all()
    events = db.exec(select(func.count()).select_from(LiveKitEvent)).one()
    rows = db.exec(select(func.count()).select_from(SessionAttendance)).one()
    db.commit()
    return events, rows


# --------------------------------------------------------------------------- signatures


def test_a_signed_event_is_recorded(client: TestClient, db: Session, livekit_on: None) -> None:
    pair, s = _past_session(db)
    response = _post(client, _event(s, "participant_joined", 0, pair.learner))
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "outcome": "attendance"}
    assert _counts(db) == (1, 1)


def test_tampered_wrong_key_and_unsigned_are_401_and_write_nothing(
    client: TestClient, db: Session, livekit_on: None
) -> None:
    pair, s = _past_session(db)
    body = _event(s, "participant_joined", 0, pair.learner)
    tampered = body.replace('"participant_joined"', '"participant_left"')
    other_project = vf.sign(body, secret="not-our-project-secret-0123456789abcdef")
    other_key = vf.sign(body, key="APIsomeoneelse")
    for text, auth in (
        (tampered, vf.sign(body)),
        (body, other_project),
        (body, other_key),
        (body, "x"),
    ):
        assert _post(client, text, auth).status_code == 401
    assert client.post(URL, content=body.encode()).status_code == 401  # no Authorization
    assert _counts(db) == (0, 0)


def test_a_replay_changes_nothing(client: TestClient, db: Session, livekit_on: None) -> None:
    pair, s = _past_session(db)
    join = _event(s, "participant_joined", 0, pair.learner, event_id="EV_replayed")
    leave = _event(s, "participant_left", 40, pair.learner)
    assert _post(client, join).json()["outcome"] == "attendance"
    assert _post(client, leave).json()["outcome"] == "attendance"
    assert _post(client, join).json()["outcome"] == "duplicate"
    db.expire_all()
    row = db.exec(select(SessionAttendance)).one()
    assert row.seconds_present == 40 * 60 and row.in_room_since is None
    assert _counts(db) == (2, 1)


def test_out_of_order_left_before_joined(client: TestClient, db: Session, livekit_on: None) -> None:
    pair, s = _past_session(db)
    assert _post(client, _event(s, "participant_left", 50, pair.teacher)).status_code == 200
    assert _post(client, _event(s, "participant_joined", -5, pair.teacher)).status_code == 200
    db.expire_all()
    row = db.exec(select(SessionAttendance)).one()
    assert row.first_join_at == START - timedelta(minutes=5)
    assert row.last_leave_at == START + timedelta(minutes=50)
    assert row.seconds_present == 55 * 60 and row.in_room_since is None


def test_large_bodies_are_refused_before_reading(
    client: TestClient, db: Session, livekit_on: None
) -> None:
    big = "x" * (MAX_BODY_BYTES + 1)
    assert _post(client, big, "x").status_code == 413
    declared = client.post(
        URL, content=b"{}", headers={"Authorization": "x", "content-length": str(10**9)}
    )
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"y" * 1024

    streamed = client.post(URL, content=chunks(), headers={"Authorization": "x"})
    assert streamed.status_code == 413
    assert _counts(db) == (0, 0)


def test_video_off_answers_503(client: TestClient, db: Session, livekit_off: None) -> None:
    body = vf.event_body("room_finished", room="r", at=START)
    assert _post(client, body).status_code == 503


# --------------------------------------------------------------------------- simulated calls


def _notified(db: Session, s: SkillSession) -> set[tuple[int | None, str]]:
    from bartr.models.messaging import Notification

    rows = db.exec(select(Notification).where(Notification.subject_id == s.id)).all()
    return {(n.user_id, n.kind) for n in rows if n.kind.startswith("call_")}


def _call(
    client: TestClient, s: SkillSession, visits: list[tuple[User, int, int]], finished: int
) -> str:
    """join, join, leave, leave (as given), then the room finishes `finished` minutes in."""
    for who, joined, _ in visits:
        assert _post(client, _event(s, "participant_joined", joined, who)).status_code == 200
    for who, _, left in visits:
        assert _post(client, _event(s, "participant_left", left, who)).status_code == 200
    response = _post(client, _event(s, "room_finished", finished))
    assert response.status_code == 200, response.text
    return str(response.json()["outcome"])


def _after(db: Session, s: SkillSession, pair) -> tuple[str, int, int, int]:  # type: ignore[no-untyped-def]
    db.expire_all()
    row = db.get(SkillSession, s.id)
    assert row is not None
    assert ledger.check_invariants(db) == []
    out = (
        row.state,
        wallet(db, pair.teacher),
        wallet(db, pair.learner),
        ledger.escrow_balance(db, s.id or 0),
    )
    db.commit()
    return out


def test_both_attended_completes_settles_once_and_asks_for_a_rating(
    client: TestClient, db: Session, livekit_on: None
) -> None:
    pair, s = _past_session(db)
    teacher0, learner0 = wallet(db, pair.teacher), wallet(db, pair.learner)
    db.commit()
    # The learner stayed 31 of the 60 booked minutes: more than half.
    outcome = _call(client, s, [(pair.teacher, -3, 58), (pair.learner, 2, 33)], finished=59)
    assert outcome == "completed"
    assert _after(db, s, pair) == ("completed", teacher0 + s.cost, learner0, 0)
    # A replayed room end and a later one: the teacher is paid once.
    again = _post(client, _event(s, "room_finished", 61))
    assert again.json()["outcome"] == "nothing"
    assert _after(db, s, pair) == ("completed", teacher0 + s.cost, learner0, 0)
    assert [p.session_id for p in ratings.pending_for(db, actor=pair.learner)] == [s.id]
    assert _notified(db, s) == {
        (pair.learner.id, "call_completed"),
        (pair.teacher.id, "call_completed"),
    }
    db.commit()


def test_teacher_absent_is_a_no_show_refunded_by_the_policy(
    client: TestClient, db: Session, livekit_on: None
) -> None:
    pair, s = _past_session(db)
    teacher0, learner0 = wallet(db, pair.teacher), wallet(db, pair.learner)
    db.commit()
    assert _call(client, s, [(pair.learner, 0, 25)], finished=26) == "teacher_absent"
    assert _after(db, s, pair) == ("no_show", teacher0, learner0 + s.cost, 0)
    row = db.get(SkillSession, s.id)
    assert row is not None and row.no_show_reported_by == "learner"
    db.commit()


def test_learner_absent_files_the_teachers_claim_with_evidence(
    client: TestClient, db: Session, livekit_on: None
) -> None:
    from bartr.models.sessions import SessionEvent
    from bartr.services import sessions

    pair, s = _past_session(db)
    teacher0, learner0 = wallet(db, pair.teacher), wallet(db, pair.learner)
    db.commit()
    assert _call(client, s, [(pair.teacher, -5, 45)], finished=46) == "learner_absent"
    # Credits stay held: the learner may still dispute.
    assert _after(db, s, pair) == ("scheduled", teacher0, learner0, s.cost)
    row = db.get(SkillSession, s.id)
    assert row is not None and row.no_show_reported_by == "teacher"
    event = db.exec(
        select(SessionEvent).where(
            SessionEvent.session_id == s.id, SessionEvent.action == "call_learner_absent"
        )
    ).one()
    assert event.data is not None and event.data["absent"] == "learner"
    assert event.data["attendance"]["teacher"]["seconds"] == 50 * 60
    assert event.data["attendance"]["learner"] is None
    assert "dispute" in sessions.allowed_actions(db, session=row, actor=pair.learner)
    assert _notified(db, s) == {
        (pair.learner.id, "call_no_show_filed"),
        (pair.teacher.id, "call_no_show_filed"),
    }
    db.commit()


def test_nobody_joined_changes_nothing(client: TestClient, db: Session, livekit_on: None) -> None:
    pair, s = _past_session(db)
    teacher0, learner0 = wallet(db, pair.teacher), wallet(db, pair.learner)
    db.commit()
    assert _call(client, s, [], finished=5) == "nothing"
    assert _after(db, s, pair) == ("scheduled", teacher0, learner0, s.cost)


def test_someone_too_brief_changes_nothing(
    client: TestClient, db: Session, livekit_on: None
) -> None:
    pair, s = _past_session(db)
    teacher0, learner0 = wallet(db, pair.teacher), wallet(db, pair.learner)
    db.commit()
    # 29 of 60 minutes is less than half: the manual flow decides.
    assert (
        _call(client, s, [(pair.teacher, 0, 60), (pair.learner, 1, 30)], finished=61) == "nothing"
    )
    assert _after(db, s, pair) == ("scheduled", teacher0, learner0, s.cost)

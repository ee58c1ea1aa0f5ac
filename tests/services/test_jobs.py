"""The periodic job: expiry, auto-completion, no-show closing, reminders, two workers."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bartr import background
from bartr.db import unit_of_work
from bartr.services import domain_events, jobs, ledger, sessions
from tests.services.session_factories import T0, make_pair, make_teacher, request, scheduled, wallet

H = timedelta(hours=1)
START = T0 + timedelta(days=3, hours=2)
END = START + H


def _run(db: Session, *, now):  # type: ignore[no-untyped-def]
    """Run the job in its own transactions; the test's session must not hold SQLite's lock."""
    db.commit()
    return jobs.run_due_transitions(unit_of_work, now=now)


def _state(db: Session, sid: int) -> str:
    db.expire_all()
    return sessions.get_session(db, sid).state


def test_nothing_due_nothing_done(db: Session) -> None:
    pair = make_pair(db)
    request(db, pair, times=[START])
    counts = _run(db, now=T0 + H)
    assert counts == {
        "expired": 0,
        "completed": 0,
        "no_shows": 0,
        "reminded": 0,
        "skipped": 0,
        "failed": 0,
    }


def test_expiry_releases_the_hold(db: Session) -> None:
    pair = make_pair(db)
    before = wallet(db, pair.learner)
    s = request(db, pair, times=[START])
    t2 = request(db, pair, times=[START + 5 * H])
    sessions.do_propose_reschedule(
        db, actor=pair.teacher, session_id=t2.id, start_times=[START + 30 * H], now=T0 + 40 * H
    )
    db.commit()
    assert _run(db, now=T0 + 72 * H - timedelta(seconds=1))["expired"] == 0
    counts = _run(db, now=T0 + 72 * H)
    assert counts["expired"] == 1  # the counter-proposal restarted the other one's clock
    assert _state(db, s.id) == "expired" and _state(db, t2.id) == "reschedule_proposed"
    assert wallet(db, pair.learner) == before - 60
    assert ledger.escrow_balance(db, s.id) == 0
    d = sessions.session_detail(db, actor=pair.learner, session_id=s.id, now=T0 + 73 * H)
    assert d.events[-1].action == "expire" and d.events[-1].actor_id is None
    assert d.events[-1].actor_name == "BARTR"
    # Running again moves nothing.
    assert _run(db, now=T0 + 73 * H)["expired"] == 0


def test_auto_completion_pays_the_teacher_24h_after_end(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    disputed = scheduled(db, pair, start=START + 3 * H)
    sessions.do_dispute(
        db, actor=pair.learner, session_id=disputed.id, reason="No show", now=END + 3 * H
    )
    db.commit()
    teacher0 = wallet(db, pair.teacher)
    assert _run(db, now=END + 23 * H)["completed"] == 0
    counts = _run(db, now=END + 30 * H)
    assert counts["completed"] == 1
    assert _state(db, s.id) == "completed" and _state(db, disputed.id) == "disputed"
    assert wallet(db, pair.teacher) == teacher0 + 60
    assert ledger.escrow_balance(db, disputed.id) == 60  # a dispute keeps credits held


def test_no_show_reports_close_after_the_dispute_window(db: Session) -> None:
    pair = make_pair(db)
    absent_teacher = scheduled(db, pair, start=START)
    absent_learner = scheduled(db, pair, start=START + 3 * H)
    sessions.do_report_no_show(db, actor=pair.learner, session_id=absent_teacher.id, now=END)
    sessions.do_report_no_show(
        db, actor=pair.teacher, session_id=absent_learner.id, now=END + 3 * H
    )
    db.commit()
    learner0, teacher0 = wallet(db, pair.learner), wallet(db, pair.teacher)
    # Auto-completion never pays a session with a pending no-show report.
    counts = _run(db, now=END + 24 * H)
    assert counts["completed"] == 0 and counts["no_shows"] == 1
    counts = _run(db, now=END + 27 * H)
    assert counts["no_shows"] == 1
    assert _state(db, absent_teacher.id) == _state(db, absent_learner.id) == "no_show"
    assert wallet(db, pair.learner) == learner0 + 60  # teacher absent: full refund
    assert wallet(db, pair.teacher) == teacher0 + 60  # learner absent: teacher paid
    assert ledger.check_invariants(db) == []


def test_reminders_run_once_per_session_after_commit(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    seen: list[domain_events.SessionStartingSoon] = []

    def broken(_: domain_events.SessionStartingSoon) -> None:
        raise RuntimeError("mail server down")

    domain_events.subscribe_after_commit(domain_events.SessionStartingSoon, broken)
    domain_events.subscribe_after_commit(domain_events.SessionStartingSoon, seen.append)
    try:
        assert _run(db, now=START - 2 * H)["reminded"] == 0
        assert _run(db, now=START - 50 * timedelta(minutes=1))["reminded"] == 1
        assert _run(db, now=START - 10 * timedelta(minutes=1))["reminded"] == 0
    finally:
        domain_events.unsubscribe(domain_events.SessionStartingSoon, broken)
        domain_events.unsubscribe(domain_events.SessionStartingSoon, seen.append)
    assert [r.session_id for r in seen] == [s.id]
    assert seen[0].starts_at == START and seen[0].teacher_id == pair.teacher.id


def test_run_due_transitions_with_an_open_session(db: Session) -> None:
    pair = make_pair(db)
    s = request(db, pair, times=[START])
    counts = jobs.run_due_transitions(db, now=T0 + 80 * H)
    db.commit()
    assert counts["expired"] == 1 and _state(db, s.id) == "expired"


def test_run_once_uses_the_apps_database(db: Session) -> None:
    pair = make_pair(db)
    s = request(db, pair, times=[START])
    db.commit()
    assert background.run_once(now=T0 + 80 * H)["expired"] == 1
    assert _state(db, s.id) == "expired"


def test_two_workers_at_once_move_credits_once(engine: Engine, db: Session) -> None:
    teacher = make_teacher(db)
    pairs = [make_pair(db, teacher=teacher) for _ in range(3)]
    expiring = [request(db, p, times=[START + 3 * H * i]).id for i, p in enumerate(pairs)]
    completing = [
        scheduled(db, p, start=START + timedelta(days=1) + 3 * H * i).id
        for i, p in enumerate(pairs)
    ]
    learners0 = [wallet(db, p.learner) for p in pairs]
    teacher0 = wallet(db, teacher)
    db.commit()
    now = START + timedelta(days=3)
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def worker() -> None:
        barrier.wait()
        results.append(_run(db, now=now))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 2
    assert sum(r["expired"] for r in results) == 3
    assert sum(r["completed"] for r in results) == 3
    assert sum(r["failed"] for r in results) == 0
    db.expire_all()
    assert [wallet(db, p.learner) - w for p, w in zip(pairs, learners0, strict=True)] == [60] * 3
    assert wallet(db, teacher) == teacher0 + 180
    assert all(ledger.escrow_balance(db, sid) == 0 for sid in expiring + completing)
    assert ledger.check_invariants(db) == []

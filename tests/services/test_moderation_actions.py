"""Moderation actions: each needs a note, is audited, and has the side effects it promises."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bartr.models.accounts import Role, UserStatus
from bartr.models.safety import AuditEntry, Report, ReportStatus
from bartr.models.sessions import SessionState, SkillSession
from bartr.services import (
    accounts,
    ledger,
    marketplace,
    moderation,
    moderation_actions,
    reports,
)
from bartr.services.errors import (
    AuthenticationFailed,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from tests.factories import PASSWORD, make_user
from tests.services.session_factories import T0, make_pair, request, scheduled, wallet


def _actions(db: Session) -> list[str]:
    return [e.action for e in db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]  # type: ignore[arg-type]


def _report(db: Session, reporter, subject) -> Report:  # type: ignore[no-untyped-def]
    made = reports.do_report(
        db, actor=reporter, kind="member", target_id=subject.id or 0, reason="harassment"
    )
    db.commit()
    return made


def test_queue_lists_open_reports_oldest_first_with_history(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    a, b, c = make_user(db), make_user(db), make_user(db)
    first = _report(db, a, c)
    second = _report(db, b, c)
    with pytest.raises(NotAllowed):
        moderation.open_reports(db, actor=a)
    rows = moderation.open_reports(db, actor=admin)
    assert [r.report_id for r in rows] == [first.id, second.id]
    assert rows[0].open_about_subject == 2
    detail = moderation.report_detail(db, actor=admin, report_id=first.id or 0)
    assert detail.history.reports_by_status == {"open": 2}
    assert detail.can_remove is False
    # The member's credit movements (their welcome credits) read as their wallet words
    # them, not as ledger kinds.
    lines = moderation.report_detail(db, actor=admin, report_id=first.id or 0).history
    assert [line.text for line in lines.recent_ledger] == ["+2 · Welcome credits"]


def test_every_action_needs_a_note_and_an_admin(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    a, b = make_user(db), make_user(db)
    made = _report(db, a, b)
    with pytest.raises(ValidationFailed):
        moderation_actions.do_dismiss(db, actor=admin, report_id=made.id or 0, note="  ")
    with pytest.raises(NotAllowed):
        moderation_actions.do_dismiss(db, actor=a, report_id=made.id or 0, note="nothing here")
    with pytest.raises(NotAllowed):
        moderation_actions.do_suspend(db, actor=b, member_id=a.id or 0, days=3, note="revenge")
    db.rollback()
    assert _actions(db) == []


def test_dismiss_closes_the_report_and_the_reporter_sees_closed(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    a, b = make_user(db), make_user(db)
    made = _report(db, a, b)
    moderation_actions.do_dismiss(db, actor=admin, report_id=made.id or 0, note="Not a problem")
    db.commit()
    assert reports.my_reports(db, actor=a)[0].status == "Closed"
    assert _actions(db) == ["report.dismiss"]
    with pytest.raises(InvalidTransition):
        moderation_actions.do_dismiss(db, actor=admin, report_id=made.id or 0, note="again")


def test_warning_is_shown_to_the_member_until_acknowledged(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    a, b = make_user(db), make_user(db)
    made = _report(db, a, b)
    moderation_actions.do_warn(
        db, actor=admin, member_id=b.id or 0, note="Please be kind.", report_id=made.id
    )
    db.commit()
    [warning] = moderation_actions.my_warnings(db, actor=b)
    assert (warning.message, warning.seen) == ("Please be kind.", False)
    assert reports.my_reports(db, actor=a)[0].status == "Action taken"
    with pytest.raises(NotFound):
        moderation_actions.do_acknowledge_warning(db, actor=a, warning_id=warning.id)
    moderation_actions.do_acknowledge_warning(db, actor=b, warning_id=warning.id)
    db.commit()
    assert moderation_actions.my_warnings(db, actor=b)[0].seen


def test_suspension_logs_out_hides_skills_and_returns_held_credits(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    pair = make_pair(db)
    full = wallet(db, pair.learner)
    open_request = request(db, pair)
    booked = scheduled(db, pair, start=T0 + timedelta(days=6))
    login = accounts.do_login(db, email=pair.teacher.email, password=PASSWORD)
    db.commit()
    assert accounts.user_for_token(db, login.token) is not None
    assert pair.teacher.id in {c.teacher_id for c in marketplace.search(db, viewer=None).items}

    done = moderation_actions.do_suspend(
        db, actor=admin, member_id=pair.teacher.id or 0, days=3, note="Harassment", now=T0
    )
    db.commit()

    assert done.logins_ended == 1 and done.requests_closed == 1 and done.sessions_cancelled == 1
    assert accounts.user_for_token(db, login.token) is None
    assert pair.teacher.id not in {c.teacher_id for c in marketplace.search(db, viewer=None).items}
    closed = db.get(SkillSession, open_request.id)
    assert closed is not None and closed.state == SessionState.CANCELLED
    # The scheduled session is cancelled through the machine, the learner refunded in full.
    cancelled = db.get(SkillSession, booked.id)
    assert cancelled is not None and cancelled.state == SessionState.CANCELLED
    assert wallet(db, pair.learner) == full
    assert ledger.check_invariants(db) == []
    assert _actions(db) == ["member.suspend"]
    with pytest.raises(NotAllowed, match="suspended"):
        accounts.do_login(db, email=pair.teacher.email, password=PASSWORD)


def test_suspension_ends_by_itself(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    member = make_user(db)
    moderation_actions.do_suspend(
        db, actor=admin, member_id=member.id or 0, days=2, note="Cool off", now=T0
    )
    db.commit()
    assert moderation_actions.lift_expired_suspensions(db, now=T0 + timedelta(days=1)) == 0
    assert moderation_actions.lift_expired_suspensions(db, now=T0 + timedelta(days=2)) == 1
    db.commit()
    db.refresh(member)
    assert member.status == UserStatus.ACTIVE and member.suspended_until is None
    assert _actions(db) == ["member.suspend", "member.suspension_ended"]


def test_ban_and_reinstate(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    member = make_user(db)
    moderation_actions.do_ban(db, actor=admin, member_id=member.id or 0, note="Scam")
    db.commit()
    with pytest.raises(NotAllowed, match="closed"):
        accounts.do_login(db, email=member.email, password=PASSWORD)
    db.rollback()
    with pytest.raises(InvalidTransition):
        moderation_actions.do_suspend(
            db, actor=admin, member_id=member.id or 0, days=1, note="also"
        )
    moderation_actions.do_reinstate(db, actor=admin, member_id=member.id or 0, note="Appeal")
    db.commit()
    assert accounts.do_login(db, email=member.email, password=PASSWORD).user.id == member.id
    assert _actions(db) == ["member.ban", "member.reinstate"]


@pytest.mark.parametrize("days", [0, -1, 366, "7", True, 2.5])
def test_bad_durations_are_refused(db: Session, days: object) -> None:
    admin = make_user(db, role=Role.ADMIN)
    member = make_user(db)
    with pytest.raises(ValidationFailed):
        moderation_actions.do_suspend(
            db,
            actor=admin,
            member_id=member.id or 0,
            days=days,
            note="x y z",  # type: ignore[arg-type]
        )


def test_admins_and_self_cannot_be_moderated(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    other_admin = make_user(db, role=Role.ADMIN)
    for target in (admin, other_admin):
        with pytest.raises(NotAllowed):
            moderation_actions.do_ban(db, actor=admin, member_id=target.id or 0, note="nope")


def test_content_removal_goes_through_the_registry(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    a, b = make_user(db), make_user(db)
    removed: set[int] = set()

    def load(_db: Session, tid: int) -> reports.Target | None:
        return None if tid in removed else reports.Target("note", tid, b.id or 0, "A note")

    def restore(_db: Session, tid: int) -> int | None:
        removed.discard(tid)
        return b.id

    reports.register_target(
        "note", noun="note", load=load, remove=lambda _d, t: removed.add(t), restore=restore
    )
    try:
        made = reports.do_report(db, actor=a, kind="note", target_id=3, reason="spam")
        db.commit()
        assert moderation.report_detail(db, actor=admin, report_id=made.id or 0).can_remove
        moderation_actions.do_remove_content(
            db, actor=admin, kind="note", target_id=3, note="Spam", report_id=made.id
        )
        db.commit()
        assert removed == {3}
        with pytest.raises(NotFound):
            reports.do_report(db, actor=a, kind="note", target_id=3, reason="spam")
        moderation_actions.do_restore_content(
            db, actor=admin, kind="note", target_id=3, note="Appeal ok"
        )
        db.commit()
        assert removed == set()
        assert _actions(db) == ["content.remove", "content.restore"]
        with pytest.raises(NotFound):
            moderation_actions.do_remove_content(
                db, actor=admin, kind="member", target_id=b.id or 0, note="members aren't content"
            )
    finally:
        reports.TARGETS.pop("note")
    assert db.get(Report, made.id).status == ReportStatus.ACTIONED  # type: ignore[union-attr]


def test_expired_suspension_is_lifted_at_login(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    member = make_user(db)
    moderation_actions.do_suspend(db, actor=admin, member_id=member.id or 0, days=1, note="brief")
    db.commit()
    with pytest.raises(NotAllowed):
        accounts.do_login(db, email=member.email, password=PASSWORD)
    db.rollback()
    later = T0.replace(year=2099)
    assert accounts.do_login(db, email=member.email, password=PASSWORD, now=later).user.id
    with pytest.raises(AuthenticationFailed):
        accounts.do_login(db, email=member.email, password="wrong password!!")


@pytest.mark.parametrize("action", ["suspend", "ban"])
def test_restricting_a_teacher_cancels_their_scheduled_sessions_with_a_full_refund(
    db: Session, action: str
) -> None:
    """Even one starting within the late-cancellation window: the learner pays no fee."""
    admin = make_user(db, role=Role.ADMIN)
    pair = make_pair(db)
    other = make_pair(db, teacher=pair.teacher)
    full, other_full = wallet(db, pair.learner), wallet(db, other.learner)
    teacher_before = wallet(db, pair.teacher)
    soon = scheduled(db, pair, start=T0 + timedelta(hours=30), now=T0)
    later = scheduled(db, other, start=T0 + timedelta(days=9), now=T0)
    now = T0 + timedelta(hours=29)  # an hour before `soon` starts: a late cancellation
    if action == "suspend":
        done = moderation_actions.do_suspend(
            db, actor=admin, member_id=pair.teacher.id or 0, days=7, note="Abuse", now=now
        )
    else:
        done = moderation_actions.do_ban(
            db, actor=admin, member_id=pair.teacher.id or 0, note="Abuse", now=now
        )
    db.commit()
    assert done.sessions_cancelled == 2
    for s in (soon, later):
        row = db.get(SkillSession, s.id)
        assert row is not None and row.state == SessionState.CANCELLED
        assert row.cancel_reason and "a member was" in row.cancel_reason
    assert (wallet(db, pair.learner), wallet(db, other.learner)) == (full, other_full)
    assert wallet(db, pair.teacher) == teacher_before  # nothing settled to the teacher
    assert ledger.check_invariants(db) == []
    [entry] = [e for e in db.exec(select(AuditEntry)).all() if e.action == f"member.{action}"]
    assert entry.data["sessions_cancelled"] == 2


def test_restricting_a_member_leaves_a_session_already_under_way(db: Session) -> None:
    """A started session is not cancelled: no-show reports and disputes still apply."""
    admin = make_user(db, role=Role.ADMIN)
    pair = make_pair(db)
    started = scheduled(db, pair, start=T0 + timedelta(days=3), now=T0)
    now = T0 + timedelta(days=3, minutes=10)
    done = moderation_actions.do_suspend(
        db, actor=admin, member_id=pair.learner.id or 0, days=3, note="Spam", now=now
    )
    db.commit()
    assert done.sessions_cancelled == 0
    row = db.get(SkillSession, started.id)
    assert row is not None and row.state == SessionState.SCHEDULED


def test_safety_close_of_a_scheduled_session_is_refused_once_it_started(db: Session) -> None:
    from bartr.services import sessions

    pair = make_pair(db)
    booked = scheduled(db, pair, start=T0 + timedelta(days=3), now=T0)
    with pytest.raises(InvalidTransition, match="already started"):
        sessions.do_safety_close(
            db, session_id=booked.id or 0, reason="x", now=T0 + timedelta(days=3, minutes=1)
        )

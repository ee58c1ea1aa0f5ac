"""Reporting: what can be reported, the refusals, and what the reporter sees afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from bartr.models.base import utcnow
from bartr.models.safety import Report, ReportStatus
from bartr.services import reports
from bartr.services.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from tests.factories import make_user


def _count(db: Session) -> int:
    return int(db.exec(select(func.count()).select_from(Report)).one())


def test_report_a_member_and_see_its_public_state(db: Session) -> None:
    maya, ben = make_user(db), make_user(db, name="Ben Ode")
    made = reports.do_report(
        db, actor=maya, kind="member", target_id=ben.id or 0, reason="spam", details="Ads"
    )
    db.commit()
    assert (made.subject_id, made.status) == (ben.id, ReportStatus.OPEN)
    [mine] = reports.my_reports(db, actor=maya)
    assert (mine.what, mine.status, mine.reason) == ("Ben Ode", "Received", "Spam or advertising")
    assert reports.my_reports(db, actor=ben) == []

    made.status, made.resolution = ReportStatus.ACTIONED, "member.suspend"
    db.add(made)
    db.commit()
    [mine] = reports.my_reports(db, actor=maya)
    assert mine.status == "Action taken"
    assert "suspend" not in repr(mine)  # the private outcome never reaches the reporter


@pytest.mark.parametrize(
    ("kind", "target", "error"),
    [
        ("member", "self", NotAllowed),
        ("member", 999_999, NotFound),
        ("member", "7", NotFound),
        ("member", -1, NotFound),
        ("spaceship", 1, NotFound),
        (["member"], 1, NotFound),
    ],
)
def test_refusals_write_nothing(db: Session, kind: object, target: object, error: type) -> None:
    maya = make_user(db)
    target_id = maya.id if target == "self" else target
    with pytest.raises(error):
        reports.do_report(db, actor=maya, kind=kind, target_id=target_id, reason="spam")  # type: ignore[arg-type]
    db.rollback()
    assert _count(db) == 0


def test_unknown_kind_says_so(db: Session) -> None:
    maya = make_user(db)
    with pytest.raises(NotFound, match="Unknown report target"):
        reports.do_report(db, actor=maya, kind="no-such-kind", target_id=1, reason="spam")


def test_duplicate_open_report_is_refused_until_closed(db: Session) -> None:
    maya, ben = make_user(db), make_user(db)
    first = reports.do_report(db, actor=maya, kind="member", target_id=ben.id or 0, reason="spam")
    db.commit()
    with pytest.raises(Conflict):
        reports.do_report(db, actor=maya, kind="member", target_id=ben.id or 0, reason="other")
    db.rollback()
    first.status = ReportStatus.DISMISSED
    db.add(first)
    db.commit()
    reports.do_report(db, actor=maya, kind="member", target_id=ben.id or 0, reason="other")
    db.commit()
    assert _count(db) == 2


def test_bad_reason_and_long_details(db: Session) -> None:
    maya, ben = make_user(db), make_user(db)
    with pytest.raises(ValidationFailed):
        reports.do_report(db, actor=maya, kind="member", target_id=ben.id or 0, reason="meh")
    with pytest.raises(ValidationFailed):
        reports.do_report(
            db, actor=maya, kind="member", target_id=ben.id or 0, reason="spam", details="x" * 5000
        )


def test_daily_limit(db: Session) -> None:
    maya = make_user(db)
    others = [make_user(db) for _ in range(3)]
    now = utcnow()
    for i in range(reports.MAX_PER_DAY):
        db.add(
            Report(
                reporter_id=maya.id or 0,
                target_kind="member",
                target_id=others[0].id or 0,
                subject_id=others[0].id or 0,
                reason="spam",
                status=ReportStatus.DISMISSED,
                created_at=now - timedelta(hours=1, minutes=i),
            )
        )
    db.commit()
    with pytest.raises(NotAllowed):
        reports.do_report(db, actor=maya, kind="member", target_id=others[1].id or 0, reason="spam")


def test_a_registered_kind_becomes_reportable(db: Session) -> None:
    maya, ben = make_user(db), make_user(db)

    def load(_db: Session, target_id: int) -> reports.Target | None:
        return (
            reports.Target("widget", target_id, ben.id or 0, "Widget") if target_id == 5 else None
        )

    reports.register_target("widget", noun="widget", load=load)
    try:
        with pytest.raises(NotFound, match="widget"):
            reports.do_report(db, actor=maya, kind="widget", target_id=6, reason="spam")
        made = reports.do_report(db, actor=maya, kind="widget", target_id=5, reason="spam")
        assert made.subject_id == ben.id
    finally:
        reports.TARGETS.pop("widget")

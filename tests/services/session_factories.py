"""Factories for session tests: a teacher with a teach skill and open availability, a funded
learner, and sessions driven into a given situation through the real services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bartr.models.accounts import User
from bartr.models.ledger import TransactionKind
from bartr.models.profiles import SkillKind
from bartr.models.sessions import SkillSession
from bartr.services import availability, categories, ledger, profiles, sessions
from tests.factories import make_user

# A Monday, 08:00 UTC: "now" at the start of most tests.
T0 = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)
ALL_WEEK = [(day, "00:00", "24:00") for day in range(7)]

_seq = itertools.count(1)


@dataclass
class Pair:
    teacher: User
    learner: User
    skill_id: int


def fund(db: Session, user: User, amount: int) -> None:
    ledger.grant(
        db,
        user_id=user.id or 0,
        amount=amount,
        system="test-funding",
        kind=TransactionKind.ADJUSTMENT,
        key=f"test-fund:{user.id}:{next(_seq)}",
        memo="test funding",
    )


def make_teacher(
    db: Session,
    *,
    timezone: str = "Europe/Berlin",
    windows: list[tuple[int, str, str]] | None = None,
    name: str | None = None,
) -> User:
    teacher = make_user(db, timezone=timezone, name=name)
    availability.do_set_availability(db, actor=teacher, windows=windows or ALL_WEEK)
    db.commit()
    return teacher


def make_skill(
    db: Session, teacher: User, *, kind: str = SkillKind.TEACH, title: str | None = None
) -> int:
    categories.seed_categories(db)
    view = profiles.do_add_skill(
        db,
        actor=teacher,
        kind=kind,
        category_slug="languages",
        title=title or f"Spanish conversation {next(_seq)}",
        level="intermediate",
    )
    db.commit()
    return view.id


def make_pair(
    db: Session,
    *,
    teacher_tz: str = "Europe/Berlin",
    learner_tz: str = "Europe/Berlin",
    learner_credits: int = 600,
    teacher: User | None = None,
) -> Pair:
    teacher = teacher or make_teacher(db, timezone=teacher_tz)
    learner = make_user(db, timezone=learner_tz)
    if learner_credits:
        fund(db, learner, learner_credits)
    db.commit()
    return Pair(teacher=teacher, learner=learner, skill_id=make_skill(db, teacher))


def request(
    db: Session,
    pair: Pair,
    *,
    times: list[datetime] | None = None,
    duration: int = 60,
    now: datetime = T0,
    message: str = "Hola!",
) -> SkillSession:
    session = sessions.do_request_session(
        db,
        actor=pair.learner,
        skill_id=pair.skill_id,
        duration_minutes=duration,
        start_times=times if times is not None else [now + timedelta(days=3, hours=2)],
        message=message,
        now=now,
    )
    db.commit()
    return session


def scheduled(
    db: Session,
    pair: Pair,
    *,
    start: datetime | None = None,
    duration: int = 60,
    now: datetime = T0,
) -> SkillSession:
    start = start or now + timedelta(days=3, hours=2)
    session = request(db, pair, times=[start], duration=duration, now=now)
    sessions.do_accept(db, actor=pair.teacher, session_id=session.id or 0, starts_at=start, now=now)
    db.commit()
    return session


def wallet(db: Session, user: User) -> int:
    return ledger.available_balance(db, user.id or 0)

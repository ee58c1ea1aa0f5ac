"""Factories for profiles, skills and availability (used by the profile/marketplace tests)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from bartr.models.accounts import User
from bartr.services import availability, categories, profiles
from bartr.services.profiles import SkillView


def seed(db: Session) -> None:
    categories.seed_categories(db)
    db.commit()


def add_skill(
    db: Session,
    user: User,
    *,
    kind: str = "teach",
    category: str = "languages",
    title: str = "Spanish conversation",
    level: str = "intermediate",
    tags: Sequence[str] = (),
    description: str = "",
) -> SkillView:
    view = profiles.do_add_skill(
        db,
        actor=user,
        kind=kind,
        category_slug=category,
        title=title,
        level=level,
        tags=list(tags),
        description=description,
    )
    db.commit()
    return view


def set_windows(db: Session, user: User, windows: Sequence[tuple[int, str, str]]) -> None:
    availability.do_set_availability(db, actor=user, windows=list(windows))
    db.commit()

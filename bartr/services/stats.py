"""Community figures for the home page, straight from the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from bartr.models.accounts import User, UserStatus


@dataclass(frozen=True)
class CommunityFigures:
    members: int
    skills_offered: int
    hours_exchanged: int


def community_figures(db: Session) -> CommunityFigures:
    members = db.exec(
        select(func.count()).select_from(User).where(col(User.status) == UserStatus.ACTIVE)
    ).one()
    skills = 0
    hours = 0
    try:
        from bartr.models.profiles import Skill

        skills = db.exec(
            select(func.count())
            .select_from(Skill)
            .where(col(Skill.kind) == "teach", col(Skill.active).is_(True))
        ).one()
    except ImportError:
        pass
    try:
        from bartr.models.sessions import SkillSession

        minutes = db.exec(
            select(func.coalesce(func.sum(SkillSession.duration_minutes), 0)).where(
                col(SkillSession.state) == "completed"
            )
        ).one()
        hours = int(minutes) // 60
    except ImportError:
        pass
    return CommunityFigures(members=int(members), skills_offered=int(skills), hours_exchanged=hours)

"""View models more than one page shows: skill cards, recommendations, a member's skills.

Plain frozen dataclasses built from service results; no page state lives here, so any page
state may import it (tests/test_architecture.py).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from bartr import routes
from bartr.services import recommendations
from bartr.services.marketplace import SkillCard
from bartr.services.profiles import SkillView
from bartr.state.wording import zone_of


def session_request_url(skill_id: int) -> str:
    """The session request flow (owned by the sessions UI)."""
    return f"/sessions/new?skill={skill_id}"


def initials(name: str) -> str:
    parts = [p for p in name.split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def slot_label(moment: datetime | None, zone: str, *, now: datetime | None = None) -> str:
    """'Today 14:00', 'Tomorrow 09:30', 'Thu 14:00' or 'Thu 12 Mar 14:00', in `zone`."""
    if moment is None:
        return ""
    tz = zone_of(zone)
    local = moment.astimezone(tz)
    today = (now or datetime.now(tz)).astimezone(tz).date()
    days = (local.date() - today).days
    clock = local.strftime("%H:%M")
    if days == 0:
        return f"Today {clock}"
    if days == 1:
        return f"Tomorrow {clock}"
    if 1 < days < 7:
        return f"{local.strftime('%a')} {clock}"
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b')} {clock}"


def rating_label(avg: float | None, count: int) -> str:
    return f"{avg:.1f}" if avg is not None and count > 0 else ""


def star_value(avg: float | None, count: int) -> float:
    """The number the stars are drawn from: the average as shown (one decimal), 0 if none."""
    return round(avg, 1) if avg is not None and count > 0 else 0.0


@dataclasses.dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclasses.dataclass(frozen=True)
class CardVM:
    skill_id: int
    title: str
    level: str
    category: str
    tags: list[str]
    teacher: str
    initials: str
    avatar_url: str
    profile_url: str
    request_url: str
    languages: str
    rating: str  # "4.9" or "" for new teachers
    rating_count: int
    badges: list[str]
    mutual: bool
    next_slot: str  # in the viewer's zone; "" when none in the next two weeks
    trust: str = ""  # "86" or "" (new)
    trust_line: str = ""  # one-line breakdown, members only
    stars: float = 0.0  # the average the stars fill to (to the nearest half); 0 when new
    message_url: str = ""  # "Message" the teacher


@dataclasses.dataclass(frozen=True)
class RecommendationVM:
    teacher: str
    initials: str
    avatar_url: str
    profile_url: str
    request_url: str
    skill_title: str
    reasons: list[str]
    mutual: bool
    rating: str
    rating_count: int
    stars: float = 0.0


def card_vm(card: SkillCard, zone: str) -> CardVM:
    return CardVM(
        skill_id=card.skill_id,
        title=card.title,
        level=card.level.capitalize(),
        category=card.category_name,
        tags=card.tags[:3],
        teacher=card.teacher_name,
        initials=initials(card.teacher_name),
        avatar_url=routes.avatar(card.avatar_path),
        profile_url=routes.profile(card.handle),
        request_url=session_request_url(card.skill_id),
        message_url=routes.message_member(card.handle),
        languages=" · ".join(card.languages[:3]),
        rating=rating_label(card.rating_avg, card.rating_count),
        rating_count=card.rating_count,
        # "New member" says the same as the "New" rating chip on a card.
        badges=[b for b in card.badges if b != "New member"],
        mutual=card.mutual_match,
        next_slot=slot_label(card.next_free_slot, zone),
        trust=f"{card.trust_score:.0f}" if card.trust_score is not None else "",
        trust_line=card.trust_breakdown,
        stars=star_value(card.rating_avg, card.rating_count),
    )


def recommendation_vm(rec: recommendations.Recommendation) -> RecommendationVM:
    return RecommendationVM(
        teacher=rec.display_name,
        initials=initials(rec.display_name),
        avatar_url=routes.avatar(rec.avatar_path),
        profile_url=routes.profile(rec.handle),
        request_url=session_request_url(rec.skill_id),
        skill_title=rec.skill_title,
        reasons=[r[:1].upper() + r[1:] for r in rec.reasons],
        mutual=rec.mutual,
        rating=rating_label(rec.rating_avg, rec.rating_count),
        rating_count=rec.rating_count,
        stars=star_value(rec.rating_avg, rec.rating_count),
    )


@dataclasses.dataclass(frozen=True)
class SkillVM:
    id: int
    title: str
    level: str
    category: str
    category_slug: str
    tags: list[str]
    description: str
    request_url: str


def skill_vm(skill: SkillView) -> SkillVM:
    return SkillVM(
        id=skill.id,
        title=skill.title,
        level=skill.level.capitalize(),
        category=skill.category_name,
        category_slug=skill.category_slug,
        tags=list(skill.tags),
        description=skill.description,
        request_url=session_request_url(skill.id),
    )

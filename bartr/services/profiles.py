"""Member profiles and the skills they teach or want to learn.

Tags are normalised once, here: trimmed, lower-case, a leading '#' removed, inner
whitespace collapsed to single spaces, duplicates dropped ("#Music  Theory" ->
"music theory"). Every active skill also writes rows to `skill_terms`:
- its tags (is_tag = True): the marketplace tag filter and `suggest_tags`;
- its significant words (is_tag = False): the words of the title and of the tags, minus
  generic words ("lessons", "beginners", "for"...). Barter matching uses these: two
  skills match when they are in the same category and share a significant word
  (see services/recommendations.py).

Teacher stats, trust and badges live in services/trust.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, true
from sqlmodel import Session, col, func, select

from bartr.models.accounts import User, UserStatus
from bartr.models.base import utcnow
from bartr.models.profiles import Category, Skill, SkillKind, SkillLevel, SkillTerm
from bartr.services import availability, blocks, categories, trust
from bartr.services import search_index as _search_index  # noqa: F401  (installs the DDL hook)
from bartr.services.availability import GridDay
from bartr.services.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from bartr.services.languages import clean_languages
from bartr.services.validation import clean_text, clean_timezone

TITLE_MIN, TITLE_MAX = 3, 80
DESCRIPTION_MAX = 2000
MAX_TAGS, TAG_MAX = 10, 30
MAX_SKILLS_PER_KIND = 20
LEVELS = tuple(level.value for level in SkillLevel)

GENERIC_WORDS = frozenset(
    [
        "online",
        "offline",
        "remote",
        "person",
        "weekend",
        "weekends",
        "evening",
        "evenings",
        "morning",
        "mornings",
        "daily",
        "weekly",
        "kids",
        "children",
        "adults",
        "hobby",
        "fun",
        "friendly",
        "session",
        "sessions",
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "to",
        "in",
        "on",
        "with",
        "my",
        "your",
        "how",
        "from",
        "at",
        "by",
        "is",
        "are",
        "be",
        "it",
        "i",
        "me",
        "you",
        "lesson",
        "lessons",
        "class",
        "classes",
        "course",
        "courses",
        "basics",
        "basic",
        "intro",
        "introduction",
        "beginner",
        "beginners",
        "intermediate",
        "advanced",
        "expert",
        "experts",
        "learn",
        "learning",
        "teach",
        "teaching",
        "practice",
        "help",
        "tutoring",
        "tutor",
        "tips",
        "fundamentals",
        "essentials",
        "skills",
        "skill",
        "level",
        "101",
        "101s",
        "about",
        "getting",
        "started",
        "start",
        "guide",
    ]
)
_WORD_RE = re.compile(r"\w[\w+#]*", re.UNICODE)


# --- read models --------------------------------------------------------------------


@dataclass(frozen=True)
class SkillView:
    id: int
    kind: str
    title: str
    level: str
    category_slug: str
    category_name: str
    tags: list[str]
    description: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ProfileView:
    user_id: int
    display_name: str
    handle: str
    avatar_path: str | None
    bio: str
    languages: list[str]
    timezone: str
    local_time: datetime  # now in the member's zone (aware)
    local_time_label: str  # "14:05"
    teaches: list[SkillView]
    learns: list[SkillView]
    availability: list[GridDay]  # Monday-first week in the viewer's zone
    viewer_timezone: str
    rating_avg: float | None
    rating_count: int
    trust_score: float | None
    badges: list[str]
    trust_breakdown: str  # one line: "Rating 4.7 from 23 reviews +62 · ..."
    member_since: date
    is_self: bool


# --- normalisation ------------------------------------------------------------------


def normalise_tag(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw or "").strip().lstrip("#").strip()
    return " ".join(text.lower().split())


def clean_tags(values: Sequence[str] | str | None) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
    result: list[str] = []
    for raw in values or []:
        tag = normalise_tag(raw)
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise ValidationFailed(
                f"Tag {tag[:40]!r} is too long (at most {TAG_MAX} characters).", field="tags"
            )
        if tag not in result:
            result.append(tag)
    if len(result) > MAX_TAGS:
        raise ValidationFailed(f"Use at most {MAX_TAGS} tags.", field="tags")
    return result


def significant_words(*texts: str) -> set[str]:
    """Lower-case words of a title or tags, minus generic words; 'C++' stays 'c++'."""
    words: set[str] = set()
    for text in texts:
        for w in _WORD_RE.findall(unicodedata.normalize("NFKC", text or "").lower()):
            w = w[:40]
            if w in GENERIC_WORDS or w.isdigit():
                continue
            if len(w) < 2 and not any(ch in w for ch in "+#"):
                continue
            words.add(w)
    return words


def skill_term_rows(skill: Skill) -> list[SkillTerm]:
    rows = [
        SkillTerm(
            skill_id=skill.id or 0,
            term=tag,
            is_tag=True,
            user_id=skill.user_id,
            kind=skill.kind,
            category_id=skill.category_id,
        )
        for tag in skill.tags
    ]
    rows += [
        SkillTerm(
            skill_id=skill.id or 0,
            term=word,
            is_tag=False,
            user_id=skill.user_id,
            kind=skill.kind,
            category_id=skill.category_id,
        )
        for word in sorted(significant_words(skill.title, *skill.tags))
    ]
    return rows


def _reindex_terms(db: Session, skill: Skill) -> None:
    db.exec(delete(SkillTerm).where(col(SkillTerm.skill_id) == skill.id))
    if skill.active:
        db.add_all(skill_term_rows(skill))


def reindex_skill_terms(db: Session, *, user_ids: Iterable[int] | None = None) -> int:
    """Rebuild `skill_terms` (for bulk loaders that insert skills directly)."""
    stmt = select(Skill).where(col(Skill.active) == true())
    if user_ids is not None:
        stmt = stmt.where(col(Skill.user_id).in_(list(user_ids)))
    count = 0
    for skill in db.exec(stmt).all():
        _reindex_terms(db, skill)
        count += 1
    db.flush()
    return count


# --- profile ------------------------------------------------------------------------


def do_update_profile(
    db: Session,
    *,
    actor: User,
    display_name: str,
    bio: str,
    languages: list[str] | str,
    timezone: str,
) -> User:
    """Edit name, bio, languages and zone. Text is stored as typed (HTML is just text)."""
    name = clean_text(display_name, field="display_name", label="Display name", max_length=60)
    clean_bio = clean_text(
        bio, field="bio", label="Bio", max_length=2000, required=False, multiline=True
    )
    langs = clean_languages(languages)
    zone = clean_timezone(timezone)
    zone_changed = zone != actor.timezone
    actor.display_name, actor.bio, actor.languages, actor.timezone = name, clean_bio, langs, zone
    db.add(actor)
    db.flush()  # the search-index triggers pick up a new display name here
    if zone_changed:
        availability.follow_timezone_change(db, user_id=actor.id or 0, timezone=zone)
    return actor


def _skill_view(skill: Skill, category: Category) -> SkillView:
    return SkillView(
        id=skill.id or 0,
        kind=skill.kind,
        title=skill.title,
        level=skill.level,
        category_slug=category.slug,
        category_name=category.name,
        tags=list(skill.tags),
        description=skill.description,
        created_at=skill.created_at,
        updated_at=skill.updated_at,
    )


def _clean_skill_fields(
    db: Session,
    *,
    category_slug: str,
    title: str,
    level: str,
    tags: Sequence[str] | str | None,
    description: str,
    current_category_id: int | None = None,
) -> tuple[Category, str, str, list[str], str]:
    clean_title = clean_text(title, field="title", label="Title", max_length=TITLE_MAX)
    if len(clean_title) < TITLE_MIN:
        raise ValidationFailed(f"Title needs at least {TITLE_MIN} characters.", field="title")
    clean_level = (level or "").strip().lower()
    if clean_level not in LEVELS:
        raise ValidationFailed("Choose a level: " + ", ".join(LEVELS) + ".", field="level")
    clean_desc = clean_text(
        description,
        field="description",
        label="Description",
        max_length=DESCRIPTION_MAX,
        required=False,
        multiline=True,
    )
    clean_tag_list = clean_tags(tags)
    try:
        category = categories.get_by_slug(db, category_slug)
    except ValidationFailed:
        # A retired category stays valid for a skill already in it.
        category = categories.get_by_slug(db, category_slug, active_only=False)
        if category.id != current_category_id:
            raise
    return category, clean_title, clean_level, clean_tag_list, clean_desc


def _check_duplicate_title(
    db: Session, *, user_id: int, kind: str, title: str, skip_id: int | None
) -> None:
    stmt = select(Skill.id).where(
        Skill.user_id == user_id,
        Skill.kind == kind,
        col(Skill.active) == true(),
        func.lower(Skill.title) == title.lower(),
    )
    if skip_id is not None:
        stmt = stmt.where(Skill.id != skip_id)
    if db.exec(stmt).first() is not None:
        verb = "teach" if kind == SkillKind.TEACH else "want to learn"
        raise Conflict(f"You already {verb} “{title}”.", field="title")


def do_add_skill(
    db: Session,
    *,
    actor: User,
    kind: str,
    category_slug: str,
    title: str,
    level: str,
    tags: Sequence[str] | str | None = None,
    description: str = "",
) -> SkillView:
    if kind not in (SkillKind.TEACH, SkillKind.LEARN):
        raise ValidationFailed("Say whether you teach or want to learn this.", field="kind")
    category, clean_title, clean_level, clean_tag_list, clean_desc = _clean_skill_fields(
        db,
        category_slug=category_slug,
        title=title,
        level=level,
        tags=tags,
        description=description,
    )
    count = db.exec(
        select(func.count())
        .select_from(Skill)
        .where(Skill.user_id == actor.id, Skill.kind == kind, col(Skill.active) == true())
    ).one()
    if count >= MAX_SKILLS_PER_KIND:
        raise ValidationFailed(
            f"You can list at most {MAX_SKILLS_PER_KIND} skills to "
            f"{'teach' if kind == SkillKind.TEACH else 'learn'}. Remove one first.",
            field="title",
        )
    _check_duplicate_title(db, user_id=actor.id or 0, kind=kind, title=clean_title, skip_id=None)
    stats = trust.stats_for(db, actor.id or 0)
    now = utcnow()
    skill = Skill(
        user_id=actor.id or 0,
        kind=kind,
        category_id=category.id or 0,
        title=clean_title,
        level=clean_level,
        description=clean_desc,
        tags=clean_tag_list,
        created_at=now,
        updated_at=now,
        active=True,
        sort_rating=stats.rating_avg or 0.0,
        sort_rating_count=stats.rating_count,
        sort_trust=stats.trust_score or 0.0,
    )
    db.add(skill)
    db.flush()
    _reindex_terms(db, skill)
    db.flush()
    return _skill_view(skill, category)


def _owned_skill(db: Session, *, actor: User, skill_id: int) -> Skill:
    skill = db.get(Skill, skill_id)
    if skill is None or not skill.active:
        raise NotFound("No such skill.")
    if skill.user_id != actor.id:
        raise NotAllowed("You can only change your own skills.")
    return skill


def do_update_skill(
    db: Session,
    *,
    actor: User,
    skill_id: int,
    category_slug: str,
    title: str,
    level: str,
    tags: Sequence[str] | str | None = None,
    description: str = "",
) -> SkillView:
    skill = _owned_skill(db, actor=actor, skill_id=skill_id)
    category, clean_title, clean_level, clean_tag_list, clean_desc = _clean_skill_fields(
        db,
        category_slug=category_slug,
        title=title,
        level=level,
        tags=tags,
        description=description,
        current_category_id=skill.category_id,
    )
    _check_duplicate_title(
        db, user_id=skill.user_id, kind=skill.kind, title=clean_title, skip_id=skill.id
    )
    skill.category_id = category.id or 0
    skill.title, skill.level, skill.tags, skill.description = (
        clean_title,
        clean_level,
        clean_tag_list,
        clean_desc,
    )
    skill.updated_at = utcnow()
    db.add(skill)
    db.flush()
    _reindex_terms(db, skill)
    db.flush()
    return _skill_view(skill, category)


def do_remove_skill(db: Session, *, actor: User, skill_id: int) -> None:
    """Retire a skill (kept for session history; gone from profile, search and matching)."""
    skill = _owned_skill(db, actor=actor, skill_id=skill_id)
    skill.active = False
    skill.updated_at = utcnow()
    db.add(skill)
    db.flush()
    _reindex_terms(db, skill)
    db.flush()


def skills_of(db: Session, *, user_id: int, kind: str | None = None) -> list[SkillView]:
    stmt = (
        select(Skill, Category)
        .join(Category, col(Category.id) == Skill.category_id)
        .where(Skill.user_id == user_id, col(Skill.active) == true())
        .order_by(col(Skill.created_at), col(Skill.id))
    )
    if kind is not None:
        stmt = stmt.where(Skill.kind == kind)
    return [_skill_view(s, c) for s, c in db.exec(stmt).all()]


def suggest_tags(db: Session, prefix: str, limit: int = 8) -> list[str]:
    """The most used tags starting with `prefix` (normalised like tags are)."""
    key = normalise_tag(prefix)[:TAG_MAX]
    if not key:
        return []
    limit = max(1, min(limit, 50))
    uses = func.count().label("uses")
    rows = db.exec(
        select(SkillTerm.term, uses)
        .where(
            col(SkillTerm.is_tag) == true(),
            SkillTerm.term >= key,
            SkillTerm.term < key + "\U0010ffff",
        )
        .group_by(col(SkillTerm.term))
        .order_by(uses.desc(), col(SkillTerm.term))
        .limit(limit)
    ).all()
    return [term for term, _ in rows]


def public_profile(
    db: Session, *, handle: str, viewer: User | None, now: datetime | None = None
) -> ProfileView:
    """Everything the profile page shows, with times in the viewer's zone."""
    now = now or utcnow()
    key = (handle or "").strip().lower()[:40]
    user = db.exec(select(User).where(User.handle == key)).first() if key else None
    is_admin = viewer is not None and viewer.is_admin
    if user is None or (user.status != UserStatus.ACTIVE and not is_admin):
        raise NotFound("No member with that name.")
    if viewer is not None and not is_admin and blocks.blocked_between(db, viewer.id, user.id):
        raise NotFound("No member with that name.")
    skills = skills_of(db, user_id=user.id or 0)
    viewer_tz = viewer.timezone if viewer is not None else user.timezone
    try:
        viewer_tz = clean_timezone(viewer_tz)
    except ValidationFailed:
        viewer_tz = "UTC"
    grid = availability.weekly_grid_for_viewer(db, user_id=user.id or 0, viewer_tz=viewer_tz)
    stats = trust.stats_for(db, user.id or 0)
    try:
        local = now.astimezone(ZoneInfo(user.timezone))
    except (KeyError, ValueError):
        local = now
    return ProfileView(
        user_id=user.id or 0,
        display_name=user.display_name,
        handle=user.handle,
        avatar_path=user.avatar_path,
        bio=user.bio,
        languages=list(user.languages),
        timezone=user.timezone,
        local_time=local,
        local_time_label=local.strftime("%H:%M"),
        teaches=[s for s in skills if s.kind == SkillKind.TEACH],
        learns=[s for s in skills if s.kind == SkillKind.LEARN],
        availability=grid,
        viewer_timezone=viewer_tz,
        rating_avg=stats.rating_avg,
        rating_count=stats.rating_count,
        trust_score=stats.trust_score,
        badges=trust.badges_for(stats, member_since=user.created_at, now=now),
        trust_breakdown=stats.breakdown,
        member_since=user.created_at.date(),
        is_self=viewer is not None and viewer.id == user.id,
    )

"""Ratings after completed sessions: giving, editing, double-blind publishing, replies.

Rules (docs/trust.md says them for people):
- Only the two people of a completed session rate it, each once: the learner rates the
  teacher (this counts toward the teacher's stars and trust score), the teacher may rate
  the learner. 1-5 stars, a sentence of at least TEXT_MIN characters, optional prompts
  from a fixed list.
- Double-blind: a rating is hidden from everyone but its author until both sides have
  rated or BLIND_DAYS after completion, whichever comes first (`visible_from`). Nobody can
  read the other side's rating before writing their own, so nobody can retaliate.
- A rating can be edited for EDIT_HOURS after it was given while it is still hidden; once
  published (or after 24 hours) it is final.
- Until the learner has rated every session they completed, they cannot request another
  one (`check_learner_has_rated`, called by the booking code): the error carries the
  session to rate.
- The teacher may post one public reply per published review of them.
- Publishing (both rated, or the sweep finding ratings whose 7 days are up) recomputes the
  teacher's stats in the same transaction (`trust.recompute_teacher`).
- Any member may report a published review (services/reports.py, target "review"); an
  admin's removal hides it everywhere and takes it out of the stats (restorable).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.models.sessions import SessionEvent, SessionState, Side, SkillSession
from bartr.models.trust import Rating
from bartr.services import reports, trust
from bartr.services.errors import Conflict, NotAllowed, NotFound, RatingRequired, ValidationFailed
from bartr.services.validation import clean_text

TEXT_MIN, TEXT_MAX = 10, 1000
REPLY_MIN = 2
EDIT_HOURS = 24
BLIND_DAYS = 7
# Tappable prompts: they fill the text box with a start and are stored with the rating.
PROMPTS_FOR_TEACHER = (
    "Clear explanations",
    "Patient",
    "Well prepared",
    "Encouraging",
    "Knows the subject",
    "On time",
)
PROMPTS_FOR_LEARNER = ("Well prepared", "Curious", "On time", "Respectful", "Motivated")


# --- read models ------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingView:
    id: int
    session_id: int
    rater_side: str
    stars: int
    text: str
    prompts: list[str]
    created_at: datetime
    editable_until: datetime | None  # None: final
    published: bool
    reply: str | None


@dataclass(frozen=True)
class SessionRatings:
    """What the session page shows about ratings, for one viewer."""

    can_rate: bool  # the viewer may rate now (completed, participant, not yet rated)
    must_rate: bool  # the viewer is the learner and has not rated: booking is blocked
    mine: RatingView | None
    theirs: RatingView | None  # only once published
    other_name: str  # the first name of the person being rated
    prompts: tuple[str, ...]
    hidden_note: str  # "Maya sees your review when she has rated too, or in 7 days"


@dataclass(frozen=True)
class PendingRating:
    session_id: int
    other_name: str  # first name: "Rate your session with Maya"
    skill_title: str
    required: bool  # learner side: booking waits for it


@dataclass(frozen=True)
class Review:
    id: int
    stars: int
    text: str
    skill_title: str
    month: str  # "November 2026"
    learner_first_name: str
    reply: str | None
    can_reply: bool  # the viewer is the teacher and has not replied yet


@dataclass(frozen=True)
class ReviewSummary:
    reviews: list[Review]
    distribution: dict[int, int]  # stars -> count of published reviews (5 to 1)
    count: int
    average: float | None


def first_name(user: User) -> str:
    return (user.display_name or "").split(" ")[0] or user.display_name


# --- checks --------------------------------------------------------------------------------


def _side(session: SkillSession, actor: User | None) -> Side:
    if actor is not None and actor.id == session.learner_id:
        return Side.LEARNER
    if actor is not None and actor.id == session.teacher_id:
        return Side.TEACHER
    raise NotAllowed("Only the two people in this session can rate it.")


def completed_at(db: Session, session: SkillSession) -> datetime:
    """When the session was completed (its last transition into `completed`)."""
    at = db.exec(
        select(func.max(SessionEvent.at)).where(
            SessionEvent.session_id == session.id,
            SessionEvent.to_state == SessionState.COMPLETED,
        )
    ).one()
    return at or session.updated_at


def _clean_rating(
    stars: int, text: str, prompts: Sequence[str], allowed: Sequence[str]
) -> tuple[int, str, list[str]]:
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise ValidationFailed("Choose from 1 to 5 stars.", field="stars")
    clean = clean_text(text, field="text", label="Your review", max_length=TEXT_MAX, multiline=True)
    if len(clean) < TEXT_MIN:
        raise ValidationFailed(
            f"Write a short sentence (at least {TEXT_MIN} characters).", field="text"
        )
    chosen = [p for p in allowed if p in set(prompts or ())]
    return stars, clean, chosen


def _lock(db: Session, session_id: int) -> SkillSession:
    row = db.exec(
        select(SkillSession)
        .where(SkillSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound("This session does not exist.")
    return row


def check_learner_has_rated(db: Session, *, learner: User) -> None:
    """Refuse a new request while a completed session of this learner waits for a rating.

    The booking code calls this (sessions.check_can_request): the rule lives in the
    service, the page only shows the reason and the link.
    """
    waiting = db.exec(
        select(SkillSession.id, SkillSession.teacher_id)
        .where(
            SkillSession.learner_id == learner.id,
            SkillSession.state == SessionState.COMPLETED,
            ~select(Rating.id)
            .where(Rating.session_id == SkillSession.id, Rating.rater_id == learner.id)
            .exists(),
        )
        .order_by(col(SkillSession.id))
        .limit(1)
    ).first()
    if waiting is None:
        return
    session_id, teacher_id = waiting
    teacher = db.get(User, teacher_id)
    name = first_name(teacher) if teacher else "your teacher"
    raise RatingRequired(
        f"Rate your session with {name} first: every completed session gets a rating "
        "before you book the next one.",
        session_id=session_id or 0,
    )


# --- actions -------------------------------------------------------------------------------


def do_rate(
    db: Session,
    *,
    actor: User,
    session_id: int,
    stars: int,
    text: str,
    prompts: Sequence[str] = (),
    now: datetime | None = None,
) -> Rating:
    """Rate the other person of a completed session (once; see the module docstring)."""
    now = now or utcnow()
    session = _lock(db, session_id)
    side = _side(session, actor)
    if session.state != SessionState.COMPLETED:
        raise NotAllowed("You can rate a session once it is completed.")
    allowed = PROMPTS_FOR_TEACHER if side == Side.LEARNER else PROMPTS_FOR_LEARNER
    clean_stars, clean, chosen = _clean_rating(stars, text, prompts, allowed)
    if _rating_by(db, session_id=session_id, rater_id=actor.id or 0) is not None:
        raise Conflict("You already rated this session.")
    other = db.exec(
        select(Rating).where(Rating.session_id == session_id, Rating.rater_id != actor.id)
    ).first()
    visible_from = completed_at(db, session) + timedelta(days=BLIND_DAYS)
    if other is not None:  # both have rated: publish both now
        visible_from = min(visible_from, now)
        other.visible_from = min(other.visible_from, now)
        db.add(other)
    rating = Rating(
        session_id=session_id,
        rater_id=actor.id or 0,
        ratee_id=session.teacher_id if side == Side.LEARNER else session.learner_id,
        rater_side=side.value,
        stars=clean_stars,
        text=clean,
        prompts=chosen,
        skill_title=session.skill_title,
        created_at=now,
        updated_at=now,
        visible_from=visible_from,
    )
    try:
        with db.begin_nested():
            db.add(rating)
            db.flush()
    except IntegrityError:  # a double submit racing this one
        raise Conflict("You already rated this session.") from None
    if visible_from <= now:
        publish_due(db, now=now, session_id=session_id)
    return rating


def do_edit_rating(
    db: Session,
    *,
    actor: User,
    rating_id: int,
    stars: int,
    text: str,
    prompts: Sequence[str] = (),
    now: datetime | None = None,
) -> Rating:
    """Change one's own rating within EDIT_HOURS, while it is still hidden."""
    now = now or utcnow()
    rating = db.get(Rating, rating_id)
    if rating is None:
        raise NotFound("No such rating.")
    if rating.rater_id != actor.id:
        raise NotAllowed("You can only change your own rating.")
    if now > rating.created_at + timedelta(hours=EDIT_HOURS) or rating.visible_from <= now:
        raise NotAllowed(
            "This rating is final: ratings can be changed for 24 hours, until published."
        )
    allowed = PROMPTS_FOR_TEACHER if rating.rater_side == Side.LEARNER else PROMPTS_FOR_LEARNER
    rating.stars, rating.text, rating.prompts = _clean_rating(stars, text, prompts, allowed)
    rating.updated_at = now
    db.add(rating)
    db.flush()
    return rating


def do_reply(
    db: Session, *, actor: User, rating_id: int, text: str, now: datetime | None = None
) -> Rating:
    """The teacher's one public reply to a published review of them."""
    now = now or utcnow()
    rating = db.get(Rating, rating_id)
    if rating is None or rating.visible_from > now:
        raise NotFound("No such review.")
    if rating.ratee_id != actor.id or rating.rater_side != Side.LEARNER:
        raise NotAllowed("Only the teacher who was reviewed can reply.")
    if rating.reply is not None:
        raise Conflict("You already replied to this review.")
    clean = clean_text(text, field="reply", label="Reply", max_length=TEXT_MAX, multiline=True)
    if len(clean) < REPLY_MIN:
        raise ValidationFailed("Write a reply first.", field="reply")
    rating.reply, rating.reply_at = clean, now
    db.add(rating)
    db.flush()
    return rating


def publish_due(db: Session, *, now: datetime | None = None, session_id: int | None = None) -> int:
    """Count ratings whose time to be public has come; recompute their teachers' stats.

    Called when the second side rates (for that session) and by the background loop (for
    ratings whose 7 days are up). Returns how many ratings were published.
    """
    now = now or utcnow()
    stmt = select(Rating).where(col(Rating.published_at).is_(None), col(Rating.visible_from) <= now)
    if session_id is not None:
        stmt = stmt.where(Rating.session_id == session_id)
    due = db.exec(stmt.order_by(col(Rating.id)).limit(500)).all()
    teachers: set[int] = set()
    for rating in due:
        rating.published_at = now
        db.add(rating)
        if rating.rater_side == Side.LEARNER:
            teachers.add(rating.ratee_id)
    db.flush()
    for teacher_id in sorted(teachers):
        trust.recompute_teacher(db, teacher_id, now=now)
    return len(due)


# --- reading -------------------------------------------------------------------------------


def _rating_by(db: Session, *, session_id: int, rater_id: int) -> Rating | None:
    return db.exec(
        select(Rating).where(Rating.session_id == session_id, Rating.rater_id == rater_id)
    ).first()


def _view(rating: Rating, now: datetime) -> RatingView:
    until = rating.created_at + timedelta(hours=EDIT_HOURS)
    editable = now <= until and rating.visible_from > now
    return RatingView(
        id=rating.id or 0,
        session_id=rating.session_id,
        rater_side=rating.rater_side,
        stars=rating.stars,
        text=rating.text,
        prompts=list(rating.prompts or []),
        created_at=rating.created_at,
        editable_until=min(until, rating.visible_from) if editable else None,
        published=rating.visible_from <= now,
        reply=rating.reply,
    )


def session_ratings(
    db: Session, *, session: SkillSession, viewer: User, now: datetime | None = None
) -> SessionRatings | None:
    """Ratings of one session as `viewer` may see them (None: not a participant)."""
    now = now or utcnow()
    try:
        side = _side(session, viewer)
    except NotAllowed:
        return None
    other_id = session.teacher_id if side == Side.LEARNER else session.learner_id
    other = db.get(User, other_id)
    name = first_name(other) if other else "They"
    mine = _rating_by(db, session_id=session.id or 0, rater_id=viewer.id or 0)
    theirs = _rating_by(db, session_id=session.id or 0, rater_id=other_id)
    completed = session.state == SessionState.COMPLETED
    return SessionRatings(
        can_rate=completed and mine is None,
        must_rate=completed and mine is None and side == Side.LEARNER,
        mine=_view(mine, now) if mine else None,
        theirs=(
            _view(theirs, now)
            if theirs and theirs.visible_from <= now and theirs.removed_at is None
            else None
        ),
        other_name=name,
        prompts=PROMPTS_FOR_TEACHER if side == Side.LEARNER else PROMPTS_FOR_LEARNER,
        hidden_note=f"{name} sees your review when they have rated too, or in {BLIND_DAYS} days.",
    )


def pending_for(db: Session, *, actor: User, limit: int = 5) -> list[PendingRating]:
    """Completed sessions the member has not rated yet, learner side first (home prompt)."""
    s = SkillSession
    rows = db.exec(
        select(s.id, s.learner_id, s.teacher_id, s.skill_title)
        .where(
            (s.learner_id == actor.id) | (s.teacher_id == actor.id),
            s.state == SessionState.COMPLETED,
            ~select(Rating.id)
            .where(Rating.session_id == s.id, Rating.rater_id == actor.id)
            .exists(),
        )
        .order_by(col(s.updated_at).desc(), col(s.id).desc())
        .limit(50)
    ).all()
    others = {
        u.id: u
        for u in db.exec(
            select(User).where(col(User.id).in_({r[1] for r in rows} | {r[2] for r in rows}))
        ).all()
    }
    pending = []
    for session_id, learner_id, teacher_id, title in rows:
        required = learner_id == actor.id
        other = others.get(teacher_id if required else learner_id)
        pending.append(
            PendingRating(
                session_id=session_id or 0,
                other_name=first_name(other) if other else "",
                skill_title=title,
                required=required,
            )
        )
    pending.sort(key=lambda p: not p.required)  # stable: learner side first, newest first
    return pending[:limit]


def reviews_for(
    db: Session,
    *,
    teacher_id: int,
    viewer: User | None = None,
    now: datetime | None = None,
    limit: int = 20,
) -> ReviewSummary:
    """Published reviews of a teacher (newest first) and their star distribution."""
    now = now or utcnow()
    published = (
        Rating.ratee_id == teacher_id,
        Rating.rater_side == Side.LEARNER,
        col(Rating.visible_from) <= now,
        col(Rating.removed_at).is_(None),
    )
    counts = dict(
        db.exec(
            select(Rating.stars, func.count()).where(*published).group_by(col(Rating.stars))
        ).all()
    )
    distribution = {stars: int(counts.get(stars, 0)) for stars in (5, 4, 3, 2, 1)}
    total = sum(distribution.values())
    average = sum(s * n for s, n in distribution.items()) / total if total else None
    rows = db.exec(
        select(Rating, User)
        .join(User, col(User.id) == Rating.rater_id)
        .where(*published)
        .order_by(col(Rating.visible_from).desc(), col(Rating.id).desc())
        .limit(limit)
    ).all()
    is_teacher = viewer is not None and viewer.id == teacher_id
    reviews = [
        Review(
            id=rating.id or 0,
            stars=rating.stars,
            text=rating.text,
            skill_title=rating.skill_title,
            month=rating.created_at.strftime("%B %Y"),
            learner_first_name=first_name(rater),
            reply=rating.reply,
            can_reply=is_teacher and rating.reply is None,
        )
        for rating, rater in rows
    ]
    return ReviewSummary(reviews=reviews, distribution=distribution, count=total, average=average)


# --- reporting a review (services/reports.py target "review") ------------------------------


def _published_review(db: Session, rating_id: int) -> Rating | None:
    rating = db.get(Rating, rating_id)
    if rating is None or rating.rater_side != Side.LEARNER:
        return None
    if rating.published_at is None and rating.visible_from > utcnow():
        return None  # still hidden (double-blind): nobody else can see it to report it
    return rating


def _load_review(db: Session, rating_id: int) -> reports.Target | None:
    rating = _published_review(db, rating_id)
    if rating is None or rating.removed_at is not None:
        return None
    rater = db.get(User, rating.rater_id)
    name = first_name(rater) if rater else "a learner"
    return reports.Target(
        kind="review", id=rating_id, subject_id=rating.rater_id, label=f"Review by {name}"
    )


def _remove_review(db: Session, rating_id: int) -> None:
    """An admin hides a reported review: shown nowhere, counted nowhere (restorable)."""
    rating = _published_review(db, rating_id)
    if rating is not None and rating.removed_at is None:
        rating.removed_at = utcnow()
        db.add(rating)
        db.flush()
        trust.recompute_teacher(db, rating.ratee_id)


def _restore_review(db: Session, rating_id: int) -> int | None:
    rating = _published_review(db, rating_id)
    if rating is None:
        return None
    rating.removed_at = None
    db.add(rating)
    db.flush()
    trust.recompute_teacher(db, rating.ratee_id)
    return rating.rater_id


def _review_context(db: Session, rating_id: int) -> list[tuple[datetime, str, str, bool]]:
    rating = db.get(Rating, rating_id)
    if rating is None:
        return []
    rater, teacher = db.get(User, rating.rater_id), db.get(User, rating.ratee_id)
    lines = [
        (
            rating.created_at,
            rater.display_name if rater else "?",
            f"{rating.stars}/5 for {rating.skill_title}: {rating.text}",
            True,
        )
    ]
    if rating.reply and rating.reply_at:
        lines.append(
            (rating.reply_at, teacher.display_name if teacher else "?", rating.reply, False)
        )
    return lines


reports.register_target(
    "review",
    noun="review",
    load=_load_review,
    remove=_remove_review,
    restore=_restore_review,
    context=_review_context,
)

"""Teacher trust: the score, its components, badges, and the stats every page reads.

The Teacher Trust Score (0-100) is one pure function, `trust_score(inputs, now=...)`, of
exactly four inputs, each event weighted by its age (`age_weight`: half-life 180 days, so
a bad month two years ago counts ~1/16 of a bad month now):

1. Rating, up to +70. A Bayesian average of the published stars the teacher received:
   (PRIOR_WEIGHT x PRIOR_MEAN + sum of weight x stars) / (PRIOR_WEIGHT + sum of weights),
   so one 5-star review (4.25) does not beat fifty 4.9s (4.85). Points grow linearly from
   0 at 2.5 stars to 70 at 5 stars.
2. Completed sessions taught, up to +30, with diminishing returns:
   30 x (1 - 0.5 ** (weighted sessions / 10)): the first 10 give 15, the next 10 give 7.5...
3. Cancellation rate, down to -30: teacher-caused cancellations and teacher no-shows over
   the sessions the teacher was committed to (completed + those), weighted by age;
   1.5 points per percent (2% -> -3), at most -30.
4. Reports received (services/reports.py), no floor but the score's: each upheld report
   -20 and each open one -3 (weighted by age); dismissed reports count for nothing.

The sum is clamped to 0..100 and rounded to one decimal. A teacher with no event at all is
"new" (no score). Badges (`badges_for`) are written rules over the same figures.

Recompute on change, not on view: a session completion, cancellation or no-show (the
`SessionChanged` domain event, in the same transaction), a rating being published or
removed, a report being filed or decided call `recompute_teacher`, which stores everything through
`do_record_teacher_stats` (so the marketplace's sort copies follow). The background loop
calls `recompute_all` once a day for the decay. docs/trust.md says the same for people.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, func, select

from bartr.models.base import utcnow
from bartr.models.profiles import Skill, TeacherStats
from bartr.models.safety import Report, ReportStatus
from bartr.models.sessions import SessionState, Side, SkillSession
from bartr.models.trust import Rating
from bartr.services import domain_events

HALF_LIFE_DAYS = 180.0
PRIOR_MEAN = 4.0
PRIOR_WEIGHT = 3.0
RATING_POINTS = 70.0
RATING_FLOOR = 2.5  # stars at which the rating component is 0
SESSIONS_POINTS = 30.0
SESSIONS_HALF = 10.0  # every 10 weighted sessions halve the distance to the maximum
CANCEL_POINTS_PER_PERCENT = 1.5
CANCEL_MAX = 30.0
REPORT_UPHELD_POINTS = 20.0
REPORT_OPEN_POINTS = 3.0

REPORT_OPEN, REPORT_UPHELD, REPORT_DISMISSED = "open", "upheld", "dismissed"

TRUSTED_TEACHER = "Trusted Teacher"
RISING_MENTOR = "Rising Mentor"
NEW_MEMBER = "New member"
TRUSTED_MIN_SCORE = 80.0
TRUSTED_MIN_SESSIONS = 10
TRUSTED_CLEAN_DAYS = 90
RISING_MAX_DAYS = 90
RISING_MIN_SESSIONS = 3
RISING_MIN_RATING = 4.5
NEW_MEMBER_DAYS = 30

# What each badge means, shown as its tooltip wherever it appears.
BADGE_CRITERIA = {
    TRUSTED_TEACHER: (
        f"Trust score {TRUSTED_MIN_SCORE:.0f} or more, at least {TRUSTED_MIN_SESSIONS} sessions "
        f"taught, and no upheld report in the last {TRUSTED_CLEAN_DAYS} days."
    ),
    RISING_MENTOR: (
        f"Joined in the last {RISING_MAX_DAYS} days, taught at least {RISING_MIN_SESSIONS} "
        f"sessions, and rated {RISING_MIN_RATING} or more (Bayesian average)."
    ),
    NEW_MEMBER: f"Joined in the last {NEW_MEMBER_DAYS} days; no reviews yet.",
}


# --- the pure score -------------------------------------------------------------------


@dataclass(frozen=True)
class RatingEvent:
    stars: int  # 1..5
    at: datetime


@dataclass(frozen=True)
class ReportEvent:
    outcome: str  # REPORT_OPEN, REPORT_UPHELD or REPORT_DISMISSED
    at: datetime


@dataclass(frozen=True)
class TrustInputs:
    """A teacher's events: the seed's four inputs, each with the time it happened."""

    ratings: tuple[RatingEvent, ...] = ()
    completed: tuple[datetime, ...] = ()  # sessions taught to completion
    teacher_cancellations: tuple[datetime, ...] = ()  # teacher cancellations and no-shows
    reports: tuple[ReportEvent, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.ratings or self.completed or self.teacher_cancellations or self.reports)


@dataclass(frozen=True)
class Component:
    key: str  # rating | sessions | cancellations | reports
    label: str  # "Rating 4.7 from 23 reviews"
    points: float  # its contribution, signed


@dataclass(frozen=True)
class TrustScore:
    score: float  # 0..100, one decimal
    components: tuple[Component, ...]
    bayes_rating: float
    weighted_sessions: float
    cancellation_rate: float  # 0..1

    @property
    def breakdown(self) -> str:
        """One line: "Rating 4.7 from 23 reviews +62 · 41 sessions +28 · cancellations 2% -3"."""
        parts = []
        for c in self.components:
            if c.key == "reports" and round(c.points) == 0:
                continue  # "no reports" says nothing worth a place on one line
            parts.append(f"{c.label} {signed(c.points)}" if round(c.points) else c.label)
        return " · ".join(parts)


def signed(points: float) -> str:
    """ "+38", "-3" (a true minus sign), "0"."""
    value = round(points)
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"\u2212{-value}"
    return "0"


def age_weight(at: datetime, now: datetime, *, half_life_days: float = HALF_LIFE_DAYS) -> float:
    """How much an event counts: 1 when it just happened, halving every half-life.

    Never grows with age; an event dated after `now` (clock skew) counts as new.
    """
    age_days = max((now - at).total_seconds() / 86400.0, 0.0)
    return float(0.5 ** (age_days / half_life_days))


def bayes_rating(ratings: Sequence[RatingEvent], now: datetime) -> float:
    """Age-weighted Bayesian average of stars, pulled towards PRIOR_MEAN when reviews are few."""
    total = PRIOR_WEIGHT * PRIOR_MEAN
    weight = PRIOR_WEIGHT
    for r in ratings:
        w = age_weight(r.at, now)
        total += w * min(max(r.stars, 1), 5)
        weight += w
    return total / weight


def trust_score(inputs: TrustInputs, *, now: datetime) -> TrustScore:
    """The Teacher Trust Score and its components (see the module docstring for the formula)."""
    bayes = bayes_rating(inputs.ratings, now)
    rating_points = RATING_POINTS * min(max((bayes - RATING_FLOOR) / (5 - RATING_FLOOR), 0), 1)
    n = len(inputs.ratings)
    plain = sum(r.stars for r in inputs.ratings) / n if n else None
    rating_label = (
        f"Rating {plain:.1f} from {n} review{'' if n == 1 else 's'}"
        if plain is not None
        else f"No reviews yet (counted as {PRIOR_MEAN:.1f})"
    )
    done = sum(age_weight(at, now) for at in inputs.completed)
    session_points = SESSIONS_POINTS * (1 - 0.5 ** (done / SESSIONS_HALF))
    count = len(inputs.completed)
    cancelled = sum(age_weight(at, now) for at in inputs.teacher_cancellations)
    rate = cancelled / (done + cancelled) if cancelled > 0 else 0.0
    cancel_points = -min(CANCEL_POINTS_PER_PERCENT * 100 * rate, CANCEL_MAX)
    report_points = 0.0
    upheld = open_ = 0
    for report in inputs.reports:
        if report.outcome == REPORT_UPHELD:
            report_points -= REPORT_UPHELD_POINTS * age_weight(report.at, now)
            upheld += 1
        elif report.outcome == REPORT_OPEN:
            report_points -= REPORT_OPEN_POINTS * age_weight(report.at, now)
            open_ += 1
    components = (
        Component("rating", rating_label, rating_points),
        Component("sessions", f"{count} session{'' if count == 1 else 's'}", session_points),
        Component("cancellations", f"cancellations {rate * 100:.0f}%", cancel_points),
        Component("reports", f"reports {upheld} upheld, {open_} open", report_points),
    )
    raw = rating_points + session_points + cancel_points + report_points
    return TrustScore(
        score=round(min(max(raw, 0.0), 100.0), 1),
        components=components,
        bayes_rating=bayes,
        weighted_sessions=done,
        cancellation_rate=rate,
    )


def how_to_raise(result: TrustScore, *, review_count: int) -> list[str]:
    """Plain suggestions for the teacher's own editor, most useful first."""
    tips: list[str] = []
    by_key = {c.key: c for c in result.components}
    if by_key["cancellations"].points < 0:
        tips.append(
            "Keep the sessions you accept: cancellations and no-shows cost the most, and "
            "their weight halves every 6 months."
        )
    if by_key["reports"].points < 0:
        tips.append("Upheld reports weigh heavily; they fade with time.")
    if review_count < 10:
        tips.append(
            "Every review counts: with few reviews your rating is pulled towards 4.0, "
            "so a handful of 5-star sessions raises it quickly."
        )
    if result.bayes_rating < 4.5:
        tips.append("Clear explanations and good preparation are what learners rate highest.")
    if by_key["sessions"].points < SESSIONS_POINTS * 0.9:
        tips.append("Teach more sessions: each one adds points, most of all your first 20.")
    if not tips:
        tips.append("Keep teaching: recent sessions keep your score up as older ones fade.")
    return tips


# --- badges -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TeacherStatsView:
    rating_avg: float | None  # plain average of published stars
    rating_count: int
    trust_score: float | None  # None: new, no score yet
    sessions_taught: int = 0
    bayes_rating: float | None = None
    last_upheld_report_at: datetime | None = None
    breakdown: str = ""

    @property
    def is_new(self) -> bool:
        return self.rating_count == 0


NEW_STATS = TeacherStatsView(rating_avg=None, rating_count=0, trust_score=None)


def badges_for(
    stats: TeacherStatsView, *, member_since: datetime, now: datetime | None = None
) -> list[str]:
    """The badges whose written criteria (BADGE_CRITERIA) hold now; lost when they stop."""
    now = now or utcnow()
    badges: list[str] = []
    clean = stats.last_upheld_report_at is None or (
        now - stats.last_upheld_report_at >= timedelta(days=TRUSTED_CLEAN_DAYS)
    )
    if (
        (stats.trust_score or 0) >= TRUSTED_MIN_SCORE
        and stats.sessions_taught >= TRUSTED_MIN_SESSIONS
        and clean
    ):
        badges.append(TRUSTED_TEACHER)
    if (
        now - member_since <= timedelta(days=RISING_MAX_DAYS)
        and stats.sessions_taught >= RISING_MIN_SESSIONS
        and (stats.bayes_rating or 0) >= RISING_MIN_RATING
    ):
        badges.append(RISING_MENTOR)
    if stats.rating_count == 0 and now - member_since < timedelta(days=NEW_MEMBER_DAYS):
        badges.append(NEW_MEMBER)
    return badges


def badge_tooltip(badge: str) -> str:
    return BADGE_CRITERIA.get(badge, "")


# --- stored stats -------------------------------------------------------------------------


def stats_view(row: TeacherStats) -> TeacherStatsView:
    return TeacherStatsView(
        rating_avg=row.rating_avg,
        rating_count=row.rating_count,
        trust_score=row.trust_score,
        sessions_taught=row.sessions_taught,
        bayes_rating=row.bayes_rating,
        last_upheld_report_at=row.last_upheld_report_at,
        breakdown=row.breakdown,
    )


def stats_for_many(db: Session, user_ids: Iterable[int]) -> dict[int, TeacherStatsView]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    rows = db.exec(select(TeacherStats).where(col(TeacherStats.user_id).in_(ids))).all()
    return {row.user_id: stats_view(row) for row in rows}


def stats_for(db: Session, user_id: int) -> TeacherStatsView:
    """The member's stored stats; NEW_STATS (None, 0, None) means "new"."""
    return stats_for_many(db, [user_id]).get(user_id, NEW_STATS)


def do_record_teacher_stats(
    db: Session,
    *,
    user_id: int,
    rating_avg: float | None,
    rating_count: int,
    trust_score: float | None,
    sessions_taught: int = 0,
    bayes_rating: float | None = None,
    last_upheld_report_at: datetime | None = None,
    breakdown: str = "",
) -> TeacherStatsView:
    """Store a member's stats and copy them onto their skills for the marketplace sorts.

    The one path that writes `teacher_stats` (recompute_teacher calls it); no person calls it.
    """
    row = db.get(TeacherStats, user_id) or TeacherStats(user_id=user_id)
    row.rating_avg, row.rating_count, row.trust_score = rating_avg, rating_count, trust_score
    row.sessions_taught, row.bayes_rating = sessions_taught, bayes_rating
    row.last_upheld_report_at, row.breakdown = last_upheld_report_at, breakdown[:300]
    row.updated_at = utcnow()
    db.add(row)
    db.exec(
        update(Skill)
        .where(col(Skill.user_id) == user_id)
        .values(
            sort_rating=rating_avg or 0.0,
            sort_rating_count=rating_count,
            sort_trust=trust_score or 0.0,
        )
    )
    db.flush()
    return stats_view(row)


# --- loading a teacher's events and recomputing ---------------------------------------------


@dataclass(frozen=True)
class ReportCounts:
    open: int = 0
    upheld: int = 0
    dismissed: int = 0
    events: tuple[ReportEvent, ...] = field(default=())


def reports_received(db: Session, user_id: int) -> ReportCounts:
    """Reports against the member (services/reports.py), by outcome, with their times.

    An "actioned" report (an admin acted on it: warning, suspension, removal...) is upheld,
    dated when it was decided; an open one is dated when it was filed.
    """
    rows = db.exec(
        select(Report.status, Report.created_at, Report.resolved_at).where(
            Report.subject_id == user_id
        )
    ).all()
    outcome = {
        ReportStatus.OPEN.value: REPORT_OPEN,
        ReportStatus.ACTIONED.value: REPORT_UPHELD,
        ReportStatus.DISMISSED.value: REPORT_DISMISSED,
    }
    events = tuple(
        ReportEvent(outcome[status], created if status == "open" else (resolved or created))
        for status, created, resolved in rows
        if status in outcome
    )
    return ReportCounts(
        open=sum(e.outcome == REPORT_OPEN for e in events),
        upheld=sum(e.outcome == REPORT_UPHELD for e in events),
        dismissed=sum(e.outcome == REPORT_DISMISSED for e in events),
        events=events,
    )


def inputs_for(db: Session, teacher_id: int, *, now: datetime) -> TrustInputs:
    """The teacher's events as the score reads them (published ratings only)."""
    ratings = db.exec(
        select(Rating.stars, Rating.created_at).where(
            Rating.ratee_id == teacher_id,
            Rating.rater_side == Side.LEARNER,
            col(Rating.visible_from) <= now,
            col(Rating.removed_at).is_(None),
        )
    ).all()
    s = SkillSession
    when = func.coalesce(s.ends_at, s.updated_at)
    completed = db.exec(
        select(when).where(s.teacher_id == teacher_id, s.state == SessionState.COMPLETED)
    ).all()
    teacher_fault = or_(
        and_(col(s.state) == SessionState.CANCELLED, col(s.cancelled_by) == teacher_id),
        and_(col(s.state) == SessionState.NO_SHOW, col(s.no_show_reported_by) == Side.LEARNER),
    )
    faults = db.exec(select(s.updated_at).where(s.teacher_id == teacher_id, teacher_fault)).all()
    return TrustInputs(
        ratings=tuple(RatingEvent(stars, at) for stars, at in ratings),
        completed=tuple(completed),
        teacher_cancellations=tuple(faults),
        reports=reports_received(db, teacher_id).events,
    )


def recompute_teacher(
    db: Session, teacher_id: int, *, now: datetime | None = None
) -> TeacherStatsView:
    """Recompute and store one teacher's stats from their events (same transaction)."""
    now = now or utcnow()
    inputs = inputs_for(db, teacher_id, now=now)
    n = len(inputs.ratings)
    last_upheld = max((r.at for r in inputs.reports if r.outcome == REPORT_UPHELD), default=None)
    if not (inputs.ratings or inputs.completed or inputs.teacher_cancellations):
        # No teaching history: no score ("new"); reports alone do not make one.
        if db.get(TeacherStats, teacher_id) is None and last_upheld is None:
            return NEW_STATS  # nothing happened: stay "new" without writing a row
        return do_record_teacher_stats(
            db,
            user_id=teacher_id,
            rating_avg=None,
            rating_count=0,
            trust_score=None,
            last_upheld_report_at=last_upheld,
        )
    result = trust_score(inputs, now=now)
    return do_record_teacher_stats(
        db,
        user_id=teacher_id,
        rating_avg=round(sum(r.stars for r in inputs.ratings) / n, 2) if n else None,
        rating_count=n,
        trust_score=result.score,
        sessions_taught=len(inputs.completed),
        bayes_rating=round(result.bayes_rating, 3),
        last_upheld_report_at=last_upheld,
        breakdown=result.breakdown,
    )


def score_details(db: Session, teacher_id: int, *, now: datetime | None = None) -> TrustScore:
    """The live score with its components (the teacher's own editor)."""
    now = now or utcnow()
    return trust_score(inputs_for(db, teacher_id, now=now), now=now)


def teachers_to_refresh(db: Session, *, after_id: int = 0, limit: int = 500) -> list[int]:
    """Members with stored stats, by id (the daily decay walks them in batches)."""
    return list(
        db.exec(
            select(TeacherStats.user_id)
            .where(TeacherStats.user_id > after_id)
            .order_by(col(TeacherStats.user_id))
            .limit(limit)
        ).all()
    )


def recompute_all(db: Session, teacher_ids: Sequence[int], *, now: datetime | None = None) -> int:
    """Apply the decay: recompute these teachers (the background loop, once a day)."""
    now = now or utcnow()
    for teacher_id in teacher_ids:
        recompute_teacher(db, teacher_id, now=now)
    return len(teacher_ids)


# --- reacting to session changes ------------------------------------------------------------

_SCORE_STATES = frozenset(
    {SessionState.COMPLETED.value, SessionState.CANCELLED.value, SessionState.NO_SHOW.value}
)


def _on_session_changed(db: Session, event: domain_events.SessionChanged) -> None:
    """A completion, cancellation or no-show changes the teacher's stats: recompute now."""
    if event.to_state in _SCORE_STATES:
        recompute_teacher(db, event.teacher_id, now=event.at)


domain_events.subscribe_in_transaction(domain_events.SessionChanged, _on_session_changed)

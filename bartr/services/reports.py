"""Reports: a member tells the admins about a member, review, message or course item.

What can be reported is a small registry (`TARGETS`: kind -> how to load it). A kind whose
feature is not built yet is simply not registered, and reports of it are refused as an
unknown target; the feature registers its loader (`register_target`) when it lands. A
loader returns None for things that do not exist or were deleted, so those are refused too.

The reporter sees the state of their own reports ("Received", "Action taken", "Closed")
and never the private outcome (which action, the admin's note).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from bartr.models.accounts import User, UserStatus
from bartr.models.base import utcnow
from bartr.models.safety import Report, ReportStatus
from bartr.services import trust
from bartr.services.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from bartr.services.validation import clean_text

REASONS: dict[str, str] = {
    "harassment": "Harassment or hate",
    "spam": "Spam or advertising",
    "scam": "Scam or asking for money",
    "inappropriate": "Inappropriate content",
    "safety": "Safety concern",
    "no_show": "Repeated no-shows or unreliability",
    "other": "Something else",
}
MAX_DETAILS = 2000
MAX_PER_DAY = 20  # reports one member can file in 24 hours

PUBLIC_STATUS: dict[str, str] = {
    ReportStatus.OPEN: "Received",
    ReportStatus.ACTIONED: "Action taken",
    ReportStatus.DISMISSED: "Closed",
}


@dataclass(frozen=True)
class Target:
    """What was reported, as far as reporting needs to know."""

    kind: str
    id: int
    subject_id: int  # the member responsible for it
    label: str  # "Maya Lopez", "Message from Maya Lopez": never the private content


@dataclass(frozen=True)
class TargetKind:
    kind: str
    noun: str  # "member", "message": for refusals and the admin queue
    load: Callable[[Session, int], Target | None]
    # Soft removal and restoring, for content kinds (messages, reviews, course items):
    # `remove(db, id)` hides it; `restore(db, id)` shows it again and returns its author's id.
    remove: Callable[[Session, int], None] | None = None
    restore: Callable[[Session, int], int | None] | None = None
    # What an admin sees around it: (when, who, text, is_the_reported_one) lines, e.g. the
    # reported message with the ones before and after it.
    context: Callable[[Session, int], list[tuple[datetime, str, str, bool]]] | None = None
    # Whether a member may see (so report) it: a message only its conversation's pair.
    # Not seeing it reads as not existing, so a guessed id learns nothing.
    visible_to: Callable[[Session, int, int], bool] | None = None


TARGETS: dict[str, TargetKind] = {}


def register_target(
    kind: str,
    *,
    noun: str,
    load: Callable[[Session, int], Target | None],
    remove: Callable[[Session, int], None] | None = None,
    restore: Callable[[Session, int], int | None] | None = None,
    context: Callable[[Session, int], list[tuple[datetime, str, str, bool]]] | None = None,
    visible_to: Callable[[Session, int, int], bool] | None = None,
) -> None:
    """Make `kind` reportable (called at import time by the feature that owns it)."""
    TARGETS[kind] = TargetKind(
        kind=kind,
        noun=noun,
        load=load,
        remove=remove,
        restore=restore,
        context=context,
        visible_to=visible_to,
    )


def _load_member(db: Session, target_id: int) -> Target | None:
    user = db.get(User, target_id)
    if user is None or user.status == UserStatus.DELETED:
        return None
    return Target(kind="member", id=target_id, subject_id=target_id, label=user.display_name)


register_target("member", noun="member", load=_load_member)


def load_target(
    db: Session, kind: str, target_id: object, *, viewer_id: int | None = None
) -> Target:
    """The target, or a refusal that says what is wrong with it. With `viewer_id`, one
    that member cannot see is refused as if it did not exist."""
    entry = TARGETS.get(str(kind)[:20]) if isinstance(kind, str) else None
    if entry is None:
        raise NotFound("Unknown report target: this can't be reported.")
    if not isinstance(target_id, int) or isinstance(target_id, bool) or target_id <= 0:
        raise NotFound(f"No such {entry.noun}.")
    target = entry.load(db, target_id)
    hidden = (
        target is not None
        and viewer_id is not None
        and entry.visible_to is not None
        and not entry.visible_to(db, target_id, viewer_id)
    )
    if target is None or hidden:
        raise NotFound(f"This {entry.noun} doesn't exist or was removed.")
    return target


def do_report(
    db: Session,
    *,
    actor: User,
    kind: str,
    target_id: int,
    reason: str,
    details: str = "",
    now: datetime | None = None,
) -> Report:
    now = now or utcnow()
    if actor.status != UserStatus.ACTIVE:
        raise NotAllowed("This account can't send reports right now.")
    target = load_target(db, kind, target_id, viewer_id=actor.id or 0)
    if target.subject_id == actor.id:
        raise NotAllowed("You can't report yourself or your own content.")
    if reason not in REASONS:
        raise ValidationFailed("Choose a reason from the list.", field="reason")
    text = clean_text(
        details,
        field="details",
        label="Details",
        max_length=MAX_DETAILS,
        required=False,
        multiline=True,
    )
    duplicate = db.exec(
        select(Report.id).where(
            Report.reporter_id == actor.id,
            Report.target_kind == target.kind,
            Report.target_id == target.id,
            Report.status == ReportStatus.OPEN,
        )
    ).first()
    if duplicate is not None:
        raise Conflict("You have already reported this; an admin will look at it.")
    recent = db.exec(
        select(func.count())
        .select_from(Report)
        .where(Report.reporter_id == actor.id, col(Report.created_at) > now - timedelta(days=1))
    ).one()
    if int(recent or 0) >= MAX_PER_DAY:
        raise NotAllowed("You have sent many reports today; please try again tomorrow.")
    report = Report(
        reporter_id=actor.id or 0,
        target_kind=target.kind,
        target_id=target.id,
        subject_id=target.subject_id,
        reason=reason,
        details=text,
        created_at=now,
    )
    db.add(report)
    db.flush()
    trust.recompute_teacher(db, target.subject_id, now=now)  # an open report counts a little
    return report


@dataclass(frozen=True)
class MyReport:
    id: int
    created_at: datetime
    what: str  # "Member: Maya Lopez"
    reason: str
    status: str  # the public status only


def my_reports(db: Session, *, actor: User, limit: int = 50) -> list[MyReport]:
    """The reporter's own reports with their public state, newest first."""
    rows = db.exec(
        select(Report, User)
        .join(User, col(User.id) == Report.subject_id)
        .where(Report.reporter_id == actor.id)
        .order_by(col(Report.id).desc())
        .limit(max(1, min(limit, 100)))
    ).all()
    return [
        MyReport(
            id=r.id or 0,
            created_at=r.created_at,
            what=_what(r.target_kind, subject),
            reason=REASONS.get(r.reason, r.reason),
            status=PUBLIC_STATUS.get(r.status, "Received"),
        )
        for r, subject in rows
    ]


def _what(kind: str, subject: User) -> str:
    name = "Former member" if subject.status == UserStatus.DELETED else subject.display_name
    noun = TARGETS[kind].noun if kind in TARGETS else kind.replace("_", " ")
    return name if kind == "member" else f"A {noun} by {name}"


# The features that own the other kinds register them when imported; importing them here
# makes the registry complete whichever module is imported first.
from bartr.services import content_reports, ratings  # noqa: E402, F401

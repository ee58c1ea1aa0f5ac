"""The cancellation, refund, expiry and completion policy: data plus pure functions.

Nothing here touches the database; the session transitions ask these functions how many
minor units go to the teacher (the rest always goes back to the learner) and when a
request lapses. `policy_text()` is what both people read before they agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bartr.models.sessions import DisputeResolution, Side
from bartr.services.credits import format_credits


@dataclass(frozen=True)
class SessionPolicy:
    # A learner cancelling at least this long before the start gets everything back.
    free_cancel_hours: int = 24
    # Share of the cost paid to the teacher when the learner cancels later than that.
    late_cancel_teacher_percent: int = 50
    # Moving an agreed time needs this much notice (either side).
    reschedule_notice_hours: int = 24
    # An unanswered request lapses this long after the last proposal...
    request_ttl_hours: int = 72
    # ...or at the earliest proposed start, whichever comes first.
    # A scheduled session nobody disputed is completed this long after its end.
    auto_complete_hours: int = 24
    # A no-show can be reported from the start until this long after the end.
    no_show_report_hours: int = 24
    # The reported side has this long after a no-show report to dispute it.
    no_show_dispute_hours: int = 24
    # Share paid to the teacher when an admin splits a disputed session.
    dispute_split_teacher_percent: int = 50


POLICY = SessionPolicy()


@dataclass(frozen=True)
class Settlement:
    """How a session's escrow is emptied."""

    to_teacher: int
    to_learner: int

    @property
    def is_full_refund(self) -> bool:
        return self.to_teacher == 0


def _share(cost: int, percent: int) -> int:
    # Costs are whole minutes of 30/60/90/120, so 50 % is exact; floor otherwise.
    return cost * percent // 100


def _settlement(cost: int, to_teacher: int) -> Settlement:
    return Settlement(to_teacher=to_teacher, to_learner=cost - to_teacher)


def cancellation_settlement(
    *,
    cost: int,
    cancelled_by: Side,
    starts_at: datetime | None,
    now: datetime,
    scheduled: bool = True,
    policy: SessionPolicy = POLICY,
) -> Settlement:
    """Who gets what when a participant cancels.

    The teacher cancelling, or anyone cancelling while no time is agreed (`scheduled`
    False: a reschedule is being negotiated), refunds the learner in full. The learner
    cancelling an agreed time gets everything back with enough notice, else the
    teacher keeps `late_cancel_teacher_percent`.
    """
    if cancelled_by == Side.TEACHER or not scheduled or starts_at is None:
        return _settlement(cost, 0)
    if starts_at - now >= timedelta(hours=policy.free_cancel_hours):
        return _settlement(cost, 0)
    return _settlement(cost, _share(cost, policy.late_cancel_teacher_percent))


def no_show_settlement(*, cost: int, absent: Side) -> Settlement:
    """The teacher did not come: full refund. The learner did not come: teacher paid."""
    return _settlement(cost, 0 if absent == Side.TEACHER else cost)


def completion_settlement(*, cost: int) -> Settlement:
    return _settlement(cost, cost)


def dispute_settlement(
    *, cost: int, resolution: DisputeResolution, policy: SessionPolicy = POLICY
) -> Settlement:
    if resolution == DisputeResolution.TEACHER:
        return _settlement(cost, cost)
    if resolution == DisputeResolution.LEARNER:
        return _settlement(cost, 0)
    return _settlement(cost, _share(cost, policy.dispute_split_teacher_percent))


def can_reschedule(*, starts_at: datetime, now: datetime, policy: SessionPolicy = POLICY) -> bool:
    return starts_at - now >= timedelta(hours=policy.reschedule_notice_hours)


def request_expires_at(
    *, proposed_at: datetime, start_times: Iterable[datetime], policy: SessionPolicy = POLICY
) -> datetime:
    """An open request lapses at its earliest proposed start or after the TTL."""
    return min([proposed_at + timedelta(hours=policy.request_ttl_hours), *start_times])


def auto_complete_at(*, ends_at: datetime, policy: SessionPolicy = POLICY) -> datetime:
    return ends_at + timedelta(hours=policy.auto_complete_hours)


def no_show_report_until(*, ends_at: datetime, policy: SessionPolicy = POLICY) -> datetime:
    return ends_at + timedelta(hours=policy.no_show_report_hours)


def no_show_final_at(*, reported_at: datetime, policy: SessionPolicy = POLICY) -> datetime:
    return reported_at + timedelta(hours=policy.no_show_dispute_hours)


def _hours(n: int) -> str:
    return f"{n} hour" if n == 1 else f"{n} hours"


def video_call_text(min_attendance_percent: int) -> str:
    """What a video call decides, in members' words (shown while video calls are on)."""
    share = "half" if min_attendance_percent == 50 else f"{min_attendance_percent}%"
    return (
        "When you meet by BARTR's video call, the call is the evidence: if you both stay "
        f"for at least {share} of the booked time, the session completes and the teacher is "
        "paid. If only the learner comes, it closes as the teacher's no-show and the "
        "learner gets everything back; if only the teacher comes, the teacher's no-show "
        "report is filed with the call's attendance and the learner can still dispute it. "
        "If neither of you joins, nothing happens automatically."
    )


def policy_text(
    policy: SessionPolicy = POLICY,
    *,
    cost: int | None = None,
    video_attendance_percent: int | None = None,
) -> list[str]:
    """The policy in plain words, shown to both people before they agree.

    With `cost`, the late-cancellation line names the actual amount; with
    `video_attendance_percent` (video calls are on), a line says what a call decides.
    """
    late = f"{policy.late_cancel_teacher_percent}%"
    if cost is not None:
        late = f"{format_credits(_share(cost, policy.late_cancel_teacher_percent))} credits"
    free = _hours(policy.free_cancel_hours)
    return [
        (
            "Your credits are held when you send a request and only reach the teacher "
            "once the session has happened."
        ),
        (
            "If the teacher declines, cancels, or the request is not answered in time, "
            "every held credit goes back to the learner."
        ),
        (
            f"Learners can cancel for free up to {free} before the start. "
            f"Cancelling later pays the teacher {late} and returns the rest."
        ),
        (
            f"Moving an agreed time needs at least {_hours(policy.reschedule_notice_hours)} "
            "notice, for teachers and learners alike. Until a new time is agreed, "
            "either of you can cancel with a full refund."
        ),
        (
            f"A request that is not answered lapses at its earliest proposed time or "
            f"{_hours(policy.request_ttl_hours)} after it was sent, whichever comes first."
        ),
        (
            "If the teacher does not show up, the learner gets everything back; if the "
            "learner does not show up, the teacher is paid in full. Report a no-show "
            f"within {_hours(policy.no_show_report_hours)} after the session's end; the other "
            f"side has {_hours(policy.no_show_dispute_hours)} to dispute the report."
        ),
        *([video_call_text(video_attendance_percent)] if video_attendance_percent else []),
        (
            f"{_hours(policy.auto_complete_hours).capitalize()} after the end, a session "
            "nobody disputed is completed and the teacher is paid."
        ),
        (
            "If something went wrong, the learner can open a dispute before then: the "
            "credits stay held until an admin decides."
        ),
    ]

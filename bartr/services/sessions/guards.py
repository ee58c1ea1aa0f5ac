"""The conditions on rows of `rules.TRANSITIONS` besides stage and person: the clock.

Each guard takes the session and `now` and raises `InvalidTransition` with a message fit to
show the person; the table names them, `rules.check_transition` runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bartr.models.sessions import SkillSession
from bartr.services.errors import InvalidTransition
from bartr.services.sessions import policy
from bartr.services.sessions.times import hours_phrase

Guard = Callable[[SkillSession, datetime], None]


def not_started(what: str) -> Guard:
    def guard(session: SkillSession, now: datetime) -> None:
        if session.starts_at is not None and now >= session.starts_at:
            raise InvalidTransition(started_message(what))

    return guard


def started_message(what: str) -> str:
    return (
        f"This session has already started, so it can no longer be {what}. "
        "Report a no-show or open a dispute instead."
    )


def reschedule_notice(session: SkillSession, now: datetime) -> None:
    assert session.starts_at is not None
    if not policy.can_reschedule(starts_at=session.starts_at, now=now):
        raise InvalidTransition(
            f"Moving a session needs at least {policy.POLICY.reschedule_notice_hours} "
            f"hours notice; this one starts in {hours_phrase(session.starts_at - now)}. "
            "You can still cancel it."
        )


def ended_to_mark(session: SkillSession, now: datetime) -> None:
    assert session.ends_at is not None
    if now < session.ends_at:
        raise InvalidTransition("You can mark the session as taught once it has ended.")


def ended_to_dispute(session: SkillSession, now: datetime) -> None:
    assert session.ends_at is not None
    if now < session.ends_at:
        raise InvalidTransition("You can open a dispute once the session has ended.")


def before_auto_complete(session: SkillSession, now: datetime) -> None:
    assert session.ends_at is not None
    if now >= policy.auto_complete_at(ends_at=session.ends_at):
        raise InvalidTransition("The time to dispute this session has passed.")


def no_show_window(session: SkillSession, now: datetime) -> None:
    assert session.starts_at is not None and session.ends_at is not None
    if now < session.starts_at:
        raise InvalidTransition("You can report a no-show once the session has started.")
    if now >= policy.no_show_report_until(ends_at=session.ends_at):
        raise InvalidTransition(
            f"No-shows must be reported within {policy.POLICY.no_show_report_hours} hours "
            "after the session's end."
        )


def before_no_show_final(session: SkillSession, now: datetime) -> None:
    assert session.no_show_reported_at is not None
    if now >= policy.no_show_final_at(reported_at=session.no_show_reported_at):
        raise InvalidTransition("The time to dispute this no-show report has passed.")


def expiry_due(session: SkillSession, now: datetime) -> None:
    if session.expires_at is None or session.expires_at > now:
        raise InvalidTransition("This request is not due to expire yet.")


def auto_complete_due(session: SkillSession, now: datetime) -> None:
    assert session.ends_at is not None
    if now < policy.auto_complete_at(ends_at=session.ends_at):
        raise InvalidTransition("This session is not due to complete yet.")


def no_show_final(session: SkillSession, now: datetime) -> None:
    assert session.no_show_reported_at is not None
    if now < policy.no_show_final_at(reported_at=session.no_show_reported_at):
        raise InvalidTransition("The other person can still dispute this no-show report.")


def call_started(session: SkillSession, now: datetime) -> None:
    assert session.starts_at is not None
    if now < session.starts_at:
        raise InvalidTransition("A call before the start does not complete the session.")


def call_over(session: SkillSession, now: datetime) -> None:
    assert session.ends_at is not None
    if now < session.ends_at:
        raise InvalidTransition("Absence from the call counts only once the session has ended.")

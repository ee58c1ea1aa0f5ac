"""One session (/sessions/[session_id]): what it is, what happened, what I can do now.

The page shows only the actions `sessions.session_detail` allows; each handler still calls
its `do_*` service, which checks the person and the state again (any handler can be fired
over the socket). After every action the detail is read afresh.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from bartr import routes
from bartr.db import read_session
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.services import courses, sessions
from bartr.services.errors import DomainError
from bartr.services.sessions import SessionDetail
from bartr.services.sessions.policy import POLICY
from bartr.state.auth import GENERIC_ERROR, AuthState, log
from bartr.state.course_cards import CourseCardVM, card_vm
from bartr.state.session_actions import SessionActions
from bartr.state.wording import credits_phrase, relative_label, when_label, zone_note


@dataclasses.dataclass
class ProposalOption:
    iso: str = ""
    label: str = ""  # "Tue 14 Jan, 14:00–15:00"
    relative: str = ""


@dataclasses.dataclass
class TimelineEntry:
    label: str = ""
    actor: str = ""
    when: str = ""
    relative: str = ""
    note: str = ""
    to_state: str = ""
    to_label: str = ""


def _proposal(p: sessions.ProposalView, tz: str, now: datetime) -> ProposalOption:
    return ProposalOption(
        iso=p.starts_at.isoformat(),
        label=f"{when_label(p.starts_at, tz, now=now)}–{p.ends_at.astimezone(p.starts_at_local.tzinfo):%H:%M}",
        relative=relative_label(p.starts_at, now),
    )


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _money(data: dict[str, Any]) -> str:
    to_teacher, to_learner = data.get("to_teacher"), data.get("to_learner")
    if not isinstance(to_teacher, int) or not isinstance(to_learner, int):
        return ""
    if data.get("pending"):
        return "Credits are being returned to the learner."
    if to_teacher == 0:
        return f"{credits_phrase(to_learner)} returned to the learner."
    if to_learner == 0:
        return f"{credits_phrase(to_teacher)} paid to the teacher."
    return (
        f"{credits_phrase(to_teacher)} paid to the teacher, "
        f"{credits_phrase(to_learner)} returned to the learner."
    )


def _call_evidence(attendance: dict[str, Any]) -> str:
    """'In the video call: teacher 55 min, learner never joined.' (the timeline's evidence)"""
    parts = []
    for side in ("teacher", "learner"):
        visit = attendance.get(side)
        seconds = visit.get("seconds") if isinstance(visit, dict) else None
        parts.append(
            f"{side} {int(seconds) // 60} min"
            if isinstance(seconds, int)
            else f"{side} never joined"
        )
    return "In the video call: " + ", ".join(parts) + "."


def event_note(action: str, data: dict[str, Any] | None, note: str, tz: str, now: datetime) -> str:
    """A timeline line in the viewer's words and zone, from the event's structured data.

    Rows written before events carried data (`data` None) keep their stored note as it is
    (its times are named in UTC, so it stays correct, only less local).
    """
    if data is None:
        return note
    times = [t for t in (_instant(v) for v in data.get("times") or []) if t is not None]
    parts: list[str] = []
    if action == "request" and times:
        held = data.get("held")
        count = f"{len(times)} time{'s' if len(times) > 1 else ''} proposed"
        parts.append(
            f"{count}; {credits_phrase(held)} held." if isinstance(held, int) else f"{count}."
        )
    if (agreed := _instant(data.get("starts_at"))) is not None:
        parts.append(f"Agreed on {when_label(agreed, tz, now=now)}.")
    if (previous := _instant(data.get("instead_of"))) is not None:
        parts.append(f"Instead of {when_label(previous, tz, now=now)}.")
    if action == "propose_reschedule" and times:
        parts.append("Proposed " + ", ".join(when_label(t, tz, now=now) for t in times) + ".")
    if data.get("absent") in ("teacher", "learner"):
        parts.append(f"The {data['absent']} did not show up.")
    if isinstance(data.get("attendance"), dict):
        parts.append(_call_evidence(data["attendance"]))
    parts += [note, _money(data)]
    return " ".join(p for p in parts if p)


def _entry(e: sessions.EventView, tz: str, now: datetime) -> TimelineEntry:
    return TimelineEntry(
        label=e.action_label,
        actor=e.actor_name,
        when=when_label(e.at, tz, now=now),
        relative=relative_label(e.at, now),
        note=event_note(e.action, e.data, e.note, tz, now),
        to_state=e.to_state,
        to_label=sessions.STATE_LABELS.get(e.to_state, e.to_state),  # type: ignore[call-overload]
    )


def headline(d: SessionDetail, now: datetime) -> str:
    """One sentence saying where the session stands, from the viewer's side."""
    me = d.viewer_side
    other = d.learner if me == "teacher" else d.teacher
    expires = relative_label(d.expires_at, now) if d.expires_at else ""
    if d.state in ("requested", "reschedule_proposed"):
        if me is not None and me != d.proposed_by:
            within = expires.replace("in ", "within ")
            if d.state == "requested":
                return (
                    f"{other.display_name} asked for a session. Please answer {within}: "
                    "accept one of the times, propose others, or decline."
                )
            return f"{other.display_name} proposed new times. Please choose one {within}, or propose others."
        return (
            f"Waiting for {other.display_name} to choose a time. Unanswered, the request "
            f"lapses {expires} and the credits go back to {'you' if me == 'learner' else 'the learner'}."
        )
    if d.state == "scheduled":
        if d.no_show_reported_by is not None:
            return f"The {d.no_show_reported_by.value} reported a no-show. The other side has {POLICY.no_show_dispute_hours} hours to dispute it."
        if d.starts_at and now < d.starts_at:
            return f"Scheduled. It starts {relative_label(d.starts_at, now)}."
        if d.ends_at and now < d.ends_at:
            return "Happening now."
        if d.teacher_marked_complete_at is None:
            if me == "teacher":
                return f"The session has ended. Mark it as taught so {d.learner.display_name} can confirm."
            return f"The session has ended. {d.teacher.display_name} marks it as taught, then you confirm."
        if me == "learner":
            return f"{d.teacher.display_name} marked this session as taught. Confirm it happened, or open a dispute if something went wrong."
        return f"Waiting for {d.learner.display_name} to confirm. Without a dispute it completes {POLICY.auto_complete_hours} hours after the end."
    return {
        "completed": (
            f"Completed. You earned {credits_phrase(d.cost)}."
            if me == "teacher"
            else f"Completed. {credits_phrase(d.cost)} went to {d.teacher.display_name}."
        ),
        "cancelled": "Cancelled." + (f" {d.cancel_reason}" if d.cancel_reason else ""),
        "declined": f"Declined by {d.teacher.display_name}."
        + (f" “{d.cancel_reason}”" if d.cancel_reason else ""),
        "expired": "This request lapsed unanswered; the credits went back to "
        + ("you." if me == "learner" else "the learner."),
        "disputed": "In dispute. The credits stay held until an admin decides.",
        "no_show": "Closed as a no-show.",
    }.get(d.state, d.state_label)


def cancel_preview(db: Session, user: User, session_id: int) -> str:
    """What cancelling now would do, in plain words (shown in the confirm dialog)."""
    row = sessions.get_session(db, session_id)
    money = sessions.cancellation_preview(row, actor=user)
    learner = "you" if user.id == row.learner_id else "the learner"
    if money.to_teacher == 0:
        return f"Cancelling now returns all {credits_phrase(money.to_learner)} to {learner}."
    return (
        f"It starts in under {POLICY.free_cancel_hours} hours, so cancelling now pays the "
        f"teacher {credits_phrase(money.to_teacher)} and returns "
        f"{credits_phrase(money.to_learner)} to {learner}."
    )


class SessionDetailState(SessionActions, AuthState):
    """Reading the session; the actions and dialogs are in `SessionActions`."""

    loading: bool = True
    load_error: str = ""

    skill_title: str = ""
    state: str = ""
    state_label: str = ""
    my_side: str = ""
    teacher_name: str = ""
    teacher_href: str = ""
    learner_name: str = ""
    learner_href: str = ""
    other_name: str = ""
    when: str = ""
    when_relative: str = ""
    zone_label: str = ""
    duration_label: str = ""
    cost_label: str = ""
    held_label: str = ""
    message: str = ""
    headline: str = ""
    proposals: list[ProposalOption] = []
    actions: list[str] = []
    policy: list[str] = []
    events: list[TimelineEntry] = []
    ics_href: str = ""
    cancel_note: str = ""
    no_show_reported: bool = False
    # The course of this session's skill, when its teacher made one (list of 0 or 1).
    session_course: list[CourseCardVM] = []
    is_session_teacher: bool = False

    # --- reading -------------------------------------------------------------------
    @rx.event
    async def load(self) -> AsyncIterator[Any]:
        self.loading, self.load_error, self.action_error = True, "", ""
        self.dialog, self.busy = "", False
        yield
        raw = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        self._sid = int(raw) if raw.isdigit() and len(raw) < 12 else 0
        # In a thread: the queries must not hold up every other member on this worker.
        await asyncio.to_thread(self._fetch)

    def _fetch(self) -> None:
        now = utcnow()
        try:
            with read_session() as db:
                user = self._require_user(db)
                d = sessions.session_detail(db, actor=user, session_id=self._sid, now=now)
                self.cancel_note = (
                    cancel_preview(db, user, self._sid) if "cancel" in d.allowed_actions else ""
                )
                self._refresh_balance(db, user)
                card = courses.card_for_session(db, viewer=user, session_id=self._sid)
        except DomainError as exc:
            self.load_error, self.loading = exc.message, False
            return
        except Exception:
            log.exception("session detail")
            self.load_error, self.loading = GENERIC_ERROR, False
            return
        self._show(d, now)
        self.session_course = [card_vm(card)] if card else []
        self.is_session_teacher = self.my_side == "teacher"
        self.loading = False

    def _show(self, d: SessionDetail, now: datetime) -> None:
        tz = d.viewer_timezone
        self._teacher_id, self._duration = d.teacher.id, d.duration_minutes
        self._learner_id = d.learner.id
        self.skill_title, self.state, self.state_label = d.skill_title, d.state, d.state_label
        self.my_side = d.viewer_side.value if d.viewer_side else ""
        self.teacher_name, self.teacher_href = (
            d.teacher.display_name,
            routes.profile(d.teacher.handle),
        )
        self.learner_name, self.learner_href = (
            d.learner.display_name,
            routes.profile(d.learner.handle),
        )
        self.other_name = (
            d.learner.display_name if self.my_side == "teacher" else d.teacher.display_name
        )
        if d.starts_at and d.ends_at:
            self.when = f"{when_label(d.starts_at, tz, now=now)}–{d.ends_at_local:%H:%M}"
            self.when_relative = relative_label(d.starts_at, now)
        else:
            self.when, self.when_relative = "", ""
        self.zone_label = zone_note(tz)
        self.duration_label = f"{d.duration_minutes} minutes"
        self.cost_label = credits_phrase(d.cost)
        self.held_label = credits_phrase(d.held) if d.held else ""
        self.message, self.headline = d.message, headline(d, now)
        self.proposals = [_proposal(p, tz, now) for p in d.open_proposals]
        self.actions = [a for a in d.allowed_actions if a != "resolve_dispute"]
        self.policy = d.policy_text
        self.events = [_entry(e, tz, now) for e in reversed(d.events)]
        self.ics_href = routes.session_ics(d.id) if d.state == "scheduled" else ""
        self.no_show_reported = d.no_show_reported_by is not None

"""Two members book, move, hold and settle a session through the browser.

The teacher (a teach skill, weekly availability) and the learner (welcome credits plus a
grant) are set up through the services on the e2e database; everything after that is done
in two browser contexts, one per person:

learner requests (picks a free slot) -> teacher proposes other times -> learner accepts ->
[the clock jumps: see `journeys.move_session`] -> teacher marks it taught ->
learner confirms -> the learner paid the cost, the teacher earned it, and both see the
whole history on the session page.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from bartr.models.base import utcnow
from bartr.models.ledger import TransactionKind
from bartr.services import accounts, availability, ledger, profiles, sessions
from bartr.services.credits import credits, format_credits
from tests.e2e.journeys import PASSWORD, log_in, move_session

EVERY_DAY = [(day, "06:00", "23:00") for day in range(7)]


def _member(db: Session, name: str, timezone: str) -> tuple[int, str]:
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
    user = accounts.do_sign_up(db, email=email, password=PASSWORD, display_name=name)
    accounts.do_complete_onboarding(
        db, actor=user, bio="Hello", languages=["English"], timezone=timezone
    )
    return user.id or 0, email


def _teacher_with_skill(db: Session) -> tuple[int, str, int]:
    teacher_id, email = _member(db, "Tessa Teacher", "Europe/Berlin")
    teacher = accounts.get_user(db, teacher_id)
    availability.do_set_availability(db, actor=teacher, windows=EVERY_DAY)
    skill = profiles.do_add_skill(
        db,
        actor=teacher,
        kind="teach",
        category_slug="languages",
        title="German conversation",
        level="intermediate",
    )
    return teacher_id, email, skill.id


def _balance(db_engine: Engine, user_id: int) -> int:
    with Session(db_engine) as db:
        return ledger.available_balance(db, user_id)


def _header_balance(page: Page) -> str:
    badge = page.get_by_label("Wallet balance")
    expect(badge).to_be_visible()
    return badge.inner_text()


def test_request_reschedule_accept_complete_confirm(
    page: Page, new_page, db_engine: Engine
) -> None:
    with Session(db_engine) as db:
        teacher_id, teacher_email, skill_id = _teacher_with_skill(db)
        learner_id, learner_email = _member(db, "Leo Learner", "America/New_York")
        ledger.grant(
            db,
            user_id=learner_id,
            amount=credits(3),
            system="e2e-funding",
            kind=TransactionKind.ADJUSTMENT,
            key=f"e2e-fund:{learner_id}",
        )
        db.commit()
    learner_start = _balance(db_engine, learner_id)
    teacher_start = _balance(db_engine, teacher_id)

    # --- the learner requests a session: 60 minutes, the first free slot ---------------
    learner = page
    log_in(learner, email=learner_email)
    learner.goto(f"/sessions/new?skill={skill_id}")
    expect(learner.get_by_text("German conversation").first).to_be_visible()
    expect(learner.get_by_text("your time, America/New_York").first).to_be_visible()
    expect(learner.get_by_text("returned if declined or expired")).to_be_visible()
    learner.get_by_role("button", name="Cancellation policy").click()
    expect(learner.get_by_role("dialog")).to_contain_text("cancel for free")
    learner.get_by_role("button", name="Got it").click()
    first_slot = learner.locator(".slot-time").first
    picked_label = first_slot.get_attribute("aria-label") or ""
    first_slot.click()
    expect(learner.locator("#send-request")).to_be_enabled()
    learner.fill("#message", "Hallo! I'd like to practise small talk.")
    learner.locator("#send-request").click()
    expect(learner).to_have_url(re.compile(r"/sessions/\d+/?$"))
    session_id = int(re.search(r"/sessions/(\d+)", learner.url).group(1))  # type: ignore[union-attr]
    expect(learner.get_by_text("Request sent to Tessa Teacher")).to_be_visible()
    expect(learner.locator("#session-headline")).to_contain_text("Waiting for Tessa Teacher")
    expect(learner.locator(".proposal")).to_contain_text(picked_label)
    assert _balance(db_engine, learner_id) == learner_start - credits(1)

    # --- the teacher finds it under "To answer" and proposes other times ---------------
    teacher = new_page()
    log_in(teacher, email=teacher_email)
    teacher.goto("/sessions")
    expect(teacher.locator("#tab-to_answer")).to_contain_text("1")
    row = teacher.locator(".session-row").filter(has_text="German conversation")
    expect(row).to_contain_text("Leo Learner")
    row.get_by_role("link", name="Answer request").click()
    expect(teacher).to_have_url(re.compile(rf"/sessions/{session_id}/?$"))
    expect(teacher.get_by_text("I'd like to practise small talk.")).to_be_visible()
    teacher.locator("#action-propose_reschedule").click()
    dialog = teacher.get_by_role("dialog")
    expect(dialog).to_contain_text("Propose new times")
    dialog.locator(".slot-day").nth(1).click()  # the next day with free times
    dialog.locator(".slot-time").first.click()
    dialog.locator(".slot-time").nth(2).click()
    dialog.locator("#dialog-note").fill("Could we do one of these instead?")
    dialog.locator("#send-times").click()
    expect(teacher.get_by_text("New times sent to Leo Learner")).to_be_visible()
    expect(teacher.locator(".status-chip").first).to_contain_text("New time proposed")
    expect(teacher.locator("#session-headline")).to_contain_text("Waiting for Leo Learner")

    # --- the learner accepts one of the new times ---------------------------------------
    learner.reload()
    expect(learner.locator("#session-headline")).to_contain_text("proposed new times")
    expect(learner.locator(".accept-time")).to_have_count(2)
    learner.locator(".accept-time").first.click()
    expect(learner.get_by_text("Session scheduled")).to_be_visible()
    expect(learner.locator(".status-chip").first).to_contain_text("Scheduled")
    expect(learner.locator("#session-when")).to_be_visible()
    expect(learner.get_by_text("your time, America/New_York").first).to_be_visible()
    ics = learner.locator("a#ics-download")
    expect(ics).to_have_attribute("href", f"/api/calendar/session/{session_id}.ics")
    assert learner.request.get(f"/api/calendar/session/{session_id}.ics").ok

    # --- time passes: the session is over ------------------------------------------------
    move_session(
        db_engine, session_id, starts_at=utcnow() - timedelta(minutes=65)
    )  # ended 5 min ago

    # --- the teacher marks it taught ------------------------------------------------------
    teacher.reload()
    expect(teacher.locator("#session-headline")).to_contain_text("Mark it as taught")
    teacher.locator("#action-mark_complete").click()
    expect(teacher.get_by_text("Marked as taught.")).to_be_visible()
    expect(teacher.locator("#session-headline")).to_contain_text("Waiting for Leo Learner")
    expect(teacher.locator("#action-mark_complete")).to_have_count(0)

    # --- the learner confirms --------------------------------------------------------------
    learner.reload()
    expect(learner.locator("#session-headline")).to_contain_text("marked this session as taught")
    learner.locator("#action-confirm_complete").click()
    expect(learner.get_by_text("Confirmed.")).to_be_visible()
    expect(learner.locator(".status-chip").first).to_contain_text("Completed")
    expect(learner.locator("#action-confirm_complete")).to_have_count(0)

    # --- the credits moved once, and both see the whole story ---------------------------
    assert _balance(db_engine, learner_id) == learner_start - credits(1)
    assert _balance(db_engine, teacher_id) == teacher_start + credits(1)
    learner.reload()
    assert _header_balance(learner).startswith(format_credits(learner_start - credits(1)))
    teacher.reload()
    assert _header_balance(teacher).startswith(format_credits(teacher_start + credits(1)))
    steps = [
        "Requested",
        "Proposed new times",
        "Accepted",
        "Marked as taught",
        "Confirmed it happened",
    ]
    for person in (learner, teacher):
        history = person.locator("#session-history")
        for step in steps:
            expect(history).to_contain_text(step)
        expect(person.locator(".timeline-entry")).to_have_count(len(steps))

    # History tab lists it as completed for both.
    for person in (learner, teacher):
        person.goto("/sessions?tab=history")
        expect(
            person.locator(".session-row").filter(has_text="German conversation")
        ).to_contain_text("Completed")


def test_request_refused_clearly_when_credits_are_short(page: Page, db_engine: Engine) -> None:
    with Session(db_engine) as db:
        _teacher_id, _email, skill_id = _teacher_with_skill(db)
        learner_id, learner_email = _member(db, "Pia Poor", "Europe/Paris")
        learner = accounts.get_user(db, learner_id)
        # Spend most of the welcome credits on another request: 0.5 credits are left.
        other = _teacher_with_skill(db)
        start = availability.next_free_slots(
            db, user_id=other[0], after=utcnow() + timedelta(days=2), duration_minutes=90, limit=1
        )
        sessions.do_request_session(
            db,
            actor=learner,
            skill_id=other[2],
            duration_minutes=90,
            start_times=start,
        )
        db.commit()
        left = ledger.available_balance(db, learner_id)
    assert left < credits(1)

    log_in(page, email=learner_email)
    page.goto(f"/sessions/new?skill={skill_id}")
    expect(page.locator("#insufficient")).to_contain_text("you have")
    page.locator(".slot-time").first.click()
    expect(page.locator("#send-request")).to_be_disabled()
    # A 30-minute session fits what is left.
    page.get_by_role("radio", name="30 min").click()
    expect(page.locator("#insufficient")).to_have_count(0)
    # The picked time is still free for 30 minutes, so it stays picked.
    expect(page.locator(".slot-time[aria-pressed=true]")).to_have_count(1)
    expect(page.locator("#send-request")).to_be_enabled()


def test_stranger_cannot_open_someone_elses_session(page: Page, db_engine: Engine) -> None:
    with Session(db_engine) as db:
        teacher_id, _email, skill_id = _teacher_with_skill(db)
        learner_id, _ = _member(db, "Ola Owner", "Europe/Oslo")
        _stranger_id, stranger_email = _member(db, "Sid Stranger", "Europe/Oslo")
        start = availability.next_free_slots(
            db, user_id=teacher_id, after=utcnow() + timedelta(days=1), limit=1
        )
        booked = sessions.do_request_session(
            db,
            actor=accounts.get_user(db, learner_id),
            skill_id=skill_id,
            duration_minutes=60,
            start_times=start,
        )
        db.commit()
        session_id = booked.id
    log_in(page, email=stranger_email)
    page.goto(f"/sessions/{session_id}")
    expect(page.get_by_role("alert")).to_contain_text("Only the two people in this session")
    expect(page.locator("#session-status")).to_have_count(0)

"""After a completed session the learner is asked to rate, cannot book again until they
do, and the teacher's profile shows the review once published, with the new score.

The completed session is set up through the services with times in the past (the app
runs on the real clock); everything after that happens in two browsers, one per person.
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
from bartr.services import accounts, availability, ledger, profiles, sessions, trust
from bartr.services.credits import credits
from tests.e2e.journeys import PASSWORD, log_in

EVERY_DAY = [(day, "00:00", "24:00") for day in range(7)]


def _member(db: Session, name: str) -> tuple[int, str, str]:
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
    user = accounts.do_sign_up(db, email=email, password=PASSWORD, display_name=name)
    accounts.do_complete_onboarding(
        db, actor=user, bio="Hello", languages=["English"], timezone="Europe/Berlin"
    )
    return user.id or 0, email, user.handle


def _completed_session(db_engine: Engine) -> dict:
    """A teacher, a learner, and one session between them completed two days ago."""
    with Session(db_engine) as db:
        teacher_id, teacher_email, handle = _member(db, "Rita Rater")
        learner_id, learner_email, _ = _member(db, "Lou Learner")
        teacher = accounts.get_user(db, teacher_id)
        learner = accounts.get_user(db, learner_id)
        availability.do_set_availability(db, actor=teacher, windows=EVERY_DAY)
        skill = profiles.do_add_skill(
            db, actor=teacher, kind="teach", category_slug="languages",
            title="Italian conversation", level="beginner",
        )  # fmt: skip
        ledger.grant(
            db, user_id=learner_id, amount=credits(3), system="e2e-funding",
            kind=TransactionKind.ADJUSTMENT, key=f"e2e-fund:{learner_id}",
        )  # fmt: skip
        asked = utcnow() - timedelta(days=3)
        start = asked + timedelta(hours=4)
        start = start.replace(minute=0, second=0, microsecond=0)
        booked = sessions.do_request_session(
            db, actor=learner, skill_id=skill.id, duration_minutes=60, start_times=[start],
            now=asked,
        )  # fmt: skip
        sessions.do_accept(db, actor=teacher, session_id=booked.id, starts_at=start, now=asked)
        end = start + timedelta(minutes=60)
        sessions.do_mark_complete(db, actor=teacher, session_id=booked.id, now=end)
        sessions.do_confirm_complete(db, actor=learner, session_id=booked.id, now=end)
        db.commit()
        return {
            "session_id": booked.id,
            "skill_id": skill.id,
            "teacher_id": teacher_id,
            "teacher_email": teacher_email,
            "learner_email": learner_email,
            "handle": handle,
        }


def test_rate_before_booking_again_then_the_review_is_public(
    page: Page, new_page, db_engine: Engine
) -> None:
    setup = _completed_session(db_engine)
    sid, skill_id = setup["session_id"], setup["skill_id"]

    # --- home asks the learner to rate --------------------------------------------------
    learner = page
    log_in(learner, email=setup["learner_email"])
    learner.goto("/")
    prompt = learner.get_by_text("Rate your session with Rita")
    expect(prompt).to_be_visible()

    # --- booking again is refused, with the reason and a link to the form ---------------
    learner.goto(f"/sessions/new?skill={skill_id}")
    expect(learner.get_by_text("Rate your session with Rita first")).to_be_visible()
    expect(learner.locator("#send-request")).to_have_count(0)
    learner.get_by_role("link", name="Rate the session").click()
    expect(learner).to_have_url(re.compile(rf"/sessions/{sid}"))

    # --- the learner rates: stars, a tappable prompt, a sentence ------------------------
    card = learner.locator("#rate")
    expect(card).to_contain_text("Rate your session with Rita")
    expect(card).to_contain_text("Rita sees your review when they have rated too")
    card.get_by_test_id("star-5").click()
    card.get_by_role("button", name="Patient").click()
    box = card.get_by_label("Your review")
    expect(box).to_have_value(re.compile(r"^Patient\."))
    box.fill("Patient and clear, I can order coffee in Italian now!")
    card.get_by_role("button", name="Send rating").click()
    expect(learner.get_by_text("Your rating is saved")).to_be_visible()
    expect(card).to_contain_text("Hidden until both rated")

    # --- hidden from the public profile until the teacher rates too ---------------------
    learner.goto(f"/u/{setup['handle']}")
    expect(learner.locator("#reviews")).to_contain_text("No reviews yet")

    # --- the teacher rates the learner: both reviews are published ----------------------
    teacher = new_page()
    log_in(teacher, email=setup["teacher_email"])
    teacher.goto(f"/sessions/{sid}")
    tcard = teacher.locator("#rate")
    expect(tcard).to_contain_text("Rate your session with Lou")
    tcard.get_by_test_id("star-5").click()
    tcard.get_by_label("Your review").fill("Curious, well prepared learner. Grazie!")
    tcard.get_by_role("button", name="Send rating").click()
    expect(teacher.get_by_text("Your rating is saved")).to_be_visible()
    expect(tcard).to_contain_text("Lou’s rating of you")
    expect(tcard).to_contain_text("I can order coffee in Italian")

    # --- the review, the star distribution and the new score with its breakdown ---------
    learner.goto(f"/u/{setup['handle']}")
    reviews = learner.locator("#reviews")
    expect(reviews).to_contain_text("I can order coffee in Italian now!")
    expect(reviews).to_contain_text("Lou")
    expect(reviews).to_contain_text("Italian conversation")
    with Session(db_engine) as db:
        stats = trust.stats_for(db, setup["teacher_id"])
    assert stats.rating_count == 1 and stats.trust_score is not None
    expect(learner.get_by_text("Rating 5.0 from 1 review")).to_be_visible()
    expect(learner.get_by_role("img", name=f"Trust score {stats.trust_score:.0f} out of 100"))
    expect(learner.get_by_role("link", name="How trust works")).to_be_visible()

    # --- and the learner may book again ------------------------------------------------
    learner.goto(f"/sessions/new?skill={skill_id}")
    expect(learner.locator("#send-request")).to_be_visible()
    expect(learner.get_by_text("Rate your session with Rita first")).to_have_count(0)

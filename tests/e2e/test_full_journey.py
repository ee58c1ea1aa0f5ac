"""A newcomer's whole way through BARTR, in two browsers (plus an admin's at the end).

Eleni teaches bouzouki (set up through the services, with a private course for that skill)
and invites a newcomer, Noah, with her invite link. Noah signs up, confirms his address with
the link the app mailed (aiosmtpd on loopback), onboards (he teaches sourdough and wants to
learn bouzouki), finds Eleni under For you on his home page, and asks for a session. Eleni
proposes other times; Noah accepts one, and her course unlocks for him. They chat on the
session page, both ways, live. At the session's time [the clock jumps: `move_session`]
Noah opens the call's room (no LiveKit server runs here: the browser's connection, carrying
its token, reaches a stub; see test_video_journey.py). After the session [the clock jumps
again] Eleni marks it taught and Noah confirms; he must rate before booking again; both
rate. Their wallets show the credits that moved, Eleni's profile her new trust score.
Eleni had reported one of Noah's messages: an admin opens it in the moderation queue, sees
the conversation around it, warns Noah with a note; Eleni sees her report's state, Noah
the warning.

Every step leaves a screenshot in test-artifacts/journey/ (NN-step.png).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from bartr.adapters.storage import LocalStorage
from bartr.models.base import utcnow
from bartr.services import (
    accounts,
    availability,
    course_files,
    course_items,
    courses,
    ledger,
    profiles,
    trust,
)
from bartr.services.credits import credits, format_credits
from tests.e2e.conftest import LiveKitRecorder, Mailbox
from tests.e2e.journeys import (
    Shots,
    browser_page,
    confirm_email,
    create_admin,
    hydrated,
    log_in,
    move_session,
    onboard,
    report,
    seeded_member,
    submit_sign_up,
)
from tests.services import video_factories as vf

FILES = Path(__file__).parent / "files"
EVERY_DAY = [(day, "00:00", "24:00") for day in range(7)]
SKILL = "Bouzouki for beginners"
COURSE = "Bouzouki: first chords"
MONEY_MESSAGE = "Could I also pay you 20 euros by PayPal for extra lessons?"


def _teacher(db_engine: Engine, media_dir: Path) -> dict[str, object]:
    """Eleni: teaches bouzouki (with a course holding one PDF), wants to learn sourdough."""
    with Session(db_engine, expire_on_commit=False) as db:
        teacher_id, email = seeded_member(db, "Eleni Strings", timezone="Europe/Berlin")
        teacher = accounts.get_user(db, teacher_id)
        teacher.email_verified_at = utcnow()  # a member for a while: her address is confirmed
        availability.do_set_availability(db, actor=teacher, windows=EVERY_DAY)
        skill = profiles.do_add_skill(
            db, actor=teacher, kind="teach", category_slug="music", title=SKILL,
            level="beginner", tags=["bouzouki"], description="Tuning, strumming, three chords.",
        )  # fmt: skip
        profiles.do_add_skill(
            db, actor=teacher, kind="learn", category_slug="cooking", title="Sourdough bread",
            level="beginner",
        )  # fmt: skip
        course = courses.do_create_course(db, actor=teacher, skill_id=skill.id, title=COURSE)
        stored = course_files.store_upload(
            LocalStorage(media_dir),
            [(FILES / "notes.pdf").read_bytes()],
            course_id=course.id or 0,
            filename="Chord chart.pdf",
        )
        course_items.do_add_item(db, actor=teacher, course_id=course.id or 0, stored=stored)
        db.commit()
        return {
            "id": teacher_id,
            "email": email,
            "handle": teacher.handle,
            "balance": ledger.available_balance(db, teacher_id),
        }


@pytest.fixture
def two_people(media_browser: Browser, app_url: str) -> Iterator[tuple[Page, Page]]:
    """Eleni's and Noah's browsers (own contexts), camera and microphone allowed."""
    with (
        browser_page(media_browser, app_url) as teacher,
        browser_page(media_browser, app_url) as newcomer,
    ):
        for page in (teacher, newcomer):
            page.context.grant_permissions(["camera", "microphone"], origin=app_url)
        yield teacher, newcomer


def test_newcomer_from_invite_to_a_rated_session_and_an_admin_handling_a_report(
    two_people: tuple[Page, Page],
    media_browser: Browser,
    app_url: str,
    app_env: dict[str, str],
    db_engine: Engine,
    mailbox: Mailbox,
    livekit_stub: type[LiveKitRecorder],
) -> None:
    shot = Shots("journey")
    tag = uuid.uuid4().hex[:6]
    newcomer_name, newcomer_email = f"Noah Newcomer {tag}", f"noah-{tag}@example.com"
    eleni = _teacher(db_engine, Path(app_env["BARTR_MEDIA_DIR"]))
    teacher, newcomer = two_people
    # --- Eleni copies her invite link from her wallet -------------------------------
    log_in(teacher, email=str(eleni["email"]))
    teacher.goto("/wallet")
    link = teacher.locator("#referral-link")
    expect(link).to_have_value(re.compile(r"/signup\?ref=\w+"))
    invite = link.input_value()
    assert parse_qs(urlparse(invite).query)["ref"]
    shot(teacher, "teacher-wallet-invite-link")

    # --- Noah opens it, signs up, confirms his address from the email ------------------
    newcomer.goto(invite)
    expect(newcomer.locator("#invite-callout")).to_contain_text("Eleni Strings invited you")
    hydrated(newcomer)
    shot(newcomer, "invite-sign-up")
    submit_sign_up(newcomer, name=newcomer_name, email=newcomer_email)
    shot(newcomer, "check-your-inbox")
    confirm_email(newcomer, mailbox, newcomer_email)
    shot(newcomer, "email-confirmed")
    log_in(newcomer, email=newcomer_email)
    expect(newcomer).to_have_url(re.compile(r"/onboarding/?$"))

    # --- onboarding: about him, what he teaches and wants to learn ---------------------
    expect(newcomer.get_by_text("Tell the community about yourself")).to_be_visible()
    shot(newcomer, "onboarding")
    onboard(
        newcomer,
        bio="Baker by day, learning an instrument by night.",
        teach=(("Sourdough baking", "Cooking"),),
        learn=(("Bouzouki", "Music"),),
    )
    shot(newcomer, "onboarding-done")

    # --- For you: Eleni, by the skill he wants and the one she wants -------------------
    newcomer.goto("/")
    card = newcomer.locator(".for-you-card", has_text="Eleni Strings")
    expect(card).to_contain_text(SKILL)
    expect(card).to_contain_text("Mutual")
    shot(newcomer, "home-for-you")
    card.get_by_role("link", name="View profile").click()
    expect(newcomer).to_have_url(re.compile(rf"/u/{eleni['handle']}/?$"))
    expect(newcomer.get_by_role("heading", name="Eleni Strings")).to_be_visible()
    teaches = newcomer.locator("#teaches")
    expect(teaches).to_contain_text(SKILL)
    # No reviews and no sessions yet: no trust score on her profile.
    expect(newcomer.get_by_text("No reviews yet")).to_be_visible()
    expect(newcomer.get_by_role("img", name=re.compile(r"^Trust score"))).to_have_count(0)
    shot(newcomer, "teacher-profile-before")

    # --- Noah asks for a session; the course shows, locked ---------------------------
    teaches.get_by_role("link", name="Request a session").click()
    expect(newcomer).to_have_url(re.compile(r"/sessions/new\?skill=\d+"))
    newcomer.locator(".slot-time").first.click()
    newcomer.fill("#message", "Hello Eleni! I have never held a bouzouki.")
    expect(newcomer.locator("#send-request")).to_be_enabled()
    shot(newcomer, "request-form")
    newcomer.locator("#send-request").click()
    expect(newcomer).to_have_url(re.compile(r"/sessions/\d+/?$"))
    session_url = newcomer.url
    session_id = int(re.search(r"/sessions/(\d+)", session_url).group(1))  # type: ignore[union-attr]
    expect(newcomer.get_by_text("Request sent to Eleni Strings")).to_be_visible()
    materials = newcomer.locator("#course-materials")
    expect(materials).to_contain_text(COURSE)
    expect(materials).to_contain_text("Unlocks when Eleni accepts your request.")
    shot(newcomer, "request-sent-course-locked")

    # --- Eleni proposes other times ----------------------------------------------------
    teacher.goto("/sessions")
    row = teacher.locator(".session-row").filter(has_text=SKILL)
    expect(row).to_contain_text(newcomer_name)
    row.get_by_role("link", name="Answer request").click()
    expect(teacher).to_have_url(re.compile(rf"/sessions/{session_id}/?$"))
    expect(teacher.get_by_text("I have never held a bouzouki.")).to_be_visible()
    teacher.locator("#action-propose_reschedule").click()
    dialog = teacher.get_by_role("dialog")
    expect(dialog).to_contain_text("Propose new times")
    dialog.locator(".slot-day").nth(1).click()  # the next day with free times
    for time in ("09:00", "10:30"):
        dialog.locator(".slot-time", has_text=time).click()
    dialog.locator("#dialog-note").fill("Mornings suit me better, how about one of these?")
    expect(dialog.locator("#send-times")).to_have_text("Send 2 times")
    shot(teacher, "teacher-counter-proposal", full_page=False)
    dialog.locator("#send-times").click()
    expect(teacher.get_by_text(f"New times sent to {newcomer_name}")).to_be_visible()

    # --- Noah accepts one: the session is scheduled and the course opens ---------------
    newcomer.reload()
    expect(newcomer.locator("#session-headline")).to_contain_text("proposed new times")
    expect(newcomer.locator(".accept-time")).to_have_count(2)
    shot(newcomer, "newcomer-sees-proposal")
    newcomer.locator(".accept-time").first.click()
    expect(newcomer.get_by_text("Session scheduled")).to_be_visible()
    expect(newcomer.locator(".status-chip").first).to_contain_text("Scheduled")
    materials.get_by_text("Open course").click()
    expect(newcomer).to_have_url(re.compile(r"/courses/\d+/?$"))
    expect(newcomer.get_by_role("heading", name=COURSE)).to_be_visible()
    expect(newcomer.locator(".course-item.locked")).to_have_count(0)
    newcomer.locator(".course-item-link").filter(has_text="Chord chart").click()
    pdf = newcomer.locator("#course-pdf")
    expect(pdf).to_be_visible()
    answer = newcomer.request.get(pdf.get_attribute("src") or "")
    assert answer.status == 200 and answer.body().startswith(b"%PDF-")
    shot(newcomer, "course-unlocked")

    # --- they chat on the session page, both ways, live -------------------------------
    newcomer.goto(session_url)
    teacher.goto(session_url)
    mine = newcomer.locator("#session-chat")
    theirs = teacher.locator("#session-chat")
    expect(mine.locator("#chat-thread")).to_contain_text("Eleni Strings")
    expect(theirs.locator("#chat-thread")).to_contain_text(newcomer_name)
    mine.locator("#composer").fill("Thanks! Should I bring anything?")
    mine.locator("#composer").press("Enter")
    expect(theirs.locator(".bubble-theirs").last).to_contain_text("Should I bring anything?")
    theirs.locator("#composer").fill("Just your curiosity, I lend you a bouzouki.")
    theirs.locator("#composer").press("Enter")
    expect(mine.locator(".bubble-theirs").last).to_contain_text("I lend you a bouzouki")
    mine.locator("#composer").fill(MONEY_MESSAGE)
    mine.locator("#composer").press("Enter")
    expect(theirs.locator(".bubble-theirs").last).to_contain_text(MONEY_MESSAGE)
    shot(teacher, "chat-live-teacher")
    shot(newcomer, "chat-live-newcomer")
    # Eleni reports the message asking for money outside BARTR.
    bubble = theirs.locator(".bubble-row", has=teacher.locator(".bubble-theirs")).last
    bubble.hover()
    bubble.get_by_role("button", name="Report").click()
    expect(teacher.get_by_role("dialog")).to_contain_text("this message")
    shot(teacher, "teacher-reports-a-message", full_page=False)
    report(teacher, "Scam or asking for money", "Asked to pay me outside BARTR.")

    # --- the session's time: Noah opens the call's room ------------------------------
    move_session(db_engine, session_id, starts_at=utcnow() - timedelta(minutes=5))
    newcomer.reload()
    expect(newcomer.locator("#video-call")).to_contain_text("Open now, until")
    newcomer.locator("#join-call").click()
    expect(newcomer).to_have_url(re.compile(rf"/sessions/{session_id}/room"))
    prejoin = newcomer.locator("#room-prejoin")
    expect(prejoin.locator("video")).to_be_visible()
    newcomer.wait_for_function(
        "() => { const v = document.querySelector('#room-prejoin video');"
        " return v && v.videoWidth > 0; }"
    )
    expect(newcomer.locator("#room-chat")).to_contain_text("I lend you a bouzouki")
    shot(newcomer, "room-pre-join")
    before = len(livekit_stub.seen)
    prejoin.get_by_role("button", name="Join the call").click()
    claims = vf.verifier().verify(livekit_stub.wait_for_token(before))
    assert claims.name == newcomer_name
    assert claims.video is not None and claims.video.room_join
    expect(newcomer.get_by_text("The call could not be reached")).to_be_visible()
    shot(newcomer, "room-no-livekit-server-here")

    # --- after the session: Eleni marks it taught, Noah confirms ---------------------
    move_session(db_engine, session_id, starts_at=utcnow() - timedelta(minutes=65))
    teacher.reload()
    expect(teacher.locator("#session-headline")).to_contain_text("Mark it as taught")
    teacher.locator("#action-mark_complete").click()
    expect(teacher.get_by_text("Marked as taught.")).to_be_visible()
    newcomer.goto(session_url)
    expect(newcomer.locator("#session-headline")).to_contain_text("marked this session as taught")
    newcomer.locator("#action-confirm_complete").click()
    expect(newcomer.get_by_text("Confirmed.")).to_be_visible()
    expect(newcomer.locator(".status-chip").first).to_contain_text("Completed")
    shot(newcomer, "session-completed")

    # --- the rating is mandatory: no new booking before it ---------------------------
    newcomer.goto("/")
    expect(newcomer.get_by_text("Rate your session with Eleni")).to_be_visible()
    shot(newcomer, "home-asks-for-a-rating")
    newcomer.goto(f"/u/{eleni['handle']}")
    newcomer.locator("#teaches").get_by_role("link", name="Request a session").click()
    expect(newcomer.get_by_text("Rate your session with Eleni first")).to_be_visible()
    expect(newcomer.locator("#send-request")).to_have_count(0)
    shot(newcomer, "booking-refused-until-rated")
    newcomer.get_by_role("link", name="Rate the session").click()
    expect(newcomer).to_have_url(re.compile(rf"/sessions/{session_id}"))
    rate = newcomer.locator("#rate")
    rate.get_by_test_id("star-5").click()
    rate.get_by_label("Your review").fill("Patient and funny, I can play three chords now!")
    shot(newcomer, "newcomer-rates")
    rate.get_by_role("button", name="Send rating").click()
    expect(newcomer.get_by_text("Your rating is saved")).to_be_visible()
    teacher.reload()
    trate = teacher.locator("#rate")
    trate.get_by_test_id("star-5").click()
    trate.get_by_label("Your review").fill("Keen learner, great bread too.")
    trate.get_by_role("button", name="Send rating").click()
    expect(teacher.get_by_text("Your rating is saved")).to_be_visible()
    expect(trate).to_contain_text("I can play three chords now!")
    shot(teacher, "both-rated")

    # --- wallets: what moved, line by line -------------------------------------------
    newcomer.goto("/wallet")
    expect(newcomer.locator("#wallet-available")).to_have_text("1")  # 2 welcome - 1 hour
    history = newcomer.locator("#wallet-history")
    expect(history).to_contain_text("Welcome credits")
    expect(history).to_contain_text(f"Paid Eleni Strings for {SKILL}")
    shot(newcomer, "newcomer-wallet")
    teacher.goto("/wallet")
    earned = int(eleni["balance"]) + credits(5) + credits(1)  # type: ignore[call-overload]
    expect(teacher.locator("#wallet-available")).to_have_text(format_credits(earned))
    lines = teacher.locator("#wallet-history")
    expect(lines).to_contain_text(f"Earned teaching {SKILL} with {newcomer_name}")
    expect(lines).to_contain_text(f"Referral: {newcomer_name} joined")
    shot(teacher, "teacher-wallet")

    # --- Eleni's trust score, on her profile ----------------------------------------
    with Session(db_engine) as db:
        stats = trust.stats_for(db, int(eleni["id"]))  # type: ignore[call-overload]
    assert stats.rating_count == 1 and stats.trust_score is not None
    newcomer.goto(f"/u/{eleni['handle']}")
    expect(newcomer.locator("#reviews")).to_contain_text("I can play three chords now!")
    expect(newcomer.get_by_text("Rating 5.0 from 1 review")).to_be_visible()
    expect(
        newcomer.get_by_role("img", name=f"Trust score {stats.trust_score:.0f} out of 100")
    ).to_be_visible()
    shot(newcomer, "teacher-profile-after")

    # --- an admin handles Eleni's report: context, a warning with a note --------------
    admin_email = f"admin-{tag}@example.com"
    create_admin(app_env, email=admin_email)
    with browser_page(media_browser, app_url) as admin:
        log_in(admin, email=admin_email)
        admin.goto("/admin")
        row = admin.locator("#admin-reports-table tbody tr", has_text=newcomer_name)
        expect(row).to_contain_text("Scam or asking for money")
        shot(admin, "admin-moderation-queue")
        row.get_by_role("button", name="Open").click()
        panel = admin.locator("#report-panel")
        expect(panel).to_contain_text(f"Eleni Strings reported a message from {newcomer_name}")
        expect(panel).to_contain_text("Asked to pay me outside BARTR.")
        expect(panel).to_contain_text("Context")
        expect(panel).to_contain_text(MONEY_MESSAGE)
        expect(panel).to_contain_text("I lend you a bouzouki")  # the lines around it
        shot(admin, "admin-report-context", full_page=False)
        panel.get_by_label("Action").click()
        admin.get_by_role("option", name="Warn the member (they read your note)").click()
        admin.fill("#moderation-note", "Please keep payments inside BARTR: credits only.")
        shot(admin, "admin-decides-with-a-note", full_page=False)
        admin.locator("#apply-moderation").click()
        expect(admin.locator("#report-panel")).to_have_count(0)
        expect(admin.get_by_text("Warning sent.")).to_be_visible()
        shot(admin, "admin-warning-sent")

    teacher.goto("/settings")
    reports = teacher.locator("#settings-reports")
    expect(reports).to_contain_text(newcomer_name)
    expect(reports).to_contain_text("Action taken")
    shot(teacher, "reporter-sees-action-taken")
    newcomer.goto("/settings")
    expect(newcomer.locator("#settings-warnings")).to_contain_text(
        "Please keep payments inside BARTR"
    )
    shot(newcomer, "member-reads-the-warning")

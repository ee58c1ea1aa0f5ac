"""Private course content through the browser.

The teacher makes a course for a teach skill and uploads PDF notes and a short video (the
upload is throttled so the progress bar is seen); the learner, whose request is still open,
sees both titles locked and gets nothing from the file URL; the teacher accepts the request;
the learner opens the PDF inline and plays the video, seeking forward (Range requests).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from bartr.models.base import utcnow
from bartr.models.ledger import TransactionKind
from bartr.services import accounts, availability, ledger, profiles, sessions
from bartr.services.credits import credits
from tests.e2e.journeys import log_in, seeded_member

FILES = Path(__file__).parent / "files"
EVERY_DAY = [(day, "00:00", "24:00") for day in range(7)]


def _setup(db_engine: Engine) -> dict[str, object]:
    """Maya teaches Spanish; Leo has asked for a session that she has not answered yet."""
    with Session(db_engine, expire_on_commit=False) as db:
        teacher_id, teacher_email = seeded_member(db, "Maya Maestra", timezone="Europe/Madrid")
        teacher = accounts.get_user(db, teacher_id)
        availability.do_set_availability(db, actor=teacher, windows=EVERY_DAY)
        skill = profiles.do_add_skill(
            db,
            actor=teacher,
            kind="teach",
            category_slug="languages",
            title="Spanish for travellers",
            level="beginner",
        )
        learner_id, learner_email = seeded_member(db, "Leo Learner", timezone="Europe/Madrid")
        ledger.grant(
            db,
            user_id=learner_id,
            amount=credits(3),
            system="e2e-funding",
            kind=TransactionKind.ADJUSTMENT,
            key=f"e2e-fund:{learner_id}",
        )
        start = (utcnow() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        booked = sessions.do_request_session(
            db,
            actor=accounts.get_user(db, learner_id),
            skill_id=skill.id,
            duration_minutes=60,
            start_times=[start],
            message="Hola!",
        )
        db.commit()
        return {
            "teacher_email": teacher_email,
            "teacher_handle": teacher.handle,
            "learner_email": learner_email,
            "session_id": booked.id,
        }


def _throttle_uploads(page: Page, bytes_per_second: int) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 20,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )


def test_teacher_uploads_learner_unlocks_on_accept(page: Page, new_page, db_engine: Engine) -> None:
    world = _setup(db_engine)

    # --- the teacher creates a course and uploads two files --------------------------------
    teacher = page
    log_in(teacher, email=str(world["teacher_email"]))
    teacher.goto("/courses")
    teacher.get_by_role("button", name="Create course").click()
    teacher.locator("#new-course-title").fill("Spanish for your first trip")
    teacher.locator("#create-course").click()
    expect(teacher).to_have_url(re.compile(r"/courses/\d+/?$"))
    course_url = teacher.url
    expect(teacher.get_by_role("heading", name="Spanish for your first trip")).to_be_visible()

    _throttle_uploads(teacher, 16_000)  # ~3 s for the video: the bar is there to be seen
    upload = teacher.locator("#course-files input[type=file]")
    upload.set_input_files(str(FILES / "notes.pdf"))
    expect(teacher.get_by_text("Added 1 file.")).to_be_visible()
    upload.set_input_files(str(FILES / "lesson.webm"))
    expect(teacher.locator("#upload-progress")).to_be_visible()
    expect(teacher.get_by_text(re.compile(r"Uploading… \d+%"))).to_be_visible()
    expect(teacher.get_by_text("Added 1 file.")).to_be_visible(timeout=60_000)
    items = teacher.locator(".course-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("notes")
    expect(items.nth(1)).to_contain_text("lesson")

    # A file that only claims to be a PDF is refused by its bytes.
    upload.set_input_files(
        files=[{"name": "fake.pdf", "mimeType": "application/pdf", "buffer": b"<html>" * 50}]
    )
    expect(teacher.get_by_text("That file is not a PDF, MP4 or WebM video")).to_be_visible()
    expect(items).to_have_count(2)

    # --- the learner sees the course, locked ---------------------------------------------
    learner = new_page()
    log_in(learner, email=str(world["learner_email"]))
    learner.goto(f"/u/{world['teacher_handle']}")
    card = learner.locator("#courses .course-card")
    expect(card).to_contain_text("Spanish for your first trip")
    expect(card).to_contain_text("Unlocks when Maya accepts your request.")
    learner.goto(f"/sessions/{world['session_id']}")
    expect(learner.locator("#course-materials")).to_contain_text("Spanish for your first trip")
    learner.goto(course_url)
    locked = learner.locator(".course-item.locked")
    expect(locked).to_have_count(2)
    expect(locked.nth(0)).to_contain_text("notes")
    expect(learner.get_by_text("Unlocks when Maya accepts your request.").first).to_be_visible()
    expect(learner.locator(".course-item-link")).to_have_count(0)
    # Anyone who sees the list may report an item (#25.1); the teacher has no Report there.
    expect(teacher.locator(".course-item").get_by_role("button", name="Report")).to_have_count(0)
    locked.nth(0).get_by_role("button", name="Report").click()
    dialog = learner.get_by_role("dialog")
    expect(dialog).to_contain_text("notes")
    dialog.get_by_label("Reason").click()
    learner.get_by_role("option", name="Inappropriate content").click()
    learner.locator("#send-report").click()
    expect(learner.get_by_role("dialog")).to_have_count(0)
    # The teacher opens the PDF: its URL, tried by the learner, gives nothing yet.
    teacher.locator(".course-item-link").first.click()
    expect(teacher.locator("#course-pdf")).to_be_visible()
    pdf_src = teacher.locator("#course-pdf").get_attribute("src") or ""
    assert re.fullmatch(r"/api/courses/items/\d+/file", pdf_src), pdf_src
    assert learner.request.get(pdf_src).status == 404

    # --- the teacher accepts the request ------------------------------------------------
    teacher.goto(f"/sessions/{world['session_id']}")
    teacher.locator(".accept-time").first.click()
    expect(teacher.get_by_text("Session scheduled")).to_be_visible()

    # --- the learner opens the PDF and plays the video, seeking forward ----------------
    learner.goto(course_url)
    expect(learner.locator(".course-item.locked")).to_have_count(0)
    learner.locator(".course-item-link").filter(has_text="notes").click()
    pdf = learner.locator("#course-pdf")
    expect(pdf).to_be_visible()
    answer = learner.request.get(pdf.get_attribute("src") or "")
    assert answer.status == 200 and answer.body().startswith(b"%PDF-")
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-disposition"].startswith("inline;")

    learner.locator(".course-item-link").filter(has_text="lesson").click()
    video = learner.locator("#course-video")
    expect(video).to_be_visible()
    learner.wait_for_function(
        "() => { const v = document.querySelector('#course-video'); "
        "return v && v.readyState >= 1 && v.duration > 4; }",
        timeout=30_000,
    )
    learner.evaluate(
        "() => { const v = document.querySelector('#course-video'); v.muted = true; "
        "return v.play(); }"
    )
    learner.wait_for_function(
        "() => document.querySelector('#course-video').currentTime > 0.2", timeout=20_000
    )
    learner.evaluate("() => { document.querySelector('#course-video').currentTime = 4.5; }")
    learner.wait_for_function(
        "() => { const v = document.querySelector('#course-video'); "
        "return !v.seeking && v.currentTime >= 4.5 && !v.error; }",
        timeout=20_000,
    )
    # The file route answers ranges: what the player used to seek.
    ranged = learner.request.get(
        video.get_attribute("src") or "", headers={"Range": "bytes=100-199"}
    )
    assert ranged.status == 206 and len(ranged.body()) == 100
    assert (FILES / "lesson.webm").read_bytes()[100:200] == ranged.body()

    # A logged-out browser given the URL gets nothing.
    stranger = new_page()
    assert stranger.request.get(video.get_attribute("src") or "").status == 404

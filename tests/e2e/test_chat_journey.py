"""Two members chat live in two browsers: the message, the Messages badge and the bell
arrive without a reload, the sender's second tab gets it too, the typing indicator shows,
and reading the thread clears the badge and the bell. A pair with a session coming up sees
it pinned above their thread, with Join once the call is open."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from bartr.models.base import utcnow
from bartr.services import accounts
from tests.e2e.journeys import booked_session, log_in, onboard, seeded_member, sign_up

# BARTR_E2E_SHOTS=<folder> keeps screenshots of the pinned card at 1280 and 375 px.
SHOTS = os.environ.get("BARTR_E2E_SHOTS", "")


def _visible(page: Page, selector: str):  # type: ignore[no-untyped-def]
    return page.locator(f"{selector} >> visible=true")


def test_two_members_chat_live_and_badges_follow(new_page: Callable[[], Page]) -> None:
    tag = uuid.uuid4().hex[:8]
    ben = new_page()
    sign_up(ben, name=f"Ben Live {tag}", email=f"ben-{tag}@example.com")
    onboard(ben)
    maya = new_page()
    sign_up(maya, name=f"Maya Live {tag}", email=f"maya-{tag}@example.com")
    onboard(maya)

    # Ben sits on another page; Maya starts the conversation from his profile.
    ben.goto("/wallet")
    expect(ben.get_by_role("heading", name="Wallet")).to_be_visible()
    expect(_visible(ben, ".messages-badge")).to_have_count(0)
    maya.goto(f"/u/ben-live-{tag}")
    maya.locator("#message-member").click()
    expect(maya).to_have_url(re.compile(r"/messages/\d+$"))
    thread_url = maya.url

    # Maya's second tab on the same thread (same browser context: same login).
    maya_2 = maya.context.new_page()
    maya_2.goto(thread_url)
    expect(maya_2.locator("#chat-thread")).to_contain_text(f"Ben Live {tag}")

    composer = maya.locator("#composer")
    composer.fill("Hi Ben! Notes: https://example.com/notes")
    composer.press("Shift+Enter")
    composer.type("Second line")
    composer.press("Enter")
    mine = maya.locator(".bubble-mine").last
    expect(mine).to_contain_text("Second line")
    expect(composer).to_have_value("")
    link = mine.get_by_role("link", name="https://example.com/notes")
    expect(link).to_have_attribute("rel", "noopener nofollow ugc")

    # Live, without a reload: Ben's badge and bell; Maya's other tab.
    expect(_visible(ben, ".messages-badge")).to_have_text("1")
    expect(ben.locator(".bell-count")).to_have_text("1")
    expect(maya_2.locator(".bubble-mine").last).to_contain_text("Second line")

    # Ben opens the thread from the bell: the message is there, badges clear.
    ben.locator("#bell").click()
    ben.get_by_role("menuitem", name=re.compile(f"Maya Live {tag} sent you a message")).click()
    expect(ben).to_have_url(re.compile(r"/messages/\d+$"))
    theirs = ben.locator(".bubble-theirs").last
    expect(theirs).to_contain_text("Hi Ben!")
    expect(theirs).to_contain_text("Second line")
    expect(_visible(ben, ".messages-badge")).to_have_count(0)
    expect(ben.locator(".bell-count")).to_have_count(0)
    # Maya sees it read.
    expect(maya.locator(".bubble-mine").last).to_have_attribute("data-tick", "read")

    # Ben types: Maya sees "typing…"; his reply arrives in both of her tabs.
    ben.locator("#composer").type("Thanks Maya, see you")
    expect(maya.locator(".typing-indicator")).to_have_text("typing…")
    ben.locator("#composer").press("Enter")
    expect(maya.locator(".bubble-theirs").last).to_contain_text("Thanks Maya, see you")
    expect(maya_2.locator(".bubble-theirs").last).to_contain_text("Thanks Maya, see you")
    expect(maya.locator(".bubble-theirs")).to_have_count(1)  # shown once

    # Maya may report Ben's message (#25.1), not her own.
    expect(
        maya.locator(".bubble-row", has=maya.locator(".bubble-mine")).get_by_role(
            "button", name="Report"
        )
    ).to_have_count(0)
    row = maya.locator(".bubble-row", has=maya.locator(".bubble-theirs")).last
    row.hover()
    row.get_by_role("button", name="Report").click()
    dialog = maya.get_by_role("dialog")
    expect(dialog).to_contain_text("this message")
    dialog.get_by_label("Reason").click()
    maya.get_by_role("option", name="Spam or advertising").click()
    maya.locator("#send-report").click()
    expect(maya.get_by_role("dialog")).to_have_count(0)

    # Maya's list: Ben's conversation on top with the last line.
    maya.goto("/messages")
    expect(maya.locator(".conversation-row").first).to_contain_text(f"Ben Live {tag}")
    expect(maya.locator(".conversation-row").first).to_contain_text("Thanks Maya")


def _pair_with_a_session_soon(db_engine: Engine) -> dict:
    """A teacher and a learner whose session starts in five minutes (its call is open)."""
    with Session(db_engine) as db:
        teacher_id, _ = seeded_member(db, "Maya Pinned", timezone="Europe/Berlin")
        learner_id, learner_email = seeded_member(db, "Lee Pinned", timezone="America/New_York")
        start = (utcnow() + timedelta(minutes=5)).replace(second=0, microsecond=0)
        booked = booked_session(db, teacher_id=teacher_id, learner_id=learner_id, start=start)
        teacher = accounts.get_user(db, teacher_id)
        return {
            "session_id": booked.id,
            "teacher_handle": teacher.handle,
            "learner_email": learner_email,
            "start": start,
        }


def test_the_thread_pins_the_pairs_session_with_join(
    browser: Browser, app_url: str, db_engine: Engine
) -> None:
    from zoneinfo import ZoneInfo

    setup = _pair_with_a_session_soon(db_engine)
    for width in (1280, 375):
        ctx = browser.new_context(viewport={"width": width, "height": 800}, base_url=app_url)
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        log_in(page, email=setup["learner_email"])
        page.goto(f"/messages?to={setup['teacher_handle']}")
        expect(page).to_have_url(re.compile(r"/messages/\d+$"))
        card = page.locator("#pinned-session")
        expect(card).to_be_visible()
        expect(card).to_contain_text("Portuguese conversation")
        expect(card).to_contain_text("Scheduled")
        local = setup["start"].astimezone(ZoneInfo("America/New_York"))
        expect(card).to_contain_text(f"{local:%H:%M}")  # the viewer's zone, not Berlin's
        expect(card).to_contain_text("America/New_York")
        expect(card.get_by_role("link", name="Portuguese conversation")).to_have_attribute(
            "href", f"/sessions/{setup['session_id']}"
        )
        join = card.get_by_role("link", name="Join")
        expect(join).to_have_attribute("href", f"/sessions/{setup['session_id']}/room")
        if SHOTS:
            page.wait_for_timeout(300)
            page.screenshot(path=str(Path(SHOTS) / f"chat-pinned-session-{width}.png"))
        ctx.close()

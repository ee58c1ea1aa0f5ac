"""Steps a person takes, shared by the browser tests."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

PASSWORD = "a quiet walk in the park"


def sign_up(page: Page, *, name: str, email: str, ref: str | None = None) -> None:
    page.goto(f"/signup?ref={ref}" if ref else "/signup")
    page.fill("#display_name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # The same answer for every address ("check your inbox"); the password logs in at once.
    expect(page.locator("#signup-sent")).to_be_visible()
    log_in(page, email=email)
    expect(page).to_have_url(re.compile(r"/onboarding/?$"))


def onboard(
    page: Page,
    *,
    bio: str = "I like teaching.",
    languages: tuple[str, ...] = ("English",),
    timezone: str = "Europe/Berlin",
) -> None:
    expect(page.get_by_text("Tell the community about yourself")).to_be_visible()
    page.fill("#bio", bio)
    for lang in languages:
        page.get_by_role("button", name=lang, exact=True).click()
    page.locator("#timezone").click()
    page.get_by_role("option", name=timezone, exact=True).click()
    page.locator("#onboarding-finish").click()
    # Teach, learn and availability steps are optional: move through them.
    for _ in range(3):
        page.locator("#onboarding-next").click()
    expect(page.locator("#onboarding-done")).to_be_visible()


def log_in(page: Page, *, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("#main").get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def log_out(page: Page) -> None:
    page.get_by_label("Account menu").click()
    page.get_by_role("menuitem", name="Log out").click()


def confirm_email(page: Page, mailbox: Any, email: str) -> None:
    """Open the verification link the app mailed to `email` (tests.e2e.conftest.Mailbox)."""
    text = mailbox.text(mailbox.wait_for(email, "Confirm your email"))
    match = re.search(r"https?://\S+/api/verify-email/\S+", text)
    assert match, text
    page.goto(match.group(0))
    expect(page.get_by_text("Your email is confirmed")).to_be_visible()


@contextmanager
def browser_page(browser: Browser, app_url: str, **options: Any) -> Iterator[Page]:
    """A page in its own browser context (viewport, colour scheme, phone: `options`)."""
    options.setdefault("viewport", {"width": 1280, "height": 900})
    ctx = browser.new_context(base_url=app_url, **options)
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    try:
        yield pg
    finally:
        ctx.close()


def settled(page: Page, path: str) -> None:
    """Open `path` and wait until its content, not just its skeleton, is on screen."""
    page.goto(path)
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1").first).to_be_visible()
    page.wait_for_timeout(400)  # late content (cards, badges, charts) lands after first paint


def seeded_member(db: Session, name: str, *, timezone: str) -> tuple[int, str]:
    """A member signed up and onboarded through the services (id, email), for journeys that
    start from data rather than the sign-up form."""
    from bartr.services import accounts

    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
    user = accounts.do_sign_up(db, email=email, password=PASSWORD, display_name=name)
    accounts.do_complete_onboarding(
        db, actor=user, bio="Hello", languages=["English"], timezone=timezone
    )
    return user.id or 0, email

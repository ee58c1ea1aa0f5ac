"""Through the mailbox: confirm an email with the emailed link, and reset a forgotten password
with the link the app's SMTP server (aiosmtpd on loopback) received."""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import Page, expect

from bartr.services import email_prefs
from tests.e2e.conftest import Mailbox
from tests.e2e.journeys import PASSWORD, log_in, onboard, sign_up

NEW_PASSWORD = "a brand new passphrase for me"


def _link(mailbox: Mailbox, to: str, subject: str, route: str) -> str:
    text = mailbox.text(mailbox.wait_for(to, subject))
    match = re.search(rf"https?://\S+{re.escape(route)}/\S+", text)
    assert match, text
    return match.group(0)


def test_verify_by_the_emailed_link_then_reset_a_forgotten_password(
    page: Page,
    new_page,  # type: ignore[no-untyped-def]
    mailbox: Mailbox,
    app_env: dict[str, str],
) -> None:
    email = "rosa.mail@example.com"
    sign_up(page, name="Rosa Mail", email=email)
    onboard(page)
    page.goto("/wallet")
    banner = page.locator("#verify-banner")
    expect(banner).to_be_visible()

    # The link from the email the SMTP server received confirms the address.
    page.goto(_link(mailbox, email, "Confirm your email", "/api/verify-email"))
    expect(page).to_have_url(re.compile(r"/verify-email/?\?status=ok"))
    expect(page.get_by_text("Your email is confirmed")).to_be_visible()
    expect(banner).to_have_count(0)

    # Signing up again with the same address answers the same and mails the owner.
    stranger = new_page()
    stranger.goto("/signup")
    stranger.fill("#display_name", "Not Rosa")
    stranger.fill("#email", email)
    stranger.fill("#password", "someone else's passphrase")
    stranger.get_by_role("button", name="Create account").click()
    expect(stranger.locator("#signup-sent")).to_be_visible()
    mailbox.wait_for(email, "Someone tried to create a BARTR account")

    # Forgot password (logged out, from the login page): the same answer for an unknown
    # address and for Rosa's.
    stranger.goto("/login")
    stranger.locator("#forgot-password").click()
    expect(stranger).to_have_url(re.compile(r"/forgot-password"))
    stranger.fill("#email", "nobody-here@example.com")
    stranger.get_by_role("button", name="Send me a link").click()
    expect(stranger.locator("#reset-sent")).to_be_visible()
    unknown_answer = stranger.locator("#reset-sent").inner_text()
    stranger.goto("/forgot-password")
    expect(stranger.locator("#reset-sent")).to_have_count(0)
    # The button is enabled once the page has hydrated and its load has run.
    expect(stranger.get_by_role("button", name="Send me a link")).to_be_enabled()
    stranger.fill("#email", email)
    stranger.get_by_role("button", name="Send me a link").click()
    expect(stranger.locator("#reset-sent")).to_be_visible()
    assert stranger.locator("#reset-sent").inner_text() == unknown_answer

    reset_link = _link(mailbox, email, "Reset your BARTR password", "/api/password-reset")
    page.goto(reset_link)
    expect(page).to_have_url(re.compile(r"/reset-password/?$"))  # no token in the page URL
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password_again", NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page).to_have_url(re.compile(r"/login/?\?reset=1"))
    expect(page.get_by_text("Your password was changed")).to_be_visible()

    # The old password no longer works; the new one does; the link is spent.
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("#main").get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_text("don't match an account")).to_be_visible()
    log_in(page, email=email, password=NEW_PASSWORD)
    page.goto(reset_link)
    expect(page.get_by_text("expired or was already used")).to_be_visible()

    # Email preferences on the settings page: the digest switch sticks.
    page.goto("/settings")
    card = page.locator("#settings-email")
    expect(card).to_contain_text("Daily digest of unread messages")
    switch = page.locator("#digest-switch")
    expect(switch).to_have_attribute("aria-checked", "true")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")
    page.reload()
    expect(page.locator("#digest-switch")).to_have_attribute("aria-checked", "false")

    # A signed unsubscribe link works without logging in, and can be undone.
    with sqlite3.connect(app_env["DATABASE_URL"].split("///", 1)[1]) as conn:
        (rosa_id,) = conn.execute("select id from users where email = ?", (email,)).fetchone()
    link = email_prefs.unsubscribe_page_url(rosa_id, "accepted")
    visitor = new_page()
    visitor.goto(link[link.index("/unsubscribe") :])
    expect(visitor.get_by_text("You're unsubscribed")).to_be_visible()
    visitor.locator("#unsubscribe-undo").click()
    expect(visitor.get_by_text("You're subscribed again")).to_be_visible()
    visitor.goto(link[link.index("/unsubscribe") :].replace("accepted", "declined"))
    expect(visitor.get_by_text("We couldn't unsubscribe you")).to_be_visible()

"""Credits in the browser: welcome credits, an invite that pays the inviter, packs with
payments off, and an admin correcting a balance."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Mailbox
from tests.e2e.journeys import confirm_email, create_admin, log_in, onboard, sign_up


def _email(who: str) -> str:
    return f"{who}-{uuid.uuid4().hex[:8]}@example.com"


def test_welcome_and_referral_credits_reach_the_wallet(
    page: Page, new_page: Callable[[], Page], mailbox: Mailbox
) -> None:
    sign_up(page, name="Maya Lopez", email=_email("maya"))
    onboard(page)

    page.goto("/wallet")
    expect(page.locator("#wallet-available")).to_have_text("2")
    history = page.locator("#wallet-history")
    expect(history).to_contain_text("Welcome credits")
    expect(history).to_contain_text("+2")

    page.get_by_role("button", name="Copy invite link").click()
    expect(page.get_by_text("Link copied")).to_be_visible()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == page.locator("#referral-link").input_value()
    ref = parse_qs(urlparse(link).query)["ref"][0]
    assert urlparse(link).path == "/signup" and ref

    friend = new_page()
    friend.goto(link)
    invite = friend.locator("#invite-callout")
    expect(invite).to_contain_text("Maya Lopez invited you")
    expect(invite).to_contain_text("gets 5 credits once you have confirmed your email")
    sam = _email("sam")
    sign_up(friend, name="Sam Doe", email=sam, ref=ref)
    onboard(friend)

    # Onboarded but the address is not confirmed yet: the inviter's reward waits.
    page.reload()
    expect(page.locator("#wallet-available")).to_have_text("2")
    expect(page.locator("#referral-list")).to_contain_text("email not confirmed")
    confirm_email(friend, mailbox, sam)

    page.reload()
    expect(page.locator("#wallet-available")).to_have_text("7")
    latest = history.locator("tbody tr").first
    expect(latest).to_contain_text("Referral: Sam Doe joined")
    expect(latest).to_contain_text("+5")
    expect(page.locator("#referral-total")).to_contain_text("5")
    expect(page.locator("#referral-list")).to_contain_text("rewarded")


def test_packs_cannot_be_bought_while_payments_are_off(page: Page) -> None:
    sign_up(page, name="Paul Payless", email=_email("paul"))
    onboard(page)
    page.goto("/wallet")
    expect(page.locator("#payments-off")).to_contain_text("Payments are switched off")
    buy = page.get_by_role("button", name=re.compile(r"^Buy .* pack$"))
    expect(buy).to_have_count(3)
    for button in buy.all():
        expect(button).to_be_disabled()

    # Back from Stripe: the webhook credits the pack; the page says so.
    page.goto("/wallet?checkout=success")
    expect(page.get_by_text("credits appear as soon as Stripe confirms")).to_be_visible()


def test_admin_adjusts_a_members_credits(
    page: Page, new_page: Callable[[], Page], app_env: dict[str, str]
) -> None:
    member_email = _email("mo")
    member = new_page()
    sign_up(member, name="Mo Member", email=member_email)
    onboard(member)

    admin_email = _email("admin")
    create_admin(app_env, email=admin_email)
    log_in(page, email=admin_email)
    page.goto("/admin")
    expect(page.get_by_role("tablist", name="Admin sections")).to_be_visible()
    page.locator("#admin-menu-credits").click()  # the left menu shows one section at a time
    page.fill("#admin-member-query", member_email)
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.locator("#admin-member-balance")).to_have_text("2")

    page.fill("#admin-amount", "1.5")
    page.get_by_role("button", name="Review adjustment").click()
    expect(page.locator("#admin-credits")).to_contain_text("Say why")
    page.fill("#admin-reason", "Thanks for hosting the meetup")
    page.get_by_role("button", name="Review adjustment").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Their balance goes from 2 to 3.5")
    page.locator("#admin-confirm").click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.locator("#admin-member-balance")).to_have_text("3.5")
    expect(page.get_by_text("Mo Member now has 3.5 credits available")).to_be_visible()
    page.locator("#admin-menu-adjustments").click()
    expect(page.locator("#admin-adjustments")).to_contain_text("Thanks for hosting the meetup")

    member.goto("/wallet")
    expect(member.locator("#wallet-available")).to_have_text("3.5")
    expect(member.locator("#wallet-history")).to_contain_text(
        "Admin adjustment: Thanks for hosting the meetup"
    )

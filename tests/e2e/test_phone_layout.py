"""Every page fits a 375 px phone (no sideways scroll) and has exactly one h1.

A page a few pixels wider than the phone scrolls sideways and pushes header controls
off-screen; this walks every page, logged out and logged in, and measures the document.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.journeys import browser_page, onboard, settled, sign_up

PUBLIC = ["/", "/login", "/signup", "/marketplace", "/no-such-page"]
MEMBER = ["/", "/marketplace", "/sessions", "/messages", "/wallet", "/profile", "/settings"]


@pytest.fixture
def phone(browser: Browser, app_url: str) -> Iterator[Page]:
    phone_size = {"width": 375, "height": 812}
    with browser_page(browser, app_url, viewport=phone_size, is_mobile=True, has_touch=True) as pg:
        yield pg


def _problems(page: Page, path: str) -> list[str]:
    found = []
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => window.innerWidth")
    if width > viewport:
        found.append(f"{path}: {width - viewport}px of sideways scroll")
    try:  # once the page has settled (a re-run of its loads shows the skeleton meanwhile)
        expect(page.locator("h1")).to_have_count(1, timeout=10_000)
    except AssertionError:
        found.append(f"{path}: {page.locator('h1').count()} h1 elements")
    return found


def test_every_page_fits_a_phone_logged_out_and_in(phone: Page) -> None:
    problems: list[str] = []
    for path in PUBLIC:
        settled(phone, path)
        problems += _problems(phone, path)

    sign_up(phone, name="Phone Person", email=f"phone-{uuid.uuid4().hex[:8]}@example.com")
    # Measure the page once it has loaded (its h1 comes with the first step), not the
    # member-only placeholder shown while the login is checked.
    expect(phone.locator("h1").first).to_be_visible()
    problems += _problems(phone, "/onboarding")
    onboard(phone)
    for path in MEMBER:
        settled(phone, path)
        problems += _problems(phone, path)
    settled(phone, "/marketplace")
    handle_link = phone.get_by_label("Account menu")
    handle_link.click()
    phone.get_by_role("menuitem", name="My public profile").click()
    phone.wait_for_url("**/u/**")
    settled(phone, phone.url)
    problems += _problems(phone, "/u/<own handle>")
    assert problems == []

"""A new member signs up, onboards, logs out, logs back in and sees the shell."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.journeys import log_in, log_out, onboard, sign_up


def test_sign_up_onboard_log_out_log_in(page: Page) -> None:
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(page, name="Ada Lovelace", email=email)
    onboard(page, languages=("English", "French"), timezone="Europe/London")
    expect(page.get_by_text("welcome credits")).to_be_visible()

    page.goto("/")
    expect(page.get_by_role("heading", name=re.compile("Welcome back, Ada Lovelace"))).to_be_visible()
    for item in ("Marketplace", "Sessions", "Messages", "Wallet"):
        expect(page.get_by_role("link", name=item).first).to_be_visible()

    log_out(page)
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    # A member page sends a visitor to log in and back again afterwards.
    page.goto("/wallet")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fwallet"))
    page.fill("#email", email)
    page.fill("#password", "wrong password entirely")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("don't match")
    log_in(page, email=email)
    page.goto("/")
    expect(page.get_by_role("heading", name=re.compile("Welcome back"))).to_be_visible()


def test_unknown_page_shows_404(page: Page) -> None:
    page.goto("/no/such/page")
    expect(page.get_by_text("This page does not exist")).to_be_visible()


def test_security_headers_and_foreign_origin_socket_refused(page: Page, app_url: str) -> None:
    response = page.request.get("/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    import urllib.error
    import urllib.request

    def handshake(origin: str) -> int:
        req = urllib.request.Request(
            f"{app_url}/_event/?EIO=4&transport=polling", headers={"Origin": origin}
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 (loopback)
                return resp.status
        except urllib.error.HTTPError as err:
            return err.code

    assert handshake(app_url) == 200
    assert handshake("http://evil.example") in (400, 403)

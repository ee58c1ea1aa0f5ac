"""A new member signs up, onboards, logs out, logs back in and sees the shell."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.journeys import PASSWORD, log_out, onboard, sign_up


def test_sign_up_onboard_log_out_log_in(page: Page) -> None:
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(page, name="Ada Lovelace", email=email)
    onboard(page, languages=("English", "French"), timezone="Europe/London")
    expect(page.get_by_text("welcome credits")).to_be_visible()

    page.goto("/")
    expect(
        page.get_by_role("heading", name=re.compile("Welcome to BARTR, Ada Lovelace"))
    ).to_be_visible()
    for item in ("Marketplace", "Sessions", "Messages", "Wallet"):
        expect(page.get_by_role("link", name=item).first).to_be_visible()

    log_out(page)
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    expect(page).to_have_url(re.compile(r"://[^/]+/$"))  # home, not /login (#20.8)

    # A member page sends a visitor to log in and back again afterwards.
    page.goto("/settings")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fsettings"))
    page.fill("#email", email)
    page.fill("#password", "wrong password entirely")
    page.locator("#main").get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("don't match")
    page.fill("#password", PASSWORD)
    page.locator("#main").get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/settings/?$"))
    expect(page.get_by_text("Log out everywhere").first).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", name=re.compile("Welcome to BARTR"))).to_be_visible()


def test_unknown_page_shows_404(page: Page) -> None:
    page.goto("/no/such/page")
    expect(page.get_by_text("This page does not exist")).to_be_visible()


def test_security_headers_and_foreign_origin_socket_refused(page: Page, app_url: str) -> None:
    response = page.request.get("/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    import base64
    import os
    import socket
    from urllib.parse import urlparse

    def handshake(origin: str) -> int:
        """Open the Socket.IO websocket by hand and return the HTTP status of the upgrade."""
        u = urlparse(app_url)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {u.netloc}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
        )
        with socket.create_connection((u.hostname, u.port), timeout=10) as sock:
            sock.sendall(request.encode())
            status_line = sock.recv(1024).split(b"\r\n", 1)[0].decode()
        return int(status_line.split()[1])

    assert handshake(app_url) == 101
    assert handshake("http://evil.example") == 403

"""The session cookie is HttpOnly and never at rest in Reflex's state store; bodies are
bounded and anonymous uploads refused by the running server (issue 19)."""

from __future__ import annotations

import http.client
import re
import time
import uuid
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from bartr.services.session_keys import hash_token
from tests.e2e.conftest import E2E_STATES_DIR
from tests.e2e.journeys import log_in, log_out, sign_up


def _session_cookie(page: Page) -> dict:
    found = [c for c in page.context.cookies() if c["name"] == "bartr_session"]
    assert len(found) == 1, found
    return dict(found[0])


def _state_store_holds(needle: str) -> bool:
    return any(needle.encode() in p.read_bytes() for p in E2E_STATES_DIR.rglob("*") if p.is_file())


def test_the_session_cookie_is_httponly_and_never_in_the_state_store(page: Page) -> None:
    email = f"cookie-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(page, name="Cora Cookie", email=email)
    cookie = _session_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert "bartr_session" not in page.evaluate("document.cookie")
    token = cookie["value"]

    # The member is known on the socket: the onboarding page (member only) loads.
    expect(page.get_by_text("Tell the community about yourself")).to_be_visible()
    time.sleep(1.5)  # the disk state manager writes shortly after each event
    # The store holds the session's hash (so this looked in the right place)...
    assert _state_store_holds(hash_token(token))
    # ...and never the token itself.
    assert not _state_store_holds(token)

    log_out(page)
    expect(page).to_have_url(re.compile(r":\d+/$"))  # /api/auth/logout sent us home
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "bartr_session"]
    page.goto("/settings")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fsettings"))
    log_in(page, email=email)
    expect(page).to_have_url(re.compile(r"/onboarding/?$"))  # not onboarded yet
    second = _session_cookie(page)
    assert second["value"] != token and second["httpOnly"]
    assert "bartr_session" not in page.evaluate("document.cookie")
    time.sleep(1.5)
    assert not _state_store_holds(second["value"])


def _raw(app_url: str, method: str, path: str, headers: dict[str, str], body: bytes = b""):  # type: ignore[no-untyped-def]
    parts = urlsplit(app_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    conn.putrequest(method, path)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    if body:
        conn.send(body)
    response = conn.getresponse()
    status = response.status
    conn.close()
    return status


def test_the_server_refuses_huge_bodies_and_anonymous_uploads(app_url: str) -> None:
    # 1 GiB declared: refused at once, before a byte of it is read.
    assert (
        _raw(
            app_url,
            "POST",
            "/api/stripe/webhook",
            {"content-length": str(1024**3), "stripe-signature": "t=1,v1=x"},
            b"{" * 1024,
        )
        == 413
    )
    # An upload with a made-up Reflex token and no session cookie: 401, nothing stored.
    headers = {
        "content-length": str(2 * 1024**3),
        "content-type": "multipart/form-data; boundary=x",
        "reflex-client-token": "made-up",
        "reflex-event-handler": "state.profile_edit_state.upload_avatar",
    }
    assert _raw(app_url, "POST", "/_upload", headers, b"--x\r\n") in (401, 413)
    small = {**headers, "content-length": "5"}
    assert _raw(app_url, "POST", "/_upload", small, b"--x\r\n") == 401

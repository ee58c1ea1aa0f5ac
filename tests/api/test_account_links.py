"""The emailed links: reset (token kept in an HttpOnly cookie, form posted) and verification."""

from __future__ import annotations

import re
from urllib.parse import unquote

from sqlmodel import Session, select
from starlette.testclient import TestClient

from bartr.api.routes import build_api
from bartr.db import unit_of_work
from bartr.models.accounts import User
from bartr.models.outbox import OutboxEmail
from bartr.services import account_email, accounts, passwords
from tests.factories import PASSWORD, make_user

NEW = "a brand new passphrase"


def _client() -> TestClient:
    return TestClient(build_api(), base_url="http://localhost:3000", follow_redirects=False)


def _token(engine, route: str) -> str:  # type: ignore[no-untyped-def]
    with Session(engine) as db:
        body = db.exec(select(OutboxEmail.text_body).order_by(OutboxEmail.id.desc())).first()  # type: ignore[union-attr]
    match = re.search(rf"{route}/(\S+)", body or "")
    assert match
    return unquote(match.group(1))


def test_reset_link_moves_the_token_into_an_httponly_cookie_and_the_form_uses_it(
    sqlite_engine,
) -> None:  # type: ignore[no-untyped-def]
    with Session(sqlite_engine, expire_on_commit=False) as db:
        maya = make_user(db, email="maya@example.com")
        login = accounts.open_session_for(db, maya)
        db.commit()
    with unit_of_work() as db:
        account_email.request_password_reset(db, email="maya@example.com")
    token = _token(sqlite_engine, "/api/password-reset")
    client = _client()

    opened = client.get(f"/api/password-reset/{token}")
    assert opened.status_code == 303 and opened.headers["location"] == "/reset-password"
    cookie = opened.headers["set-cookie"]
    assert "bartr_reset=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/api/password-reset" in cookie

    mismatch = client.post("/api/password-reset", data={"password": NEW, "password_again": "x"})
    assert mismatch.headers["location"] == "/reset-password?error=mismatch"
    weak = client.post("/api/password-reset", data={"password": "short", "password_again": "short"})
    assert weak.headers["location"] == "/reset-password?error=weak"

    done = client.post("/api/password-reset", data={"password": NEW, "password_again": NEW})
    assert done.status_code == 303 and done.headers["location"] == "/login?reset=1"
    with Session(sqlite_engine) as db:
        user = db.get(User, maya.id)
        assert user is not None and passwords.verify_password(NEW, user.password_hash)
        assert accounts.user_for_token(db, login.token) is None  # logged out everywhere

    # The same link again: refused, nothing changes.
    again = _client()
    assert again.get(f"/api/password-reset/{token}").headers["location"] == (
        "/reset-password?error=link"
    )
    replay = again.post(
        "/api/password-reset",
        data={"password": "another passphrase", "password_again": "another passphrase"},
        cookies={"bartr_reset": token},
    )
    assert replay.headers["location"] == "/reset-password?error=link"
    with Session(sqlite_engine) as db:
        user = db.get(User, maya.id)
        assert user is not None and passwords.verify_password(NEW, user.password_hash)


def test_reset_form_without_a_link_or_with_a_huge_body_is_refused(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    with Session(sqlite_engine) as db:
        make_user(db, email="maya@example.com")
    client = _client()
    nothing = client.post("/api/password-reset", data={"password": NEW, "password_again": NEW})
    assert nothing.headers["location"] == "/reset-password?error=link"
    huge = client.post("/api/password-reset", content=b"password=" + b"x" * 100_000)
    assert huge.status_code == 413
    assert (
        client.get("/api/password-reset/" + "x" * 5000).headers["location"].endswith("error=link")
    )
    with Session(sqlite_engine) as db:
        user = db.exec(select(User)).one()
        assert passwords.verify_password(PASSWORD, user.password_hash)


def test_verify_link_confirms_once(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work() as db:
        account_email.do_sign_up(
            db,
            email="sam@example.com",
            password=PASSWORD,
            password_hash=passwords.hash_password(PASSWORD),
            display_name="Sam",
        )
    token = _token(sqlite_engine, "/api/verify-email")
    client = _client()
    assert client.get(f"/api/verify-email/{token}").headers["location"] == "/verify-email?status=ok"
    with Session(sqlite_engine) as db:
        assert db.exec(select(User)).one().email_verified_at is not None
    assert client.get(f"/api/verify-email/{token}").headers["location"].endswith("status=invalid")
    assert client.get("/api/verify-email/forged").headers["location"].endswith("status=invalid")


def test_one_click_unsubscribe_post_and_get(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import urlsplit

    from bartr.services import email_prefs

    with Session(sqlite_engine, expire_on_commit=False) as db:
        ben = make_user(db, email="ben@example.com")
    url = urlsplit(email_prefs.unsubscribe_post_url(ben.id or 0, "digest"))
    path = f"{url.path}?{url.query}"
    client = _client()
    opened = client.get(path)  # a person: to the page (which unsubscribes and offers undo)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/unsubscribe?")
    with Session(sqlite_engine) as db:
        assert email_prefs.preferences(db, user_id=ben.id or 0).daily_digest

    forged = client.post(path.replace("s=digest", "s=all"), content=b"List-Unsubscribe=One-Click")
    assert forged.status_code == 400
    huge = client.post(path, content=b"x" * 10_000)
    assert huge.status_code == 413
    done = client.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200
    with Session(sqlite_engine) as db:
        prefs = email_prefs.preferences(db, user_id=ben.id or 0)
        assert not prefs.daily_digest and prefs.email_kinds == email_prefs.DEFAULT_EMAIL_KINDS

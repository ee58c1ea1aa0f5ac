"""/api/auth/*: the HttpOnly session cookie, bcrypt off the event loop and outside any write
transaction, attempts limited per address, cross-site posts refused."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from bartr.api.routes import build_api
from bartr.api.socket_session import SessionOnSocket
from bartr.models.accounts import AuthSession, LoginThrottle, User
from bartr.services import accounts, passwords, rate_limits
from bartr.services.session_keys import SESSION_KEY_COOKIE, hash_token
from bartr.settings import get_settings
from tests.factories import PASSWORD, make_user

ORIGIN = get_settings().origins[0]


@pytest.fixture(autouse=True)
def fresh_windows() -> Iterator[None]:
    rate_limits.reset()
    yield
    rate_limits.reset()


def _client() -> TestClient:
    return TestClient(build_api(), base_url=ORIGIN, follow_redirects=False)


def _member(engine: Engine, email: str = "m@example.com") -> User:
    with Session(engine, expire_on_commit=False) as db:
        return make_user(db, email=email)


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as db:
        return int(db.exec(select(func.count()).select_from(model)).one())


def test_login_sets_an_httponly_strict_cookie_and_goes_on(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    _member(sqlite_engine)
    response = _client().post(
        "/api/auth/login",
        data={"email": "m@example.com", "password": PASSWORD, "next": "/wallet"},
        headers={"origin": ORIGIN},
    )
    assert response.status_code == 303 and response.headers["location"] == "/wallet"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("bartr_session=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # the public URL is http here
    token = cookie.split(";")[0].split("=", 1)[1]
    with Session(sqlite_engine) as db:
        assert accounts.user_for_token(db, token) is not None


def test_the_cookie_is_secure_when_the_public_url_is_https(sqlite_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _member(sqlite_engine)
    monkeypatch.setattr(get_settings(), "public_url", "https://bartr.example")
    response = _client().post(
        "/api/auth/login", data={"email": "m@example.com", "password": PASSWORD}
    )
    assert "Secure" in response.headers["set-cookie"]


def test_a_wrong_password_goes_back_with_a_code_and_is_counted(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    _member(sqlite_engine)
    response = _client().post(
        "/api/auth/login",
        data={"email": "m@example.com", "password": "not the password", "next": "/wallet"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?error=credentials&next=%2Fwallet"
    assert "set-cookie" not in response.headers
    with Session(sqlite_engine) as db:
        assert db.get(LoginThrottle, "m@example.com").failures == 1  # type: ignore[union-attr]


def test_a_cross_site_post_is_refused_and_writes_nothing(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    _member(sqlite_engine)
    client = _client()
    for path, data in [
        ("/api/auth/login", {"email": "m@example.com", "password": PASSWORD}),
        ("/api/auth/signup", {"email": "x@example.com", "password": PASSWORD, "display_name": "X"}),
        ("/api/auth/logout", {}),
    ]:
        response = client.post(path, data=data, headers={"origin": "https://evil.example"})
        assert response.status_code == 403 and "set-cookie" not in response.headers
    assert _count(sqlite_engine, AuthSession) == 0 and _count(sqlite_engine, User) == 1


def test_one_address_gets_a_limited_number_of_attempts(sqlite_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(get_settings(), "login_attempts_per_address", 3)
    for n in range(3):
        _member(sqlite_engine, email=f"p{n}@example.com")
    client = _client()
    for n in range(3):  # three different emails: the per-email lock never triggers
        data = {"email": f"p{n}@example.com", "password": "wrong password"}
        assert "error=credentials" in client.post("/api/auth/login", data=data).headers["location"]
    right = {"email": "p0@example.com", "password": PASSWORD}
    response = client.post("/api/auth/login", data=right)
    assert "error=address" in response.headers["location"]
    assert "set-cookie" not in response.headers
    from bartr.state.account_forms import LOGIN_ERRORS

    assert "network" in LOGIN_ERRORS["address"]


def test_sign_up_creates_the_member_and_answers_check_your_inbox_without_a_cookie(
    sqlite_engine,
) -> None:  # type: ignore[no-untyped-def]
    response = _client().post(
        "/api/auth/signup",
        data={"email": "new@example.com", "password": PASSWORD, "display_name": "New"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/signup?sent=1"
    assert "set-cookie" not in response.headers  # log in with the password (or the link)
    with Session(sqlite_engine) as db:
        user = db.exec(select(User).where(User.email == "new@example.com")).one()
        assert passwords.verify_password(PASSWORD, user.password_hash)
        assert user.email_verified_at is None
    bad = _client().post(
        "/api/auth/signup", data={"email": "new@example.com", "password": "x", "display_name": ""}
    )
    assert bad.headers["location"] == "/signup?error=form" and _count(sqlite_engine, User) == 1


def test_sign_up_answers_a_registered_address_exactly_like_a_new_one(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    """#19.6: same status, same location, no cookie either way; the owner gets an email."""
    from bartr.models.outbox import OutboxEmail

    _member(sqlite_engine, email="taken@example.com")
    fresh = _client().post(
        "/api/auth/signup",
        data={"email": "fresh@example.com", "password": PASSWORD, "display_name": "F"},
    )
    taken = _client().post(
        "/api/auth/signup",
        data={"email": "Taken@example.com", "password": "another passphrase", "display_name": "T"},
    )
    assert (fresh.status_code, fresh.headers["location"]) == (
        taken.status_code,
        taken.headers["location"],
    )
    assert "set-cookie" not in fresh.headers and "set-cookie" not in taken.headers
    assert fresh.content == taken.content
    with Session(sqlite_engine) as db:
        assert _count(sqlite_engine, User) == 2
        mails = {m.to_address: m.subject for m in db.exec(select(OutboxEmail)).all()}
    assert mails["fresh@example.com"].startswith("Confirm your email")
    assert "tried to create" in mails["taken@example.com"]


def test_sign_up_is_limited_per_address(sqlite_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(get_settings(), "signup_attempts_per_address", 1)
    client = _client()
    first = {"email": "a@example.com", "password": PASSWORD, "display_name": "A"}
    assert client.post("/api/auth/signup", data=first).status_code == 303
    second = {"email": "b@example.com", "password": PASSWORD, "display_name": "B"}
    assert "error=address" in client.post("/api/auth/signup", data=second).headers["location"]
    assert _count(sqlite_engine, User) == 1


def test_logout_revokes_the_session_and_clears_the_cookie(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    user = _member(sqlite_engine)
    with Session(sqlite_engine, expire_on_commit=False) as db:
        token = accounts.open_session_for(db, user).token
        db.commit()
    client = _client()
    client.cookies.set("bartr_session", token)
    response = client.post("/api/auth/logout")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert 'bartr_session=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]
    with Session(sqlite_engine) as db:
        assert accounts.user_for_token(db, token) is None


def test_bcrypt_runs_off_the_event_loop_and_outside_any_write_transaction(
    sqlite_engine, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """While the password is checked, another connection can take SQLite's write lock
    (no write transaction is open) and no event loop runs in the checking thread."""
    _member(sqlite_engine)
    seen: list[tuple[bool, bool]] = []
    real = passwords.verify_password
    path = sqlite_engine.url.database

    def spy(password: str, hashed: str) -> bool:
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        other = sqlite3.connect(path, timeout=0.2)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writable = True
        except sqlite3.OperationalError:
            writable = False
        finally:
            other.close()
        seen.append((on_loop, writable))
        return real(password, hashed)

    monkeypatch.setattr(passwords, "verify_password", spy)
    monkeypatch.setattr(passwords, "hash_password", _spy_hash(seen, path))
    client = _client()
    client.post("/api/auth/login", data={"email": "m@example.com", "password": PASSWORD})
    client.post("/api/auth/login", data={"email": "m@example.com", "password": "wrong one!"})
    client.post(
        "/api/auth/signup",
        data={"email": "s@example.com", "password": PASSWORD, "display_name": "S"},
    )
    assert len(seen) == 3
    assert seen == [(False, True)] * 3


def _spy_hash(seen: list[tuple[bool, bool]], path: str):  # type: ignore[no-untyped-def]
    real = passwords.hash_password

    def spy(password: str, *, rounds: int | None = None) -> str:
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        other = sqlite3.connect(path, timeout=0.2)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writable = True
        except sqlite3.OperationalError:
            writable = False
        finally:
            other.close()
        seen.append((on_loop, writable))
        return real(password, rounds=rounds)

    return spy


def test_the_socket_never_sees_the_raw_token() -> None:
    seen: dict[str, str] = {}

    async def inner(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        seen[scope["path"]] = dict(scope["headers"]).get(b"cookie", b"").decode()

    app = SessionOnSocket(inner)
    forged = f"{SESSION_KEY_COOKIE}={hash_token('someone-else')}"
    header = f"theme=dark; bartr_session=tok123; {forged}".encode()
    for kind, path in [("websocket", "/_event/"), ("http", "/api/media/x")]:
        scope = {"type": kind, "path": path, "headers": [(b"cookie", header)]}
        asyncio.run(app(scope, None, None))  # type: ignore[arg-type]
    assert seen["/_event/"] == f"theme=dark; {SESSION_KEY_COOKIE}={hash_token('tok123')}"
    assert "tok123" not in seen["/_event/"] and hash_token("someone-else") not in seen["/_event/"]
    assert seen["/api/media/x"] == header.decode()  # HTTP routes read the real cookie


def test_the_login_page_gets_json_and_the_cookie(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    _member(sqlite_engine)
    client = _client()
    json_headers = {"accept": "application/json", "origin": ORIGIN}
    wrong = client.post(
        "/api/auth/login",
        data={"email": "m@example.com", "password": "nope nope nope"},
        headers=json_headers,
    )
    assert wrong.status_code == 400 and wrong.json() == {"error": "credentials"}
    right = client.post(
        "/api/auth/login",
        data={"email": "m@example.com", "password": PASSWORD, "next": "/wallet"},
        headers=json_headers,
    )
    assert right.json() == {"next": "/wallet"} and "HttpOnly" in right.headers["set-cookie"]
    token = right.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    assert token not in right.text  # the page never sees the token


def test_hsts_only_when_served_over_https() -> None:
    from bartr.api.security_headers import HEADERS, headers_for

    assert dict(headers_for(True))[b"strict-transport-security"].startswith(b"max-age=31536000")
    assert b"strict-transport-security" not in dict(headers_for(False))
    assert b"strict-transport-security" not in dict(HEADERS)  # the tests' public URL is http

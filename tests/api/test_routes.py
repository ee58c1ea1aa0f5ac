"""The /api routes beside Reflex: health, avatars, calendar downloads."""

from __future__ import annotations

import urllib.request

from sqlmodel import Session
from starlette.testclient import TestClient

from bartr.adapters import registry
from bartr.adapters.storage import LocalStorage
from bartr.api.routes import build_api
from bartr.services import accounts
from tests.factories import PASSWORD, make_user
from tests.services.session_factories import make_pair, scheduled


def test_health_answers_ok(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    assert TestClient(build_api()).get("/api/health").json() == {"status": "ok"}


def test_avatar_route_serves_only_our_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "avatars").mkdir()
    (tmp_path / "avatars" / "abc.webp").write_bytes(b"RIFF....WEBP")
    (tmp_path / "bartr.db").write_bytes(b"secret")
    client = TestClient(build_api())
    registry.override("storage", LocalStorage(tmp_path / "media"))
    try:
        assert client.get("/api/media/avatars/abc.webp").status_code == 404
    finally:
        registry.override("storage", None)
    registry.override("storage", LocalStorage(tmp_path))
    try:
        assert client.get("/api/media/avatars/abc.webp").content == b"RIFF....WEBP"
        assert client.get("/api/media/avatars/..%2Fbartr.db").status_code == 404
        assert client.get("/api/media/avatars/missing.webp").status_code == 404
    finally:
        registry.override("storage", None)


def test_session_ics_needs_the_participants_cookie(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    with Session(sqlite_engine, expire_on_commit=False) as db:
        pair = make_pair(db)
        booked = scheduled(db, pair)
        token = accounts.do_login(db, email=pair.learner.email, password=PASSWORD).token
        stranger = make_user(db)
        other = accounts.do_login(db, email=stranger.email, password=PASSWORD).token
        db.commit()
    client = TestClient(build_api())
    url = f"/api/calendar/session/{booked.id}.ics"
    assert client.get(url).status_code == 404
    client.cookies.set("bartr_session", other)
    assert client.get(url).status_code == 404
    client.cookies.set("bartr_session", token)
    response = client.get(url)
    assert response.status_code == 200 and b"BEGIN:VEVENT" in response.content
    assert response.headers["content-type"].startswith("text/calendar")


def test_avatar_route_redirects_to_a_short_lived_s3_url(s3_storage) -> None:  # type: ignore[no-untyped-def]
    s3_storage.save("avatars/abc.webp", [b"RIFF....WEBP"])
    registry.override("storage", s3_storage)
    try:
        client = TestClient(build_api())
        answer = client.get("/api/media/avatars/abc.webp", follow_redirects=False)
        assert answer.status_code == 302
        assert "X-Amz-Expires=300" in answer.headers["location"]
        with urllib.request.urlopen(answer.headers["location"], timeout=10) as resp:
            assert resp.read() == b"RIFF....WEBP"
    finally:
        registry.override("storage", None)

"""GET /api/courses/items/<id>/file: the access matrix on both storage backends, Range
requests, presigned redirects, and the headers that keep a browser from running a file."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from bartr.adapters import registry
from bartr.adapters.storage import FileStorage, LocalStorage
from bartr.api.course_files import parse_range
from bartr.api.routes import build_api
from bartr.services import accounts, course_items
from tests.factories import PASSWORD
from tests.services.course_factories import (
    ALLOWED,
    MP4,
    PDF,
    PDF_WITH_JS,
    ROLES,
    World,
    add_file,
    make_world,
)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FileStorage]:
    chosen: FileStorage = (
        LocalStorage(tmp_path / "media")
        if request.param == "local"
        else request.getfixturevalue("s3_storage")
    )
    registry.override("storage", chosen)
    yield chosen
    registry.override("storage", None)


def _world(engine: Engine, store: FileStorage) -> tuple[World, dict[str, str | None]]:
    with Session(engine, expire_on_commit=False) as db:
        world = make_world(db, store)
        tokens: dict[str, str | None] = {}
        for role, user in world.members.items():
            tokens[role] = (
                accounts.do_login(db, email=user.email, password=PASSWORD).token if user else None
            )
        db.commit()
    return world, tokens


def _client(token: str | None) -> TestClient:
    client = TestClient(build_api())
    if token:
        client.cookies.set("bartr_session", token)
    return client


def _fetch(client: TestClient, url: str) -> tuple[int, bytes, dict[str, str]]:
    """Follow a presigned redirect out to the S3 server, as a browser would."""
    answer = client.get(url, follow_redirects=False)
    if answer.status_code == 302:
        with urllib.request.urlopen(answer.headers["location"], timeout=10) as resp:
            return 200, resp.read(), dict(resp.headers)
    return answer.status_code, answer.content, dict(answer.headers)


def test_access_matrix_on_the_download_route(sqlite_engine: Engine, store: FileStorage) -> None:
    world, tokens = _world(sqlite_engine, store)
    for role in ROLES:
        client = _client(tokens[role])
        for item, data in ((world.pdf, PDF), (world.video, MP4)):
            status, body, headers = _fetch(client, f"/api/courses/items/{item.id}/file")
            if role in ALLOWED:
                assert (status, body) == (200, data), role
            else:
                assert status == 404 and data not in body, role
                assert headers["x-content-type-options"] == "nosniff"
    # An item that does not exist answers the same as a locked one.
    assert _client(tokens["stranger"]).get("/api/courses/items/999999/file").status_code == 404


def test_deleted_item_is_refused_on_the_route_except_to_admins(
    sqlite_engine: Engine, store: FileStorage
) -> None:
    world, tokens = _world(sqlite_engine, store)
    with Session(sqlite_engine, expire_on_commit=False) as db:
        course_items.do_delete_item(db, actor=world.teacher, item_id=world.pdf.id or 0)
        db.commit()
    url = f"/api/courses/items/{world.pdf.id}/file"
    for role in ("teacher", "accepted", "completed"):
        assert _fetch(_client(tokens[role]), url)[0] == 404
    assert _fetch(_client(tokens["admin"]), url)[:2] == (200, PDF)


def test_local_files_stream_with_ranges_and_safe_headers(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    store = LocalStorage(tmp_path / "media")
    registry.override("storage", store)
    try:
        world, tokens = _world(sqlite_engine, store)
        client = _client(tokens["accepted"])
        url = f"/api/courses/items/{world.video.id}/file"
        whole = client.get(url)
        assert whole.status_code == 200 and whole.content == MP4
        assert whole.headers["accept-ranges"] == "bytes"
        assert whole.headers["content-type"] == "video/mp4"
        assert whole.headers["x-content-type-options"] == "nosniff"
        assert whole.headers["cache-control"] == "private, no-store"
        assert whole.headers["content-disposition"].startswith('inline; filename="lesson-1.mp4"')
        part = client.get(url, headers={"Range": "bytes=100-1123"})
        assert part.status_code == 206
        assert part.content == MP4[100:1124]
        assert part.headers["content-range"] == f"bytes 100-1123/{len(MP4)}"
        assert part.headers["content-length"] == "1024"
        tail = client.get(url, headers={"Range": "bytes=-10"})
        assert (tail.status_code, tail.content) == (206, MP4[-10:])
        open_end = client.get(url, headers={"Range": f"bytes={len(MP4) - 3}-"})
        assert (open_end.status_code, open_end.content) == (206, MP4[-3:])
        bad = client.get(url, headers={"Range": f"bytes={len(MP4)}-"})
        assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{len(MP4)}"
        head = client.head(url, headers={"Range": "bytes=0-9"})
        assert head.status_code == 206 and head.headers["content-length"] == "10"
        download = client.get(url + "?download=1")
        assert download.headers["content-disposition"].startswith("attachment;")
    finally:
        registry.override("storage", None)


def test_pdf_with_javascript_is_refused_and_pdfs_are_never_served_as_html(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    store = LocalStorage(tmp_path / "media")
    registry.override("storage", store)
    try:
        world, tokens = _world(sqlite_engine, store)
        with Session(sqlite_engine, expire_on_commit=False) as db:
            with pytest.raises(Exception, match="JavaScript"):
                add_file(db, store, world.teacher, world.course.id or 0, PDF_WITH_JS, "x.pdf")
            # An HTML page named .pdf is refused by its bytes too.
            with pytest.raises(Exception, match="not a PDF"):
                add_file(db, store, world.teacher, world.course.id or 0, b"<html>" * 20, "x.pdf")
        answer = _client(tokens["accepted"]).get(f"/api/courses/items/{world.pdf.id}/file")
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["content-disposition"].startswith("inline; filename=")
        assert "frame-ancestors 'self'" in answer.headers["content-security-policy"]
    finally:
        registry.override("storage", None)


def test_s3_answers_with_a_short_lived_presigned_redirect(
    sqlite_engine: Engine, s3_storage: FileStorage
) -> None:
    registry.override("storage", s3_storage)
    try:
        world, tokens = _world(sqlite_engine, s3_storage)
        answer = _client(tokens["accepted"]).get(
            f"/api/courses/items/{world.pdf.id}/file", follow_redirects=False
        )
        assert answer.status_code == 302
        assert answer.headers["cache-control"] == "private, no-store"
        query = parse_qs(urlparse(answer.headers["location"]).query)
        assert query["X-Amz-Expires"] == ["300"]  # BARTR_S3_PRESIGN_SECONDS
        assert query["response-content-type"] == ["application/pdf"]
        assert query["response-content-disposition"][0].startswith("inline;")
        with urllib.request.urlopen(answer.headers["location"], timeout=10) as resp:
            assert resp.read() == PDF
        # The logged-out browser a URL was pasted into gets no redirect at all.
        url = f"/api/courses/items/{world.pdf.id}/file"
        assert _client(None).get(url, follow_redirects=False).status_code == 404
    finally:
        registry.override("storage", None)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-9", (0, 9)),
        ("bytes=5-", (5, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=-500", (0, 99)),
        ("bytes=90-500", (90, 99)),
        ("bytes=100-", False),
        ("bytes=9-3", False),
        ("bytes=-0", False),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
    ],
)
def test_parse_range(header: str | None, expected: object) -> None:
    assert parse_range(header, 100) == expected

"""Headers every response gets, and the year-long cache on content-hashed build files."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from bartr.api.security_headers import SecurityHeaders


def _client() -> TestClient:
    async def ok(request: object) -> PlainTextResponse:
        return PlainTextResponse("x")

    async def missing(request: object) -> PlainTextResponse:
        return PlainTextResponse("no", status_code=404)

    inner = Starlette(
        routes=[
            Route("/assets/_index-CiUz1o6n.js", ok),
            Route("/assets/gone-AAAAAAAA.js", missing),
            Route("/marketplace", ok),
        ]
    )
    return TestClient(SecurityHeaders(inner))


def test_hashed_build_files_are_cached_for_a_year_and_immutable() -> None:
    response = _client().get("/assets/_index-CiUz1o6n.js")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-security-policy" in response.headers


def test_pages_and_missing_assets_are_not_cached_forever() -> None:
    client = _client()
    assert "immutable" not in client.get("/marketplace").headers.get("cache-control", "")
    assert "cache-control" not in client.get("/assets/gone-AAAAAAAA.js").headers

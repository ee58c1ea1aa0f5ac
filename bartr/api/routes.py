"""HTTP routes beside Reflex's own, all under /api/."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bartr.adapters import registry
from bartr.api import auth_routes
from bartr.api.account_links import (
    one_click_unsubscribe,
    open_reset_link,
    open_verify_link,
    submit_new_password,
)
from bartr.api.course_files import course_file
from bartr.db import read_session, unit_of_work
from bartr.services import accounts
from bartr.services.errors import DomainError, NotFound
from bartr.settings import get_settings

log = logging.getLogger("bartr.api")


def _viewer_token(request: Request) -> str | None:
    return request.cookies.get("bartr_session")


async def health(_: Request) -> Response:
    def check() -> bool:
        from sqlalchemy import text

        with read_session() as db:
            db.exec(text("select 1"))  # type: ignore[call-overload]
        return True

    try:
        await run_in_threadpool(check)
    except Exception:
        log.exception("health check failed")
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def avatar(request: Request) -> Response:
    from bartr.services.avatars import avatar_key

    key = avatar_key(f"avatars/{request.path_params['name']}")
    if key is None:
        return Response(status_code=404)
    store = registry.storage()
    path = store.local_path(key)
    if path is not None:
        return FileResponse(path, headers={"cache-control": "public, max-age=86400"})
    # A remote store: avatars are public pictures, so a short-lived signed link will do.
    url = await run_in_threadpool(
        store.presigned_url,
        key,
        expires_in=get_settings().s3_presign_seconds,
        filename="avatar.webp",
        content_type="image/webp",
    )
    if url is None:
        return Response(status_code=404)
    return RedirectResponse(url, status_code=302, headers={"cache-control": "private, max-age=60"})


async def session_ics(request: Request) -> Response:
    from bartr.services import calendar_feed

    session_id = int(request.path_params["session_id"])
    token = _viewer_token(request)

    def build() -> bytes:
        with read_session() as db:
            user = accounts.user_for_token(db, token)
            if user is None:
                raise NotFound("Log in to download this session.")
            return calendar_feed.session_ics(db, actor=user, session_id=session_id)

    try:
        body = await run_in_threadpool(build)
    except DomainError as exc:
        return JSONResponse({"error": exc.message}, status_code=404)
    return Response(
        body,
        media_type="text/calendar",
        headers={"content-disposition": f'attachment; filename="bartr-session-{session_id}.ics"'},
    )


async def calendar_feed_route(request: Request) -> Response:
    from bartr.services import calendar_feed

    token = request.path_params["token"]

    def build() -> bytes:
        with read_session() as db:
            return calendar_feed.feed_ics(db, token=token)

    try:
        body = await run_in_threadpool(build)
    except DomainError:
        return Response("Unknown calendar feed", status_code=404)
    return Response(body, media_type="text/calendar")


async def stripe_webhook(request: Request) -> Response:
    from bartr.api.stripe_webhook import stripe_webhook as handler

    return await handler(request)


async def livekit_webhook(request: Request) -> Response:
    from bartr.api.livekit_webhook import livekit_webhook as handler

    return await handler(request)


def build_api() -> Starlette:
    return Starlette(
        routes=[
            Route("/api/health", health, methods=["GET"]),
            Route("/api/media/avatars/{name}", avatar, methods=["GET"]),
            Route("/api/courses/items/{item_id:int}/file", course_file, methods=["GET", "HEAD"]),
            Route("/api/calendar/session/{session_id:int}.ics", session_ics, methods=["GET"]),
            Route("/api/calendar/feed/{token}.ics", calendar_feed_route, methods=["GET"]),
            Route("/api/stripe/webhook", stripe_webhook, methods=["POST"]),
            Route("/api/livekit/webhook", livekit_webhook, methods=["POST"]),
            Route("/api/auth/login", auth_routes.login, methods=["POST"]),
            Route("/api/auth/signup", auth_routes.signup, methods=["POST"]),
            Route("/api/auth/logout", auth_routes.logout, methods=["POST"]),
            Route("/api/password-reset/{token}", open_reset_link, methods=["GET"]),
            Route("/api/password-reset", submit_new_password, methods=["POST"]),
            Route("/api/verify-email/{token}", open_verify_link, methods=["GET"]),
            Route("/api/unsubscribe", one_click_unsubscribe, methods=["GET", "POST"]),
        ]
    )


__all__ = ["build_api", "unit_of_work"]

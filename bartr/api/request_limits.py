"""ASGI middleware in front of the whole app: bounded request bodies, no anonymous uploads.

Starlette and Reflex read a body before any handler can look at it (`await request.body()`
in a route, the multipart spool of `/_upload`), so the bound has to sit in front of them:

- a declared `Content-Length` over the limit is refused (413) before a byte is read;
- a streamed (chunked) body is counted as it arrives and refused (413) the moment it passes
  the limit; the app then sees the client as gone and stops reading;
- `POST /_upload` without a live BARTR session is refused (401) before a byte is read.

Limits come from settings, per path and, for `/_upload`, per event handler (Reflex names the
handler in the `Reflex-Event-Handler` header): `upload_limits()` is the registry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http.cookies import SimpleCookie

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bartr.settings import get_settings

log = logging.getLogger("bartr.api.limits")

UPLOAD_PATH = "/_upload"
SESSION_COOKIE = "bartr_session"
# Multipart framing and Reflex's small bound-arguments field around an uploaded file.
MULTIPART_SLACK = 64 * 1024


def upload_limits() -> dict[str, int]:
    """Body limit per upload handler, keyed "<snake_case state class>.<handler>".

    A handler not listed here gets `request_max_bytes` (uploads are refused in practice).
    """
    s = get_settings()
    return {
        "profile_edit_state.upload_avatar": s.avatar_max_bytes + MULTIPART_SLACK,
        "course_page_state.upload": s.course_upload_max_bytes,
    }


def path_limits() -> dict[str, int]:
    s = get_settings()
    return {"/api/stripe/webhook": s.stripe_webhook_max_bytes}


def handler_key(header: str) -> str:
    """'...bartr___state___profile_edit____profile_edit_state.upload_avatar' ->
    'profile_edit_state.upload_avatar' (Reflex's full state name, then the handler)."""
    state_part, _, handler = header.rpartition(".")
    return f"{state_part.rsplit('____', 1)[-1]}.{handler}" if handler else ""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def session_token_from(cookie_header: str | None) -> str:
    if not cookie_header:
        return ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:  # a malformed header is no session
        return ""
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel is not None else ""


def _live_session(token: str) -> bool:
    from bartr.db import read_session
    from bartr.services import accounts

    with read_session() as db:
        return accounts.user_for_token(db, token) is not None


async def _answer(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


TOO_LARGE = "Request body too large."
NO_SESSION = "Log in to upload files."


class RequestLimits:
    """Wraps the app; `session_check` is replaceable for tests (token -> is it live?)."""

    def __init__(self, app: ASGIApp, session_check: Callable[[str], bool] | None = None) -> None:
        self.app = app
        self.session_check = session_check or _live_session

    def limit_for(self, scope: Scope) -> int:
        path = scope.get("path", "")
        if path == UPLOAD_PATH:
            key = handler_key(_header(scope, b"reflex-event-handler") or "")
            return upload_limits().get(key, get_settings().request_max_bytes)
        return path_limits().get(path, get_settings().request_max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
            await _answer(send, 413, TOO_LARGE)
            return
        if scope.get("path") == UPLOAD_PATH and scope.get("method") == "POST":
            token = session_token_from(_header(scope, b"cookie"))
            if not token or not await run_in_threadpool(self.session_check, token):
                await _answer(send, 401, NO_SESSION)
                return
        await self._bounded(scope, receive, send, limit)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False  # the app began its response
        refused = False  # we answered 413 ourselves; the app's response is dropped

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    log.warning("refused a body past %d bytes on %s", limit, scope.get("path"))
                    if not started:
                        await _answer(send, 413, TOO_LARGE)
                    refused = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise

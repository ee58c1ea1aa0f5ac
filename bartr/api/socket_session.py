"""ASGI middleware in front of Reflex's socket (`/_event`): the raw session token never
reaches it. See bartr/services/session_keys.py for why and how."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from bartr.services.session_keys import socket_cookie_header

EVENT_PATH = "/_event"


class SessionOnSocket:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("path", "").startswith(EVENT_PATH):
            cookies = [v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"cookie"]
            headers = [(k, v) for k, v in scope.get("headers", []) if k != b"cookie"]
            rewritten = socket_cookie_header("; ".join(cookies))
            if rewritten:
                headers.append((b"cookie", rewritten.encode("latin-1")))
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)

"""ASGI middleware adding security headers to every HTTP response (pages and API)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


# Reflex's compiled pages use inline bootstrap scripts and emotion inline styles, so
# 'unsafe-inline' is needed for script and style; everything else is locked to our origin.
# Reflex runs rx.toast, rx.call_script and rx.set_clipboard through eval() in the browser,
# so 'unsafe-eval' is needed for them (with 'unsafe-inline' already allowed it adds little).
def _file_origin() -> str:
    """Where presigned course/avatar URLs point when files live in S3 (else nothing)."""
    from bartr.settings import get_settings

    origin = get_settings().storage_origin
    return f" {origin}" if origin else ""


def _livekit_origin() -> str:
    """LiveKit's HTTP origin (the client checks a failed connection over http(s) too)."""
    from urllib.parse import urlsplit

    from bartr.settings import get_settings

    url = get_settings().livekit_url
    if not url:
        return ""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f" {scheme}://{parts.netloc}" if parts.netloc else ""


_FILES = _file_origin()
_LIVEKIT = _livekit_origin()
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob:{_FILES}",
        "font-src 'self' data:",
        f"connect-src 'self' ws: wss:{_LIVEKIT}",
        f"media-src 'self' blob:{_FILES}",
        f"frame-src 'self'{_FILES}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _https() -> bool:
    from bartr.settings import get_settings

    return get_settings().public_url.startswith("https://")


# Served over https: browsers must never fall back to plain http (a year, subdomains too).
HSTS = [(b"strict-transport-security", b"max-age=31536000; includeSubDomains")]

BASE_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (
        b"permissions-policy",
        b"camera=(self), microphone=(self), display-capture=(self), geolocation=()",
    ),
]


def headers_for(https: bool) -> list[tuple[bytes, bytes]]:
    return BASE_HEADERS + (HSTS if https else [])


HEADERS = headers_for(_https())


# The production build names every file under /assets/ after its content hash
# (`_index-CiUz1o6n.js`): a browser may keep it for a year and never ask again.
IMMUTABLE = [(b"cache-control", b"public, max-age=31536000, immutable")]


def _is_hashed_asset(path: str) -> bool:
    return path.startswith("/assets/") and ".." not in path


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        extra = HEADERS + (IMMUTABLE if _is_hashed_asset(scope.get("path", "")) else [])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                ok = message.get("status", 200) < 400
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (name, value)
                    for name, value in extra
                    if name not in names and (ok or name != b"cache-control")
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""The session cookie and what the socket sees of it.

The browser holds the raw session token in the HttpOnly `bartr_session` cookie, set and
cleared only by HTTP responses (bartr/api/auth_routes.py). Reflex keeps every tab's state,
the socket handshake's headers included, in its state store (`.states/` or Redis), so the
raw token must never reach the socket: a middleware in front of `/_event`
(bartr/api/socket_session.py) replaces it in the handshake's Cookie header by
`bartr_session_key`, the token's SHA-256 (what `auth_sessions.token_hash` stores). A
client-sent `bartr_session_key` is always dropped, so a hash read from a stolen database or
state store logs nobody in: only a raw token, hashed by the server, opens a session.
"""

from __future__ import annotations

import hashlib
from http.cookies import CookieError, SimpleCookie

SESSION_COOKIE = "bartr_session"
SESSION_KEY_COOKIE = "bartr_session_key"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def cookie_value(header: str | None, name: str) -> str:
    """One cookie's value from a Cookie header ("" when absent or the header is malformed)."""
    if not header:
        return ""
    for part in header.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            try:
                jar: SimpleCookie = SimpleCookie()
                jar.load(f"{key}={value}")
                morsel = jar.get(name)
            except CookieError:
                return ""
            return morsel.value if morsel is not None else ""
    return ""


def socket_cookie_header(header: str | None) -> str:
    """The Cookie header as the socket (and Reflex's state store) may see it: every other
    cookie kept, the raw token replaced by its hash, any client-sent hash dropped."""
    kept: list[str] = []
    token = ""
    for part in (header or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == SESSION_COOKIE:
            token = token or value.strip().strip('"')
        elif key != SESSION_KEY_COOKIE:
            kept.append(f"{key}={value}")
    if token and len(token) <= 128:
        kept.append(f"{SESSION_KEY_COOKIE}={hash_token(token)}")
    return "; ".join(kept)

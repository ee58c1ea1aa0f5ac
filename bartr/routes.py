"""Every URL of the app, built in one place so no page spells a path by hand."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

HOME = "/"
LOGIN = "/login"
SIGNUP = "/signup"
ONBOARDING = "/onboarding"
# The session cookie is set and cleared only by these HTTP routes (bartr/api/auth_routes.py).
API_LOGIN = "/api/auth/login"
API_SIGNUP = "/api/auth/signup"
API_LOGOUT = "/api/auth/logout"
MARKETPLACE = "/marketplace"
SESSIONS = "/sessions"
MESSAGES = "/messages"
NOTIFICATIONS = "/notifications"
WALLET = "/wallet"
PROFILE_EDIT = "/profile"
SETTINGS = "/settings"
ADMIN = "/admin"
TRUST = "/trust"  # "How trust works" (public)
COURSES = "/courses"
FORGOT_PASSWORD = "/forgot-password"
RESET_PASSWORD = "/reset-password"  # the form; the emailed link goes through /api first
VERIFY_EMAIL = "/verify-email"  # the outcome of an emailed verification link
UNSUBSCRIBE = "/unsubscribe"
API_PASSWORD_RESET = "/api/password-reset"
API_VERIFY_EMAIL = "/api/verify-email"
API_UNSUBSCRIBE = "/api/unsubscribe"

# Dynamic route patterns (Reflex syntax) and their builders.
PROFILE_PATTERN = "/u/[handle]"
SESSION_PATTERN = "/sessions/[session_id]"
SESSION_ROOM_PATTERN = "/sessions/[session_id]/room"
CONVERSATION_PATTERN = "/messages/[conversation_id]"
COURSE_PATTERN = "/courses/[course_id]"


def profile(handle: Any) -> Any:
    """Accepts a str or a Reflex string Var (pages build links from state)."""
    return f"/u/{quote(handle)}" if isinstance(handle, str) else "/u/" + handle


def session(session_id: Any) -> Any:
    return (
        f"/sessions/{session_id}"
        if isinstance(session_id, int)
        else "/sessions/" + session_id.to_string()
    )


def session_room(session_id: int) -> str:
    """The session's video call (LiveKit room page)."""
    return f"/sessions/{session_id}/room"


def conversation(conversation_id: Any) -> Any:
    return (
        f"/messages/{conversation_id}"
        if isinstance(conversation_id, int)
        else "/messages/" + conversation_id.to_string()
    )


def message_member(handle: Any) -> Any:
    """The "Message" button: opens (or starts) the conversation with that member."""
    return (
        f"{MESSAGES}?to={quote(handle)}" if isinstance(handle, str) else MESSAGES + "?to=" + handle
    )


def login(next_path: str | None = None) -> str:
    if next_path and next_path.startswith("/") and not next_path.startswith("//"):
        return f"{LOGIN}?{urlencode({'next': next_path})}"
    return LOGIN


def signup(ref: str | None = None) -> str:
    return f"{SIGNUP}?{urlencode({'ref': ref})}" if ref else SIGNUP


def safe_next(next_path: str | None, default: str = HOME) -> str:
    """Only same-site relative paths: an open redirect would make phishing easy."""
    if (
        next_path
        and next_path.startswith("/")
        and not next_path.startswith("//")
        and "\\" not in next_path
    ):
        return next_path
    return default


def marketplace(query: dict[str, str] | None = None) -> str:
    return f"{MARKETPLACE}?{urlencode(query)}" if query else MARKETPLACE


def session_ics(session_id: int) -> str:
    return f"/api/calendar/session/{session_id}.ics"


def calendar_feed(token: str) -> str:
    return f"/api/calendar/feed/{token}.ics"


def avatar(path: str | None) -> str:
    """`path` is the stored avatar_path, e.g. 'avatars/<random>.webp'."""
    return f"/api/media/{path}" if path else ""


def course(course_id: Any) -> Any:
    return (
        f"/courses/{course_id}"
        if isinstance(course_id, int)
        else "/courses/" + course_id.to_string()
    )


def course_file(item_id: int) -> str:
    """The checked download route of one course file (never a storage URL)."""
    return f"/api/courses/items/{item_id}/file"


def reset_password_link(token: str) -> str:
    """The emailed link: /api checks it and keeps the token in an HttpOnly cookie."""
    return f"{API_PASSWORD_RESET}/{quote(token, safe='')}"


def verify_email_link(token: str) -> str:
    return f"{API_VERIFY_EMAIL}/{quote(token, safe='')}"

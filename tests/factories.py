"""Small factories that build realistic rows for tests."""

from __future__ import annotations

import asyncio
import inspect
import itertools
from typing import Any

from sqlmodel import Session

from bartr.models.accounts import Role, User
from bartr.services import accounts

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(
    db: Session,
    *,
    name: str | None = None,
    email: str | None = None,
    onboarded: bool = True,
    role: Role = Role.MEMBER,
    timezone: str = "Europe/Berlin",
    languages: list[str] | None = None,
    referral_code: str | None = None,
    verified: bool = True,
) -> User:
    n = next(_seq)
    user = accounts.do_sign_up(
        db,
        email=email or f"member{n}@example.com",
        password=PASSWORD,
        display_name=name or f"Member {n}",
        referral_code=referral_code,
        role=role,
    )
    if verified:  # as if the member had opened the emailed link
        user.email_verified_at = user.created_at
        db.add(user)
        db.flush()
    if onboarded:
        accounts.do_complete_onboarding(
            db, actor=user, bio="Hello", languages=languages or ["English"], timezone=timezone
        )
    db.commit()
    return user


def sign_in(state: Any, token: str, *, url: str | None = None) -> Any:
    """Make a state act as the holder of `token`, the way the socket does: the handshake's
    Cookie header carries the token's hash (bartr/api/socket_session.py), never the token."""
    import dataclasses

    from reflex.istate.data import ReflexURL

    from bartr.services.session_keys import SESSION_COOKIE, socket_cookie_header

    cookie = socket_cookie_header(f"{SESSION_COOKIE}={token}" if token else "")
    current = state.router
    state.router = dataclasses.replace(
        current,
        headers=dataclasses.replace(current.headers, cookie=cookie),
        url=ReflexURL(url) if url is not None else current.url,
    )
    return state


def events_of(result: Any) -> list[Any]:
    """Run what an event handler returned to the end, like Reflex does (a generator, an
    async generator, a coroutine, an event or a list); the events it produced, in order."""
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    if hasattr(result, "__anext__"):

        async def drain() -> list[Any]:
            return [event async for event in result]

        result = asyncio.run(drain())
    elif hasattr(result, "__next__"):
        result = list(result)
    if result is None:
        return []
    items = result if isinstance(result, list) else [result]
    return [item for item in items if item is not None]

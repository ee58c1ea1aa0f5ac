"""The base state: who is acting, resolved on the server from the socket's handshake.

The browser holds the session token in an HttpOnly cookie set by /api/auth/* (no script
reads it). The socket never sees the raw token: a middleware puts its SHA-256 in the
handshake's Cookie header instead (bartr/services/session_keys.py), so neither the page nor
Reflex's state store (`.states/`, Redis) ever holds a credential. Every event re-reads the
member from that key (the user id lives in a backend var). Any handler can be called over
the socket, so handlers call `_require_user(db)` rather than trusting what the page showed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from bartr import routes
from bartr.db import read_session, unit_of_work
from bartr.models.accounts import User
from bartr.services import accounts
from bartr.services.credits import format_credits
from bartr.services.errors import AuthenticationFailed, DomainError
from bartr.services.session_keys import SESSION_COOKIE, SESSION_KEY_COOKIE, cookie_value

log = logging.getLogger("bartr.state")
T = TypeVar("T")

GENERIC_ERROR = "Something went wrong on our side. Nothing was changed; please try again."
__all__ = ["SESSION_COOKIE", "AuthState", "post_to"]


def post_to(path: str) -> Any:
    """A full-page form POST to one of our /api routes (the cookie is set or cleared there;
    the socket reconnects afterwards and carries the new cookie)."""
    return rx.call_script(
        "(() => { const f = document.createElement('form'); f.method = 'post'; "
        f"f.action = {path!r}; document.body.appendChild(f); f.submit(); }})()"
    )


class AuthState(rx.State):
    # What the header shows. Never used to authorise anything.
    logged_in: bool = False
    auth_checked: bool = False
    loaded_route: str = ""  # the route pattern whose on_load chain last finished
    viewer_name: str = ""
    viewer_handle: str = ""
    viewer_avatar: str = ""
    viewer_timezone: str = "UTC"
    is_admin: bool = False
    balance_label: str = ""
    # The "confirm your email" banner (bartr/state/account_email.py sends the link again).
    email_unverified: bool = False

    _user_id: int | None = None

    # --- resolving the actor -------------------------------------------------------
    def _session_key(self) -> str:
        """The session token's SHA-256, from the socket's handshake (never the token)."""
        return cookie_value(self.router.headers.cookie, SESSION_KEY_COOKIE)

    def _current_user(self, db: Session) -> User | None:
        user = accounts.user_for_token_hash(db, self._session_key())
        self._user_id = user.id if user else None
        self._show_viewer(user)
        return user

    def _require_user(self, db: Session) -> User:
        user = self._current_user(db)
        if user is None:
            raise AuthenticationFailed("Your session has ended. Please log in again.")
        return user

    def _show_viewer(self, user: User | None) -> None:
        self.logged_in = user is not None
        self.auth_checked = True
        self.viewer_name = user.display_name if user else ""
        self.viewer_handle = user.handle if user else ""
        self.viewer_avatar = routes.avatar(user.avatar_path) if user else ""
        self.viewer_timezone = user.timezone if user else "UTC"
        self.is_admin = bool(user and user.is_admin)
        self.email_unverified = bool(user and user.email_verified_at is None)

    def _refresh_balance(self, db: Session, user: User | None) -> None:
        if user is None:
            self.balance_label = ""
            return
        from bartr.services import ledger

        self.balance_label = format_credits(ledger.available_balance(db, user.id or 0))

    def _path(self) -> str:
        url = self.router.url
        path = url.path or "/"
        query = getattr(url, "query", "")
        return f"{path}?{query}" if query else path

    # --- running an action -----------------------------------------------------------
    def _run(
        self, action: Callable[[Session, User], T], *, on_error: Callable[[DomainError], None]
    ) -> T | None:
        """One unit of work as the logged-in member; domain errors go to `on_error`."""
        try:
            with unit_of_work() as db:
                user = self._require_user(db)
                return action(db, user)
        except DomainError as exc:
            on_error(exc)
        except Exception:
            log.exception("unexpected error in %s", type(self).__name__)
            on_error(DomainError(GENERIC_ERROR))
        return None

    # --- page guards -------------------------------------------------------------------
    @rx.event
    def mark_loaded(self, route: str) -> None:
        """Last on_load of every page: its content may show (components/shell.layout).

        Until then a member page shows its skeleton, also right after a client-side
        navigation, when the previous page's state is still on the client."""
        self.loaded_route = str(route)[:200]

    @rx.event
    def check_login(self) -> Any:
        """on_load of public pages: know who is looking, without forcing a login."""
        with read_session() as db:
            user = self._current_user(db)
            self._refresh_balance(db, user)

    @rx.event
    def require_login(self) -> Any:
        """on_load of member pages: send visitors to log in and come back after."""
        with read_session() as db:
            user = self._current_user(db)
            self._refresh_balance(db, user)
        if user is None:
            return rx.redirect(routes.login(self._path()))
        if not user.is_onboarded and self.router.url.path != routes.ONBOARDING:
            return rx.redirect(routes.ONBOARDING)
        return None

    @rx.event
    def require_admin(self) -> Any:
        with read_session() as db:
            user = self._current_user(db)
            self._refresh_balance(db, user)  # the header's wallet chip, as on other pages
        if user is None:
            return rx.redirect(routes.login(self._path()))
        if not user.is_admin:
            return rx.redirect(routes.HOME)
        return None

    @rx.event
    def log_out(self) -> Any:
        """Ends this session now; the form post to /api/auth/logout clears the cookie."""
        with unit_of_work() as db:
            accounts.do_logout_session(db, token_hash=self._session_key())
        self._show_viewer(None)
        return post_to(routes.API_LOGOUT)

    @rx.event
    def log_out_everywhere(self) -> Any:
        count = 0

        def act(db: Session, user: User) -> int:
            return accounts.do_logout_everywhere(db, actor=user)

        count = self._run(act, on_error=lambda e: None) or 0
        self._show_viewer(None)
        return [
            rx.toast.success(f"Logged out of {count} session{'s' if count != 1 else ''}."),
            post_to(routes.API_LOGOUT),
        ]

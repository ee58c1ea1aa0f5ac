"""Email preferences on the settings page, and the page a signed unsubscribe link opens."""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr.db import unit_of_work
from bartr.services import email_prefs
from bartr.services.errors import DomainError
from bartr.state.auth import GENERIC_ERROR, AuthState, log


class EmailPrefsState(AuthState):
    kinds: list[dict[str, str]] = []  # {"kind", "label", "email": "1" or ""}
    daily_digest: bool = True
    verified: bool = False
    prefs_error: str = ""

    def _show(self, prefs: email_prefs.Preferences, user: Any) -> None:
        self.kinds = [
            {"kind": kind, "label": label, "email": "1" if kind in prefs.email_kinds else ""}
            for kind, label in email_prefs.EMAIL_KINDS
        ]
        self.daily_digest = prefs.daily_digest
        self.verified = user.email_verified_at is not None

    def _act(self, change: Any) -> None:
        self.prefs_error = ""

        def act(db: Any, user: Any) -> None:
            self._show(change(db, user), user)

        self._run(act, on_error=lambda e: setattr(self, "prefs_error", e.message))

    @rx.event
    def load(self) -> None:
        self._act(lambda db, user: email_prefs.preferences(db, user_id=user.id))

    @rx.event
    def set_email(self, kind: str, on: bool) -> None:
        if not isinstance(kind, str):
            return
        self._act(
            lambda db, user: email_prefs.do_set_email(
                db, actor=user, kind=kind[:40], email=on is True
            )
        )

    @rx.event
    def set_digest(self, on: bool) -> None:
        self._act(lambda db, user: email_prefs.do_set_daily_digest(db, actor=user, on=on is True))


class UnsubscribeState(AuthState):
    """Opening the link unsubscribes (one click); "Undo" subscribes again. The signed query
    (member, scope, signature) is the only key; no login needed."""

    done: bool = False
    undone: bool = False
    what: str = ""
    error: str = ""

    def _apply(self, *, resubscribe: bool) -> None:
        params = self.router.url.query_parameters
        try:
            with unit_of_work() as db:
                self.what = email_prefs.do_unsubscribe(
                    db,
                    user_id=str(params.get("u") or "")[:20],
                    scope=str(params.get("s") or "")[:40],
                    signature=str(params.get("sig") or "")[:64],
                    resubscribe=resubscribe,
                )
        except DomainError as exc:
            self.error = exc.message
        except Exception:
            log.exception("unsubscribe failed")
            self.error = GENERIC_ERROR

    @rx.event
    def load(self) -> None:
        self.done, self.undone, self.what, self.error = False, False, "", ""
        self._apply(resubscribe=False)
        self.done = not self.error

    @rx.event
    def undo(self) -> None:
        self.error = ""
        self._apply(resubscribe=True)
        self.undone = not self.error

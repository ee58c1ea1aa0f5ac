"""Forgot password, the reset form's messages, the verification outcome and the banner.

The secrets of these flows (reset and verification tokens) never pass through here: the
emailed links go to /api routes (bartr/api/account_links.py). These states only show what
happened and ask for new links.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr.db import read_session, unit_of_work
from bartr.services import account_email
from bartr.services.errors import DomainError
from bartr.state.auth import GENERIC_ERROR, AuthState, log

MAX_EMAIL_FIELD = 320

RESET_ERRORS = {
    "link": "This reset link has expired or was already used. Ask for a new one below.",
    "mismatch": "The two passwords are not the same. Type the new password twice.",
    "weak": "Use at least 10 characters, and not something easy to guess (like your email "
    "or a common password). A short phrase works well.",
    "server": GENERIC_ERROR,
}

VERIFY_OUTCOMES = {
    "ok": "ok",
    "invalid": "invalid",
    "error": "error",
}


class ForgotPasswordState(AuthState):
    sent: bool = False
    form_error: str = ""

    @rx.event
    def load(self) -> None:
        self.sent, self.form_error = False, ""
        with read_session() as db:
            self._current_user(db)

    @rx.event
    def submit(self, form: dict[str, Any]) -> None:
        self.form_error = ""
        email = str((form or {}).get("email") or "")[:MAX_EMAIL_FIELD]
        if "@" not in email:
            self.form_error = "Enter the email address you signed up with."
            return
        try:
            with unit_of_work() as db:
                account_email.request_password_reset(db, email=email)
        except Exception:
            log.exception("password reset request failed")
            self.form_error = GENERIC_ERROR
            return
        # The same answer whether or not the address belongs to a member.
        self.sent = True


class ResetPasswordState(AuthState):
    """The form page: shows why the last attempt was refused (a code in the URL, no secret)."""

    error: str = ""

    @rx.event
    def load(self) -> None:
        code = str(self.router.url.query_parameters.get("error") or "")[:16]
        self.error = RESET_ERRORS.get(code, "")
        with read_session() as db:
            self._current_user(db)


class VerifyEmailState(AuthState):
    outcome: str = ""

    @rx.event
    def load(self) -> None:
        status = str(self.router.url.query_parameters.get("status") or "")[:16]
        self.outcome = VERIFY_OUTCOMES.get(status, "invalid")
        with read_session() as db:
            self._current_user(db)


class VerifyBannerState(AuthState):
    """The "confirm your email" banner every page shows until the address is verified."""

    banner_note: str = ""
    banner_error: str = ""

    @rx.event
    def resend(self) -> None:
        self.banner_note, self.banner_error = "", ""

        def act(db: Any, user: Any) -> None:
            account_email.do_resend_verification(db, actor=user)

        def on_error(exc: DomainError) -> None:
            self.banner_error = exc.message

        self._run(act, on_error=on_error)
        if not self.banner_error:
            self.banner_note = "Sent. Check your inbox (and the spam folder)."

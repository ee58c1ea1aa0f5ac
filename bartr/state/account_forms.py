"""Sign-up, log-in and onboarding forms: read input, call accounts, show errors by field."""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr import routes
from bartr.db import read_session
from bartr.services import account_email, accounts
from bartr.services.credits import format_credits
from bartr.services.errors import DomainError
from bartr.services.languages import LANGUAGES, toggled
from bartr.services.validation import all_timezones, canonical_timezone
from bartr.settings import get_settings
from bartr.state.auth import GENERIC_ERROR, AuthState, log

MAX_FIELD = 5000  # anything longer is refused before it reaches a service
ONBOARDING_STEPS = ("About you", "What you teach", "What you want to learn", "When you're free")


def _field_errors(exc: DomainError) -> tuple[dict[str, str], str]:
    if exc.field:
        return {exc.field: exc.message}, ""
    return {}, exc.message


SIGNUP_FORM_ID = "signup-form"
LOGIN_FORM_ID = "login-form"
# /api/auth/* send people back with a code; the page says what it means.
LOGIN_ERRORS = {
    "credentials": "That email and password don't match an account.",
    "missing": "Enter your email and password.",
    "locked": "Too many failed attempts. Try again in a few minutes.",
    "address": "Too many attempts from your network. Try again in a few minutes.",
    "suspended": "This account is suspended. Contact support if you think this is wrong.",
    "closed": "This account is closed. Contact support if you think this is wrong.",
    "generic": GENERIC_ERROR,
}
SIGNUP_ERRORS = {
    "form": "We couldn't create the account. Check the form and try again.",
    "address": "Too many sign-ups from your network. Try again in a few minutes.",
    "generic": GENERIC_ERROR,
}


class SignupState(AuthState):
    errors: dict[str, str] = {}
    form_error: str = ""
    inviter_name: str = ""
    ref_code: str = ""
    submitting: bool = False
    # After /api/auth/signup: "check your inbox", the same for a new and a registered address.
    sent: bool = False
    welcome_reward: str = ""
    referral_reward: str = ""

    @rx.event
    def load(self) -> Any:
        self.errors, self.submitting = {}, False
        params = self.router.url.query_parameters
        self.form_error = SIGNUP_ERRORS.get(params.get("error") or "", "")
        self.sent = params.get("sent") == "1"
        self.ref_code = (params.get("ref") or "")[:32]
        settings = get_settings()
        self.welcome_reward = str(settings.welcome_credits)
        self.referral_reward = str(settings.referral_credits)
        with read_session() as db:
            if self._current_user(db) is not None:
                return rx.redirect(routes.HOME)
            inviter = accounts.find_by_referral_code(db, self.ref_code)
            self.inviter_name = inviter.display_name if inviter else ""
        return None

    @rx.event
    def submit(self, form: dict[str, Any]) -> Any:
        """Check the form field by field (no bcrypt, nothing written); when it is fine, the
        browser posts it to /api/auth/signup, which creates the account and sets the cookie."""
        self.errors, self.form_error = {}, ""
        values = {
            k: str(form.get(k) or "")[: MAX_FIELD * 2]
            for k in ("email", "password", "display_name")
        }
        try:
            # The same checks for a new and a registered address (#19.6): no lookup here.
            account_email.check_sign_up(
                email=values["email"],
                password=values["password"],
                display_name=values["display_name"],
            )
        except DomainError as exc:
            self.errors, self.form_error = _field_errors(exc)
            return None
        except Exception:
            log.exception("sign-up check failed")
            self.form_error = GENERIC_ERROR
            return None
        self.submitting = True
        return rx.call_script(f"document.getElementById({SIGNUP_FORM_ID!r}).submit()")


# Posts the login form to /api/auth/login with fetch: on success the page goes on (a full
# load, so the socket reconnects with the new HttpOnly cookie); on failure the route's error
# code comes back to `LoginState.show_error` and the typed email stays in its field.
LOGIN_SCRIPT = (
    "(async () => { const f = document.getElementById('login-form');"
    " try { const r = await fetch(f.action, {method: 'POST', credentials: 'same-origin',"
    " headers: {accept: 'application/json'}, body: new URLSearchParams(new FormData(f))});"
    " const d = await r.json(); if (d.next) { window.location.assign(d.next); return ''; }"
    " return d.error || 'generic'; } catch (e) { return 'generic'; } })()"
)


class LoginState(AuthState):
    form_error: str = ""
    next_path: str = ""
    submitting: bool = False
    notice: str = ""  # after a password reset

    @rx.event
    def submit(self) -> Any:
        self.form_error, self.submitting = "", True
        return rx.call_script(LOGIN_SCRIPT, callback=LoginState.show_error)

    @rx.event
    def show_error(self, code: Any) -> None:
        """Only known codes become messages: nothing the browser sends is shown as text."""
        self.submitting = False
        self.form_error = LOGIN_ERRORS.get(code, "") if isinstance(code, str) else ""

    @rx.event
    def load(self) -> Any:
        params = self.router.url.query_parameters
        self.form_error = LOGIN_ERRORS.get(params.get("error") or "", "")
        self.notice = (
            "Your password was changed and every session logged out. Log in with the new one."
            if params.get("reset") == "1"
            else ""
        )
        self.submitting = False
        self.next_path = routes.safe_next(params.get("next"), default="")
        with read_session() as db:
            if self._current_user(db) is not None:
                return rx.redirect(routes.safe_next(params.get("next")))
        return None


class OnboardingState(AuthState):
    step: int = 0
    _form_for: int = 0  # the member whose answers the form holds
    bio: str = ""
    languages: list[str] = []
    timezone: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    granted_label: str = ""
    done: bool = False

    @rx.var(cache=True)
    def timezone_options(self) -> list[str]:
        return all_timezones()

    @rx.var(cache=True)
    def language_options(self) -> list[str]:
        return list(LANGUAGES)

    @rx.event
    def load(self) -> Any:
        with read_session() as db:
            user = self._current_user(db)
        if user is None:
            return rx.redirect(routes.login(routes.ONBOARDING))
        self.errors, self.form_error = {}, ""
        if self._form_for != user.id:
            # A fresh form for this member. A repeated load in the same tab (a reconnect,
            # a second on_load chain) keeps what they have typed and the step they are on.
            self._form_for = user.id or 0
            self.done, self.step = False, 0
            self.bio = user.bio
            self.languages = list(user.languages)
            self.timezone = user.timezone if user.is_onboarded else ""
        # Pre-fill the zone from the browser; the member can change it.
        return rx.call_script(
            "Intl.DateTimeFormat().resolvedOptions().timeZone",
            callback=OnboardingState.set_browser_timezone,
        )

    @rx.event
    def set_browser_timezone(self, zone: str) -> None:
        if not isinstance(zone, str):
            return
        zone = canonical_timezone(zone[:64])  # browsers still say Asia/Calcutta
        if not self.timezone and zone in self.timezone_options:
            self.timezone = zone

    @rx.event
    def set_bio(self, value: str) -> None:
        self.bio = value[:MAX_FIELD]

    @rx.event
    def set_timezone(self, value: str) -> None:
        self.timezone = value[:64]

    @rx.event
    def toggle_language(self, name: str) -> None:
        self.languages = toggled(self.languages, name)

    @rx.event
    def finish(self) -> Any:
        self.errors, self.form_error = {}, ""
        granted = 0

        def act(db: Any, user: Any) -> int:
            was_new = not user.is_onboarded
            from bartr.services import ledger

            before = ledger.available_balance(db, user.id)
            accounts.do_complete_onboarding(
                db, actor=user, bio=self.bio, languages=self.languages, timezone=self.timezone
            )
            self._refresh_balance(db, user)
            return ledger.available_balance(db, user.id) - before if was_new else 0

        def on_error(exc: DomainError) -> None:
            self.errors, self.form_error = _field_errors(exc)

        result = self._run(act, on_error=on_error)
        if result is None:
            return None
        granted = result
        self.step = 1
        self.granted_label = format_credits(granted) if granted else ""
        return None

    @rx.event
    def next_step(self) -> None:
        """Teach, learn and availability steps save as they go; moving on needs no input."""
        if self.step >= len(ONBOARDING_STEPS) - 1:
            self.done = True
        elif self.step >= 1:
            self.step += 1

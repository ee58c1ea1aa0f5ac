"""Sign-up, log-in and onboarding forms: read input, call accounts, show errors by field."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from bartr import routes
from bartr.db import read_session, unit_of_work
from bartr.services import account_email, accounts, passwords
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


class SignupState(AuthState):
    errors: dict[str, str] = {}
    form_error: str = ""
    inviter_name: str = ""
    ref_code: str = ""
    submitting: bool = False
    sent_to: str = ""  # set after submitting: "we sent a link to ..."
    welcome_reward: str = ""
    referral_reward: str = ""

    @rx.event
    def load(self) -> Any:
        self.errors, self.form_error, self.submitting, self.sent_to = {}, "", False, ""
        self.ref_code = (self.router.url.query_parameters.get("ref") or "")[:32]
        with read_session() as db:
            if self._current_user(db) is not None:
                return rx.redirect(routes.HOME)
            inviter = accounts.find_by_referral_code(db, self.ref_code)
            self.inviter_name = inviter.display_name if inviter else ""
        settings = get_settings()
        self.welcome_reward = str(settings.welcome_credits)
        self.referral_reward = str(settings.referral_credits)
        return None

    @rx.event
    async def submit(self, form: dict[str, Any]) -> Any:
        """The same answer for a new and a registered address (#19.6): "check your inbox".

        bcrypt runs in a thread before the transaction; the account (or the email to the
        address's owner) is written in one unit of work, also off the event loop."""
        if self.submitting:
            return
        self.errors, self.form_error = {}, ""
        values = {
            k: str(form.get(k) or "")[: MAX_FIELD * 2]
            for k in ("email", "password", "display_name")
        }
        ref_code = self.ref_code or None
        try:
            clean = account_email.check_sign_up(
                email=values["email"],
                password=values["password"],
                display_name=values["display_name"],
            )
        except DomainError as exc:
            self.errors, self.form_error = _field_errors(exc)
            return
        self.submitting = True
        yield
        try:
            hashed = await asyncio.to_thread(passwords.hash_password, values["password"])

            def work() -> None:
                with unit_of_work() as db:
                    account_email.do_sign_up(
                        db,
                        email=values["email"],
                        password=values["password"],
                        password_hash=hashed,
                        display_name=values["display_name"],
                        referral_code=ref_code,
                    )

            await asyncio.to_thread(work)
        except DomainError as exc:
            self.errors, self.form_error = _field_errors(exc)
            self.submitting = False
            return
        except Exception:
            log.exception("sign-up failed")
            self.form_error = GENERIC_ERROR
            self.submitting = False
            return
        self.submitting = False
        self.sent_to = clean


class LoginState(AuthState):
    form_error: str = ""
    notice: str = ""

    @rx.event
    def load(self) -> Any:
        self.form_error = ""
        self.notice = (
            "Your password was changed and every session logged out. Log in with the new one."
            if self.router.url.query_parameters.get("reset") == "1"
            else ""
        )
        with read_session() as db:
            if self._current_user(db) is not None:
                return rx.redirect(routes.safe_next(self.router.url.query_parameters.get("next")))
        return None

    @rx.event
    def submit(self, form: dict[str, Any]) -> Any:
        self.form_error = ""
        email = str(form.get("email") or "")[:MAX_FIELD]
        password = str(form.get("password") or "")[: accounts.MAX_PASSWORD + 1]
        try:
            # The failure count must persist, so the error is caught inside the unit of work.
            with unit_of_work() as db:
                try:
                    result = accounts.do_login(db, email=email, password=password)
                except DomainError as exc:
                    self.form_error = exc.message
                    return None
        except Exception:
            log.exception("login failed")
            self.form_error = GENERIC_ERROR
            return None
        self.token = result.token
        self._show_viewer(result.user)
        target = routes.safe_next(self.router.url.query_parameters.get("next"))
        if not result.user.is_onboarded:
            target = routes.ONBOARDING
        return rx.redirect(target)


class OnboardingState(AuthState):
    step: int = 0
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
        self.errors, self.form_error, self.done, self.step = {}, "", False, 0
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

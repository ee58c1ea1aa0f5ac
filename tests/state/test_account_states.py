"""Sign-up, log-in and onboarding handlers: server-side checks whatever the browser sends."""

from __future__ import annotations

import dataclasses

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bartr.models.accounts import User
from bartr.services import accounts, ledger
from bartr.state.account_forms import LoginState, OnboardingState, SignupState
from tests.factories import PASSWORD, make_user


def _log_in(engine: Engine, email: str) -> str:
    with Session(engine, expire_on_commit=False) as db:
        token = accounts.do_login(db, email=email, password=PASSWORD).token
        db.commit()
    return token


def _users(engine: Engine) -> int:
    with Session(engine) as db:
        return int(db.exec(select(func.count()).select_from(User)).one())


def test_sign_up_checks_the_form_then_hands_it_to_the_http_route(make_state, sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    """The handler writes nothing and never sees a token: /api/auth/signup does both."""
    state = make_state(SignupState)
    events = state.submit({"email": "new@example.com", "password": PASSWORD, "display_name": "New"})
    assert state.errors == {} and state.form_error == "" and state.submitting
    assert events is not None and "signup-form" in str(events)
    assert _users(sqlite_engine) == 0 and not state.logged_in


def test_oversized_and_hostile_input_gets_field_errors_and_writes_nothing(
    make_state, sqlite_engine
) -> None:  # type: ignore[no-untyped-def]
    state = make_state(SignupState)
    state.submit({"email": "x@example.com", "password": PASSWORD, "display_name": "y" * 1_000_000})
    assert "display_name" in state.errors
    state.submit({"email": "<script>@x", "password": PASSWORD, "display_name": "Z"})
    assert "email" in state.errors
    state.submit({"email": None, "password": None, "display_name": None})
    assert state.errors
    assert _users(sqlite_engine) == 0 and not state.submitting


def test_the_login_page_shows_the_routes_error_code_as_a_message(make_state) -> None:  # type: ignore[no-untyped-def]
    from reflex.istate.data import ReflexURL

    from bartr.state.account_forms import LOGIN_ERRORS

    state = make_state(LoginState)
    state.router = dataclasses.replace(
        state.router, url=ReflexURL("http://t/login?error=locked&next=/wallet")
    )
    state.load()
    assert state.form_error == LOGIN_ERRORS["locked"] and state.next_path == "/wallet"
    state.router = dataclasses.replace(
        state.router, url=ReflexURL("http://t/login?error=<b>made up</b>&next=//evil.example")
    )
    state.load()
    assert state.form_error == "" and state.next_path == ""


def test_onboarding_needs_a_valid_token_whatever_the_page_showed(make_state, sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    with Session(sqlite_engine, expire_on_commit=False) as db:
        make_user(db, email="onb@example.com", onboarded=False)
    forged = make_state(OnboardingState, token="forged-token-value")
    forged.languages, forged.timezone = ["English"], "Europe/Paris"
    forged.finish()
    assert "session has ended" in forged.form_error and forged.step == 0

    state = make_state(OnboardingState, token=_log_in(sqlite_engine, "onb@example.com"))
    state.languages, state.timezone, state.bio = ["English"], "Europe/Paris", "Hi"
    state.finish()
    assert state.step == 1 and state.granted_label == "2"
    for _ in range(3):
        state.next_step()
    assert state.done
    with Session(sqlite_engine) as db:
        user = db.exec(select(User).where(User.email == "onb@example.com")).one()
        assert user.is_onboarded and ledger.available_balance(db, user.id or 0) == 120
    # A second call (double click, replayed event) grants nothing more.
    state.finish()
    with Session(sqlite_engine) as db:
        assert ledger.available_balance(db, user.id or 0) == 120


def test_onboarding_finish_saves_the_windows_on_screen_in_the_zone_just_chosen(
    make_state, sqlite_engine
) -> None:  # type: ignore[no-untyped-def]
    from bartr.services import availability
    from bartr.state.profile_edit import AvailabilityEditorState

    with Session(sqlite_engine, expire_on_commit=False) as db:
        make_user(db, email="zone@example.com", onboarded=False)
    token = _log_in(sqlite_engine, "zone@example.com")
    onboarding = make_state(OnboardingState, token=token)
    onboarding.load()
    onboarding.set_browser_timezone("Asia/Calcutta")  # what Chromium still reports
    assert onboarding.timezone == "Asia/Kolkata"
    onboarding.languages = ["English"]
    onboarding.finish()
    assert onboarding.step == 1

    editor = make_state(AvailabilityEditorState, token=token)
    editor.load()  # entering the availability step reloads the editor
    assert editor.zone == "Asia/Kolkata"
    editor.add_window(0)
    assert editor.dirty
    editor.save_and_finish()
    assert editor.finished
    assert not editor.dirty
    with Session(sqlite_engine) as db:
        user = db.exec(select(User).where(User.email == "zone@example.com")).one()
        windows, zone = availability.windows_for(db, user.id or 0)
        assert user.timezone == "Asia/Kolkata" and str(zone) == "Asia/Kolkata"
        assert [(w.weekday, w.start_minute, w.end_minute) for w in windows] == [(0, 540, 720)]

    # A save the service refuses keeps the member on the step with the reason.
    editor.set_end(editor.windows[0].key, "08:00")
    editor.finished = False
    editor.save_and_finish()
    assert not editor.finished and editor.dirty and editor.error


def test_login_errors_come_back_as_codes_never_as_text(make_state) -> None:  # type: ignore[no-untyped-def]
    from bartr.state.account_forms import LOGIN_ERRORS

    state = make_state(LoginState)
    assert "login-form" in str(state.submit()) and state.submitting
    state.show_error("credentials")
    assert state.form_error == LOGIN_ERRORS["credentials"] and not state.submitting
    state.show_error("<img src=x onerror=alert(1)>")
    assert state.form_error == ""
    state.show_error({"nested": "object"})
    assert state.form_error == ""


def test_sign_up_check_does_not_tell_a_registered_address_from_a_new_one(
    make_state, sqlite_engine
) -> None:  # type: ignore[no-untyped-def]
    with Session(sqlite_engine, expire_on_commit=False) as db:
        make_user(db, email="taken@example.com")
    answers = []
    for email in ("taken@example.com", "fresh@example.com"):
        state = make_state(SignupState)
        events = state.submit({"email": email, "password": PASSWORD, "display_name": "Eve"})
        answers.append(
            (state.errors, state.form_error, state.submitting, "signup-form" in str(events))
        )
    assert answers[0] == answers[1] == ({}, "", True, True)


def test_sign_up_page_says_check_your_inbox_after_the_route(make_state, sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    state = make_state(SignupState)
    from reflex.istate.data import ReflexURL

    state.router = dataclasses.replace(
        state.router, url=ReflexURL("http://localhost/signup?sent=1")
    )
    state.load()
    assert state.sent and state.referral_reward == "5" and state.welcome_reward == "2"

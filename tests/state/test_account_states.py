"""Sign-up, log-in and onboarding handlers: server-side checks whatever the browser sends."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bartr.models.accounts import User
from bartr.models.outbox import OutboxEmail
from bartr.services import ledger
from bartr.state.account_forms import LoginState, OnboardingState, SignupState
from tests.factories import PASSWORD, make_user


def _users(engine: Engine) -> int:
    with Session(engine) as db:
        return int(db.exec(select(func.count()).select_from(User)).one())


def _submit(state: SignupState, form: dict) -> None:  # type: ignore[type-arg]
    async def drive() -> None:
        async for _ in state.submit(form):
            pass

    asyncio.run(drive())


def test_sign_up_answers_check_your_inbox_for_new_and_registered_addresses_alike(
    make_state, sqlite_engine
) -> None:  # type: ignore[no-untyped-def]
    state = make_state(SignupState)
    _submit(state, {"email": "new@example.com", "password": PASSWORD, "display_name": "New"})
    assert state.errors == {} and state.form_error == ""
    assert state.sent_to == "new@example.com"
    assert state.token == "" and not state.logged_in  # log in with the password, or the link
    assert _users(sqlite_engine) == 1

    again = make_state(SignupState)
    _submit(again, {"email": "New@example.com", "password": PASSWORD, "display_name": "Eve"})
    assert again.errors == {} and again.form_error == "" and again.sent_to == "new@example.com"
    assert again.token == "" and _users(sqlite_engine) == 1
    with Session(sqlite_engine) as db:
        subjects = db.exec(select(OutboxEmail.subject).order_by(OutboxEmail.id)).all()
    assert subjects[0].startswith("Confirm your email") and "tried to create" in subjects[1]


def test_oversized_and_hostile_input_gets_field_errors_and_writes_nothing(
    make_state, sqlite_engine
) -> None:  # type: ignore[no-untyped-def]
    state = make_state(SignupState)
    _submit(state, {"email": "x@example.com", "password": PASSWORD, "display_name": "y" * 10**6})
    assert "display_name" in state.errors
    _submit(state, {"email": "<script>@x", "password": PASSWORD, "display_name": "Z"})
    assert "email" in state.errors
    _submit(state, {"email": None, "password": None, "display_name": None})
    assert state.errors
    assert _users(sqlite_engine) == 0 and state.token == ""


def test_failed_logins_are_counted_even_though_the_action_fails(make_state, sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    with Session(sqlite_engine, expire_on_commit=False) as db:
        make_user(db, email="count@example.com")
    state = make_state(LoginState)
    for _ in range(5):
        state.submit({"email": "count@example.com", "password": "not the password"})
        assert "don't match" in state.form_error
    state.submit({"email": "count@example.com", "password": PASSWORD})
    assert "Too many failed attempts" in state.form_error
    assert state.token == ""


def test_onboarding_needs_a_valid_token_whatever_the_page_showed(make_state, sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    with Session(sqlite_engine, expire_on_commit=False) as db:
        make_user(db, email="onb@example.com", onboarded=False)
    forged = make_state(OnboardingState, token="forged-token-value")
    forged.languages, forged.timezone = ["English"], "Europe/Paris"
    forged.finish()
    assert "session has ended" in forged.form_error and forged.step == 0

    login = make_state(LoginState)
    login.submit({"email": "onb@example.com", "password": PASSWORD})
    state = make_state(OnboardingState, token=login.token)
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
    login = make_state(LoginState)
    login.submit({"email": "zone@example.com", "password": PASSWORD})
    onboarding = make_state(OnboardingState, token=login.token)
    onboarding.load()
    onboarding.set_browser_timezone("Asia/Calcutta")  # what Chromium still reports
    assert onboarding.timezone == "Asia/Kolkata"
    onboarding.languages = ["English"]
    onboarding.finish()
    assert onboarding.step == 1

    editor = make_state(AvailabilityEditorState, token=login.token)
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

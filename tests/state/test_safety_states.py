"""Report, block, settings and the admin queue, driven through their state handlers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from reflex.istate.data import ReflexURL
from sqlalchemy import Engine
from sqlmodel import Session, select

from bartr.models.accounts import Role, User, UserStatus
from bartr.models.safety import AuditEntry
from bartr.services import accounts
from bartr.state.admin_audit import AdminAuditState
from bartr.state.admin_reports import AdminReportsState
from bartr.state.safety import SafetyState
from bartr.state.settings import SettingsState
from tests.factories import PASSWORD, make_user


@pytest.fixture
def db(sqlite_engine: Engine) -> Iterator[Session]:
    with Session(sqlite_engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


@pytest.fixture
def as_member(make_state: Callable, db: Session) -> Callable:
    def make(state_cls: type, user: User | None) -> Any:
        token = accounts.open_session_for(db, user).token if user is not None else ""
        db.commit()
        state = make_state(state_cls, token)
        state.router = dataclasses.replace(state.router, url=ReflexURL("http://localhost/"))
        return state

    return make


def _run(handler: Any, state: Any, *args: Any) -> list[Any]:
    result = handler.fn(state, *args)
    if result is None:
        return []
    if hasattr(result, "__next__"):
        return [e for e in result if e is not None]
    return result if isinstance(result, list) else [result]


def test_report_suspend_and_see_it_everywhere(as_member: Callable, db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN, name="Ada Admin")
    maya, ben = make_user(db, name="Maya Lopez"), make_user(db, name="Ben Ode")

    safety = as_member(SafetyState, maya)
    _run(SafetyState.start_member_report, safety, "@" + ben.handle)
    assert safety.report_open and safety.report_label == "Ben Ode"
    safety.report_reason, safety.report_details = "harassment", "Rude messages"
    _run(SafetyState.send_report, safety, {})
    assert not safety.report_open and safety.notice_seq == 1

    settings = as_member(SettingsState, maya)
    _run(SettingsState.load, settings)
    assert [(r["what"], r["status"]) for r in settings.my_reports] == [("Ben Ode", "Received")]

    queue = as_member(AdminReportsState, admin)
    _run(AdminReportsState.load, queue)
    [row] = queue.rows
    _run(AdminReportsState.open_report, queue, int(row["id"]))
    assert queue.panel_open and queue.detail["details"] == "Rude messages"
    queue.action, queue.days, queue.note = "suspend", "3", ""
    _run(AdminReportsState.apply, queue, {})
    assert "note" in queue.action_error.lower() and queue.panel_open
    queue.note = "Harassment confirmed"
    _run(AdminReportsState.apply, queue, {})
    assert queue.action_error == "" and not queue.panel_open and queue.rows == []

    db.expire_all()
    assert db.get(User, ben.id).status == UserStatus.SUSPENDED  # type: ignore[union-attr]
    db.rollback()  # release SQLite's lock before the next handler writes
    _run(SettingsState.load, settings)
    assert settings.my_reports[0]["status"] == "Action taken"

    log = as_member(AdminAuditState, admin)
    _run(AdminAuditState.load, log)
    assert [r["action"] for r in log.rows] == ["Suspended a member"]
    assert log.rows[0]["note"] == "Harassment confirmed"


def test_block_from_profile_and_unblock_in_settings(as_member: Callable, db: Session) -> None:
    maya, ben = make_user(db), make_user(db, name="Ben Ode")
    safety = as_member(SafetyState, maya)
    _run(SafetyState.start_block, safety, "@" + ben.handle, "Ben Ode")
    events = _run(SafetyState.confirm_block, safety)
    assert events and "blocked Ben Ode" in safety.notice
    settings = as_member(SettingsState, maya)
    _run(SettingsState.load, settings)
    [blocked] = settings.blocked
    _run(SettingsState.unblock, settings, int(blocked["id"]))
    assert settings.blocked == [] and settings.error == ""


def test_members_get_nothing_from_admin_handlers(as_member: Callable, db: Session) -> None:
    maya, ben = make_user(db), make_user(db)
    queue = as_member(AdminReportsState, maya)
    _run(AdminReportsState.load, queue)
    assert queue.rows == [] and "admin" in queue.error.lower()
    queue._report_id, queue._subject_id, queue.action, queue.note = 1, ben.id, "ban", "forged"
    _run(AdminReportsState.apply, queue, {})
    assert "admin" in queue.action_error.lower()
    db.expire_all()
    assert db.get(User, ben.id).status == UserStatus.ACTIVE  # type: ignore[union-attr]
    assert db.exec(select(AuditEntry)).first() is None


def test_download_and_delete_my_account(as_member: Callable, db: Session) -> None:
    import asyncio

    maya = make_user(db, name="Maya Lopez")
    settings = as_member(SettingsState, maya)
    assert _run(SettingsState.download_data, settings)  # a download event
    _run(SettingsState.open_delete, settings)
    assert settings.delete_open and "2 credits" in settings.delete_confirmation

    asyncio.run(SettingsState.delete_account.fn(settings, {"password": PASSWORD}))
    assert "forfeited" in settings.delete_error  # the box was not ticked
    asyncio.run(SettingsState.delete_account.fn(settings, {"password": "nope", "confirm": "on"}))
    assert "password" in settings.delete_error
    events = asyncio.run(
        SettingsState.delete_account.fn(settings, {"password": PASSWORD, "confirm": "on"})
    )
    assert events and "/api/auth/logout" in str(events) and not settings.logged_in
    db.expire_all()
    assert db.get(User, maya.id).status == UserStatus.DELETED  # type: ignore[union-attr]


def test_admin_queue_names_a_reported_message_and_the_members_balance(
    as_member: Callable, db: Session
) -> None:
    from bartr.services import messages, reports

    admin = make_user(db, role=Role.ADMIN, name="Ada Admin")
    maya, ben = make_user(db, name="Maya Lopez"), make_user(db, name="Ben Ode")
    thread = messages.do_open_conversation(db, actor=ben, other_id=maya.id or 0)
    sent = messages.do_send_message(db, actor=ben, conversation_id=thread.id or 0, body="Pay me")
    reports.do_report(db, actor=maya, kind="message", target_id=sent.id or 0, reason="scam")
    db.commit()

    queue = as_member(AdminReportsState, admin)
    _run(AdminReportsState.require_admin, queue)
    assert queue.balance_label == "2"  # the header's wallet chip is filled on admin pages too
    _run(AdminReportsState.load, queue)
    [row] = queue.rows
    assert row["what"] == "Message from Ben Ode"  # the label says what it is, once
    _run(AdminReportsState.open_report, queue, int(row["id"]))
    assert ["Balance", "2 credits available"] in queue.history
    assert queue.detail["what"] == "a message from Ben Ode"  # "Maya reported a message from …"

"""The wallet and admin-credits states, driven directly (no browser): what a page would show,
and that handlers called over the socket by the wrong person change nothing."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from reflex.istate.data import ReflexURL
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bartr.models.accounts import Role, User
from bartr.models.ledger import LedgerTransaction, Payment
from bartr.services import accounts, ledger
from bartr.services.credits import credits
from bartr.settings import get_settings
from bartr.state.admin_credits import AdminCreditsState
from bartr.state.wallet import PAGE_SIZE, WalletState
from tests.api import stripe_stub as stub
from tests.api.stripe_stub import StripeStub
from tests.factories import events_of, make_user

stripe_stub = stub.stripe_stub
stripe_on = stub.stripe_on
stripe_off = stub.stripe_off


@pytest.fixture
def db(sqlite_engine: Engine) -> Iterator[Session]:
    with Session(sqlite_engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


@pytest.fixture
def as_member(make_state: Callable, db: Session) -> Callable:
    """A state of `state_cls` as `user` would have it (None: a visitor), viewing `url`."""

    def make(state_cls: type, user: User | None, url: str = "http://localhost/") -> Any:
        token = ""
        if user is not None:
            token = accounts.open_session_for(db, user).token
            db.commit()
        state = make_state(state_cls, token)
        state.router = dataclasses.replace(state.router, url=ReflexURL(url))
        return state

    return make


def _run(handler: Any, state: Any, *args: Any) -> list[Any]:
    """Call an event handler like Reflex does; returns the events it produced."""
    return events_of(handler.fn(state, *args))


def _args(spec: Any) -> dict[str, str]:
    return {str(name).strip('"'): str(value) for name, value in spec.args}


def _count(db: Session, model: type) -> int:
    n = db.exec(select(func.count()).select_from(model)).one()
    db.commit()  # end the read: on SQLite it holds the write lock the handlers need
    return n


def _balance(db: Session, user_id: int) -> int:
    value = ledger.available_balance(db, user_id)
    db.commit()
    return value


# --------------------------------------------------------------------------- wallet


def test_load_shows_balance_history_referrals_and_packs(
    as_member: Callable, db: Session, stripe_off: None
) -> None:
    maya = make_user(db, name="Maya Lopez", timezone="Asia/Tokyo")
    make_user(db, name="Sam Doe", referral_code=maya.referral_code)
    make_user(db, name="Ivy New", referral_code=maya.referral_code, onboarded=False)
    state = as_member(WalletState, maya)

    _run(WalletState.load, state)

    assert state.loaded and state.load_error == ""
    assert state.available_label == "7" and state.held_label == "0"
    assert [r["reason"] for r in state.rows] == ["Referral: Sam Doe joined", "Welcome credits"]
    assert [(r["amount"], r["tone"], r["balance"]) for r in state.rows] == [
        ("+5 credits", "green", "7"),
        ("+2 credits", "green", "2"),
    ]
    assert state.rows[0]["link_label"] == "Sam Doe"
    assert state.rows[0]["link_path"].startswith("/u/")
    assert state.zone_name == "Asia/Tokyo"
    assert [p["balance"] for p in state.chart] == [0, 2, 5 + 2]
    assert state.referral_link == f"{get_settings().public_url}/signup?ref={maya.referral_code}"
    assert state.referral_total_label == "5"
    assert [(r["name"], r["state"], r["earned"]) for r in state.referrals] == [
        ("Ivy New", "signed up", ""),
        ("Sam Doe", "rewarded", "+5"),
    ]
    assert not state.payments_on
    assert [p["id"] for p in state.packs] == ["starter", "learner", "scholar"]


def test_empty_wallet_has_no_chart_or_rows(as_member: Callable, db: Session) -> None:
    newcomer = make_user(db, onboarded=False)
    state = as_member(WalletState, newcomer)
    _run(WalletState.load, state)
    assert state.available_label == "0"
    assert state.rows == [] and state.chart == [] and not state.has_more


def test_returning_from_checkout_says_credits_follow(as_member: Callable, db: Session) -> None:
    maya = make_user(db)
    state = as_member(WalletState, maya, url="http://localhost/wallet?checkout=success")
    _run(WalletState.load, state)
    assert state.notice == "Payment received: credits appear as soon as Stripe confirms"
    assert state.notice_seq == 1 and not state.notice_error
    _run(WalletState.notice_shown, state)  # the page says it was shown: not replayed
    assert state.notice_seq == 0


def test_load_more_pages_through_history(as_member: Callable, db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN, onboarded=False)
    maya = make_user(db)
    for i in range(PAGE_SIZE + 5):
        ledger.admin_adjust(db, actor=admin, user_id=maya.id, amount=30, reason=f"Gift {i}")
    db.commit()
    state = as_member(WalletState, maya)
    _run(WalletState.load, state)
    assert len(state.rows) == PAGE_SIZE and state.has_more
    _run(WalletState.load_more, state)
    assert len(state.rows) == PAGE_SIZE + 6 and not state.has_more
    assert state.rows[-1]["reason"] == "Welcome credits"
    assert len({r["id"] for r in state.rows}) == len(state.rows)


def test_export_csv_downloads_the_members_history(as_member: Callable, db: Session) -> None:
    maya = make_user(db)
    state = as_member(WalletState, maya)
    [download] = _run(WalletState.export_csv, state)
    args = _args(download)
    assert "bartr-wallet.csv" in args["filename"]
    data = args["url"].split("base64,", 1)[1].strip('"')
    text = base64.b64decode(data).decode()
    assert text.splitlines()[0] == "date,type,reason,amount_credits,balance_credits"
    assert "Welcome credits" in text


def test_buy_with_payments_off_explains_and_writes_nothing(
    as_member: Callable, db: Session, stripe_off: None
) -> None:
    maya = make_user(db)
    state = as_member(WalletState, maya)
    events = _run(WalletState.buy, state, "starter")
    assert events == []
    assert "switched off" in state.buy_error and state.buying == ""
    assert _count(db, Payment) == 0


def test_buy_redirects_to_checkout_and_back_to_the_wallet(
    as_member: Callable, db: Session, stripe_on: StripeStub
) -> None:
    maya = make_user(db)
    state = as_member(WalletState, maya)
    [redirect] = _run(WalletState.buy, state, "learner")
    assert "https://checkout.stripe.test/c/pay/" in _args(redirect)["path"]
    sent = stripe_on.last.form
    base = get_settings().public_url
    assert sent["success_url"] == f"{base}/wallet?checkout=success"
    assert sent["cancel_url"] == f"{base}/wallet?checkout=cancelled"
    assert sent["metadata[user_id]"] == str(maya.id)


def test_the_payment_provider_is_called_off_the_event_loop(
    as_member: Callable, db: Session, stripe_on: StripeStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Driven as Reflex drives it, inside a running event loop: Stripe's HTTP call runs in
    a worker thread, so a slow provider stalls nobody else."""
    from bartr.services import payments

    seen: list[str] = []
    real = payments.open_checkout

    def spy(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            seen.append("event loop")
        except RuntimeError:
            seen.append("thread")
        return real(*args, **kwargs)

    monkeypatch.setattr(payments, "open_checkout", spy)
    state = as_member(WalletState, make_user(db))

    async def as_reflex_does() -> list[Any]:
        result = WalletState.buy.fn(state, "learner")
        if hasattr(result, "__anext__"):
            return [e async for e in result if e is not None]
        return [e for e in result if e is not None]

    [redirect] = asyncio.run(as_reflex_does())
    assert "checkout.stripe.test" in _args(redirect)["path"]
    assert seen == ["thread"]


def test_buy_when_the_provider_fails_says_so_and_closes_the_attempt(
    as_member: Callable, db: Session, stripe_on: StripeStub
) -> None:
    maya = make_user(db)
    state = as_member(WalletState, maya)
    stripe_on.fail_with = 500
    assert _run(WalletState.buy, state, "learner") == []
    assert "couldn't reach the payment provider" in state.buy_error and state.buying == ""
    db.expire_all()
    [payment] = db.exec(select(Payment)).all()
    assert payment.status == "expired" and payment.stripe_checkout_session_id is None


def test_handlers_without_a_session_do_nothing(as_member: Callable, db: Session) -> None:
    state = as_member(WalletState, None)
    _run(WalletState.load, state)
    assert state.rows == [] and state.referral_link == ""
    assert _run(WalletState.export_csv, state) == []
    assert "session has ended" in state.notice and state.notice_error


# --------------------------------------------------------------------------- admin


def test_admin_finds_reviews_and_adjusts(as_member: Callable, db: Session) -> None:
    admin = make_user(db, name="Ada Admin", role=Role.ADMIN)
    maya = make_user(db, name="Maya Lopez", email="maya@example.com")
    state = as_member(AdminCreditsState, admin)
    _run(AdminCreditsState.load, state)
    assert state.adjustments_loaded and state.adjustments == []

    _run(AdminCreditsState.find_member, state, {"query": "maya@example.com"})
    assert state.found and state.member_name == "Maya Lopez" and state.member_balance == "2"

    state.amount, state.reason = "1.25", ""
    _run(AdminCreditsState.review, state, {})
    assert set(state.errors) == {"amount", "reason"} and not state.confirm_open

    state.amount, state.reason = "-1.5", "Session refunded twice"
    _run(AdminCreditsState.review, state, {})
    assert state.confirm_open
    assert (state.confirm_verb, state.confirm_amount, state.confirm_after) == (
        "Deduct",
        "1.5",
        "0.5",
    )

    _run(AdminCreditsState.confirm, state)
    assert "Maya Lopez now has 0.5 credits" in state.notice and state.notice_seq == 1
    assert state.member_balance == "0.5" and not state.confirm_open
    assert _balance(db, maya.id) == credits(0.5)
    [row] = state.adjustments
    assert (row["member"], row["amount"], row["reason"]) == (
        "Maya Lopez",
        "−1.5",
        "Session refunded twice",
    )
    # A second click on the (closed) dialog's button posts nothing more.
    _run(AdminCreditsState.confirm, state)
    assert _balance(db, maya.id) == credits(0.5)


def test_deduction_below_zero_is_refused_beside_the_amount(
    as_member: Callable, db: Session
) -> None:
    admin = make_user(db, role=Role.ADMIN)
    maya = make_user(db, email="maya2@example.com")
    state = as_member(AdminCreditsState, admin)
    _run(AdminCreditsState.find_member, state, {"query": maya.handle})
    state.amount, state.reason = "-3", "Too much"
    _run(AdminCreditsState.review, state, {})
    _run(AdminCreditsState.confirm, state)
    assert "below zero" in state.errors["amount"]
    assert _balance(db, maya.id) == credits(2)


def test_members_cannot_use_the_admin_handlers(as_member: Callable, db: Session) -> None:
    member = make_user(db)
    target = make_user(db, email="target@example.com")
    state = as_member(AdminCreditsState, member)
    before = _count(db, LedgerTransaction)

    _run(AdminCreditsState.load, state)
    assert state.adjustments == [] and "admins" in state.adjustments_error
    _run(AdminCreditsState.find_member, state, {"query": target.email})
    assert not state.found and "admins" in state.lookup_error
    # Even with a forged member id in the backend var, the ledger refuses.
    state._member_id, state._pending = target.id, credits(100)
    state.reason = "free credits"
    _run(AdminCreditsState.confirm, state)
    assert "admins" in state.lookup_error
    assert _count(db, LedgerTransaction) == before
    assert _balance(db, target.id) == credits(2)


# --------------------------------------------------------------------------- page guards


def test_wallet_sends_a_member_who_has_not_onboarded_to_onboarding(
    as_member: Callable, db: Session
) -> None:
    newcomer = make_user(db, onboarded=False)
    state = as_member(WalletState, newcomer, url="http://localhost/wallet")
    [redirect] = _run(WalletState.require_login, state)
    assert "/onboarding" in _args(redirect)["path"]


def test_admin_page_sends_members_home(as_member: Callable, db: Session) -> None:
    member = make_user(db)
    state = as_member(AdminCreditsState, member, url="http://localhost/admin")
    [redirect] = _run(AdminCreditsState.require_admin, state)
    assert _args(redirect)["path"] == '"/"'


def test_chart_has_one_point_per_day_with_distinct_labels() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bartr.state.wallet import _chart

    zone = ZoneInfo("Europe/Berlin")
    joined = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    series = [
        (datetime(2026, 12, 1, 8, 0, tzinfo=UTC), 120),
        (datetime(2026, 12, 1, 9, 0, tzinfo=UTC), 60),
        (datetime(2026, 12, 1, 22, 30, tzinfo=UTC), 90),  # 23:30 in Berlin: still 1 Dec
        (datetime(2026, 12, 3, 10, 0, tzinfo=UTC), 30),
    ]
    points = _chart(series, joined, zone)
    assert [p["day"] for p in points] == ["30 Nov", "1 Dec", "3 Dec"]
    assert [p["balance"] for p in points] == [0, 1.5, 0.5]  # each day's closing balance
    one_day = _chart(series[:2], datetime(2026, 12, 1, 7, 0, tzinfo=UTC), zone)
    assert [p["day"] for p in one_day] == ["08:00", "09:00", "10:00"]

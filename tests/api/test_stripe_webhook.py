"""POST /api/stripe/webhook with payloads signed by the stripe library's own helper."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from bartr.api.stripe_webhook import stripe_webhook
from bartr.models.ledger import LedgerTransaction, Payment, StripeEvent
from bartr.services import ledger
from tests.api import stripe_stub as stub
from tests.api.stripe_stub import StripeStub, checkout_event, sign, start_checkout
from tests.factories import make_user

URL = "/api/stripe/webhook"

# Fixtures shared with the payments service tests.
stripe_stub = stub.stripe_stub
stripe_on = stub.stripe_on
stripe_off = stub.stripe_off


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    app = Starlette(routes=[Route(URL, stripe_webhook, methods=["POST"])])
    with TestClient(app) as c:
        yield c


def _pending_payment(db: Session, *, checkout_id: str = "cs_test_1") -> tuple[int, Payment]:
    user = make_user(db, onboarded=False)
    payment = Payment(
        user_id=user.id,
        pack_id="starter",
        credits=300,
        amount_cents=2500,
        stripe_checkout_session_id=checkout_id,
    )
    db.add(payment)
    db.commit()
    return user.id, payment


def _post(client: TestClient, body: bytes, header: str | None = None):
    return client.post(
        URL,
        content=body,
        headers={"Stripe-Signature": sign(body) if header is None else header},
    )


def _state(db: Session, user_id: int, payment_id: int) -> tuple[int, str, int]:
    db.expire_all()
    payment = db.get(Payment, payment_id)
    assert payment is not None
    txs = db.exec(select(func.count()).select_from(LedgerTransaction)).one()
    state = ledger.available_balance(db, user_id), payment.status, txs
    db.commit()  # end the read so the next request can take SQLite's write lock
    return state


def test_paid_checkout_credits_the_pack(
    client: TestClient, db: Session, stripe_on: StripeStub
) -> None:
    user_id, payment = _pending_payment(db)
    body = checkout_event(
        event_id="evt_1", checkout_id="cs_test_1", payment_id=payment.id, amount_total=2500
    )
    response = _post(client, body)
    assert response.status_code == 200, response.text
    assert response.json()["received"] is True
    assert _state(db, user_id, payment.id) == (300, "paid", 1)
    db.expire_all()
    assert db.get(Payment, payment.id).paid_at is not None
    tx = ledger.find_transaction(db, "stripe:checkout:cs_test_1")
    assert tx is not None and tx.kind == "purchase" and tx.cause_type == "payment"
    assert tx.cause_id == payment.id
    assert ledger.check_invariants(db) == []


def test_tampered_payload_rejected(client: TestClient, db: Session, stripe_on: StripeStub) -> None:
    user_id, payment = _pending_payment(db)
    body = checkout_event(
        event_id="evt_t", checkout_id="cs_test_1", payment_id=payment.id, amount_total=2500
    )
    header = sign(body)
    tampered = body.replace(b'"amount_total": 2500', b'"amount_total": 1')
    assert tampered != body
    response = _post(client, tampered, header)
    assert response.status_code == 400
    assert "error" in response.json()
    assert _state(db, user_id, payment.id) == (0, "pending", 0)
    assert db.exec(select(func.count()).select_from(StripeEvent)).one() == 0


def test_wrong_secret_and_missing_header_rejected(
    client: TestClient, db: Session, stripe_on: StripeStub
) -> None:
    user_id, payment = _pending_payment(db)
    body = checkout_event(
        event_id="evt_w", checkout_id="cs_test_1", payment_id=payment.id, amount_total=2500
    )
    assert _post(client, body, sign(body, secret="whsec_someone_else")).status_code == 400
    assert client.post(URL, content=body).status_code == 400
    assert _post(client, body, "garbage").status_code == 400
    assert _state(db, user_id, payment.id) == (0, "pending", 0)


@pytest.mark.parametrize("offset", [-301, -3600, 301, 3600])
def test_stale_or_future_timestamp_rejected(
    client: TestClient, db: Session, stripe_on: StripeStub, offset: int
) -> None:
    user_id, payment = _pending_payment(db)
    body = checkout_event(
        event_id="evt_s", checkout_id="cs_test_1", payment_id=payment.id, amount_total=2500
    )
    response = _post(client, body, sign(body, timestamp=int(time.time()) + offset))
    assert response.status_code == 400
    assert _state(db, user_id, payment.id) == (0, "pending", 0)


def test_duplicate_delivery_credits_once(
    client: TestClient, db: Session, stripe_on: StripeStub
) -> None:
    user_id, payment = _pending_payment(db)
    body = checkout_event(
        event_id="evt_dup", checkout_id="cs_test_1", payment_id=payment.id, amount_total=2500
    )
    first, second = _post(client, body), _post(client, body)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["outcome"] == "duplicate"
    assert _state(db, user_id, payment.id) == (300, "paid", 1)


def test_same_checkout_in_two_events_credits_once(
    client: TestClient, db: Session, stripe_on: StripeStub
) -> None:
    user_id, payment = _pending_payment(db)
    completed = checkout_event(
        event_id="evt_a", checkout_id="cs_test_1", payment_id=payment.id, amount_total=2500
    )
    succeeded = checkout_event(
        event_id="evt_b",
        checkout_id="cs_test_1",
        payment_id=payment.id,
        amount_total=2500,
        type="checkout.session.async_payment_succeeded",
    )
    assert _post(client, completed).status_code == 200
    assert _post(client, succeeded).status_code == 200
    assert _state(db, user_id, payment.id) == (300, "paid", 1)
    assert db.exec(select(func.count()).select_from(StripeEvent)).one() == 2


def test_unpaid_completion_waits_for_async_success(
    client: TestClient, db: Session, stripe_on: StripeStub
) -> None:
    user_id, payment = _pending_payment(db)
    unpaid = checkout_event(
        event_id="evt_u",
        checkout_id="cs_test_1",
        payment_id=payment.id,
        amount_total=2500,
        payment_status="unpaid",
    )
    assert _post(client, unpaid).json()["outcome"] == "awaiting payment"
    assert _state(db, user_id, payment.id) == (0, "pending", 0)
    later = checkout_event(
        event_id="evt_v",
        checkout_id="cs_test_1",
        payment_id=payment.id,
        amount_total=2500,
        type="checkout.session.async_payment_succeeded",
    )
    assert _post(client, later).status_code == 200
    assert _state(db, user_id, payment.id) == (300, "paid", 1)


def test_expired_marks_pending_payment(
    client: TestClient, db: Session, stripe_on: StripeStub
) -> None:
    user_id, payment = _pending_payment(db)
    body = checkout_event(
        event_id="evt_e",
        checkout_id="cs_test_1",
        payment_id=payment.id,
        amount_total=2500,
        type="checkout.session.expired",
        payment_status="unpaid",
    )
    assert _post(client, body).json()["outcome"] == "expired"
    assert _state(db, user_id, payment.id) == (0, "expired", 0)


def test_expired_after_paid_does_not_undo(
    client: TestClient, db: Session, stripe_on: StripeStub
) -> None:
    user_id, payment = _pending_payment(db)
    paid = checkout_event(
        event_id="evt_p", checkout_id="cs_test_1", payment_id=payment.id, amount_total=2500
    )
    expired = checkout_event(
        event_id="evt_x",
        checkout_id="cs_test_1",
        payment_id=payment.id,
        amount_total=2500,
        type="checkout.session.expired",
        payment_status="unpaid",
    )
    assert _post(client, paid).status_code == 200
    assert _post(client, expired).json()["outcome"] == "already settled"
    assert _state(db, user_id, payment.id) == (300, "paid", 1)


def test_paid_after_expired_still_credits(
    client: TestClient, db: Session, stripe_on: StripeStub
) -> None:
    """Out of order the other way: money received wins over an earlier expiry."""
    user_id, payment = _pending_payment(db)
    expired = checkout_event(
        event_id="evt_x2",
        checkout_id="cs_test_1",
        payment_id=payment.id,
        amount_total=2500,
        type="checkout.session.expired",
        payment_status="unpaid",
    )
    paid = checkout_event(
        event_id="evt_p2", checkout_id="cs_test_1", payment_id=payment.id, amount_total=2500
    )
    _post(client, expired)
    _post(client, paid)
    assert _state(db, user_id, payment.id) == (300, "paid", 1)


def test_unknown_type_recorded_and_ignored(
    client: TestClient, db: Session, stripe_on: StripeStub
) -> None:
    body = json.dumps(
        {"id": "evt_other", "type": "customer.created", "data": {"object": {}}}
    ).encode()
    response = _post(client, body)
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    event = db.get(StripeEvent, "evt_other")
    assert event is not None and event.type == "customer.created"
    assert db.exec(select(func.count()).select_from(LedgerTransaction)).one() == 0


def test_amount_mismatch_not_credited(
    client: TestClient, db: Session, stripe_on: StripeStub
) -> None:
    user_id, payment = _pending_payment(db)
    body = checkout_event(
        event_id="evt_m", checkout_id="cs_test_1", payment_id=payment.id, amount_total=100
    )
    assert _post(client, body).json()["outcome"] == "amount mismatch"
    assert _state(db, user_id, payment.id) == (0, "pending", 0)


@pytest.mark.parametrize("status", ["pending", "expired"])
def test_signed_event_for_a_checkout_we_never_opened_pays_nothing(
    client: TestClient, db: Session, stripe_on: StripeStub, status: str
) -> None:
    """client_reference_id names our payment, but the checkout id is not the one recorded."""
    user_id, payment = _pending_payment(db, checkout_id=None)  # type: ignore[arg-type]
    payment.status = status
    db.add(payment)
    db.commit()
    body = checkout_event(
        event_id="evt_r", checkout_id="cs_test_forged", payment_id=payment.id, amount_total=2500
    )
    response = _post(client, body)
    assert response.status_code == 200 and response.json()["outcome"] == "unknown payment"
    assert _state(db, user_id, payment.id) == (0, status, 0)
    assert db.get(Payment, payment.id).stripe_checkout_session_id is None
    # Recorded (a redelivery is a duplicate), but no balance moved.
    assert db.get(StripeEvent, "evt_r") is not None
    db.commit()


def test_signed_event_for_another_payments_checkout_pays_only_that_one(
    client: TestClient, db: Session, stripe_on: StripeStub
) -> None:
    user_id, payment = _pending_payment(db, checkout_id="cs_test_a")
    other_id, other = _pending_payment(db, checkout_id=None)  # type: ignore[arg-type]
    body = checkout_event(
        event_id="evt_x", checkout_id="cs_test_a", payment_id=other.id, amount_total=2500
    )
    assert _post(client, body).json()["outcome"] == "credited"
    assert _state(db, user_id, payment.id) == (300, "paid", 1)
    assert _state(db, other_id, other.id) == (0, "pending", 1)


def test_503_when_payments_off(client: TestClient, db: Session, stripe_off: None) -> None:
    body = json.dumps({"id": "evt_off", "type": "customer.created"}).encode()
    response = _post(client, body)
    assert response.status_code == 503
    assert db.exec(select(func.count()).select_from(StripeEvent)).one() == 0


def test_checkout_then_webhook_end_to_end(
    client: TestClient, db: Session, stripe_on: StripeStub
) -> None:
    """The whole purchase: checkout against the stub, then Stripe's signed completion."""
    from bartr.db import unit_of_work
    from bartr.services import payments

    user = make_user(db, onboarded=False)
    with unit_of_work() as uow:
        start_checkout(uow, actor=user, pack_id="learner")
    [payment] = payments.list_payments(db, actor=user)
    db.commit()
    body = checkout_event(
        event_id="evt_e2e",
        checkout_id=payment.stripe_checkout_session_id,
        payment_id=payment.id,
        amount_total=payment.amount_cents,
    )
    assert _post(client, body).status_code == 200
    assert _state(db, user.id, payment.id) == (12 * 60, "paid", 1)

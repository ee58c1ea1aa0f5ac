"""Credit packs and Stripe Checkout creation (against the loopback stub)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from bartr.models.ledger import Payment
from bartr.services import payments
from bartr.services.errors import NotAllowed, NotFound, ValidationFailed
from tests.api import stripe_stub as stub
from tests.api.stripe_stub import StripeStub, start_checkout
from tests.doubles import FakePaymentGateway
from tests.factories import make_user

# Fixtures shared with the webhook tests.
stripe_stub = stub.stripe_stub
stripe_on = stub.stripe_on
stripe_off = stub.stripe_off


def _payment_count(db: Session) -> int:
    return db.exec(select(func.count()).select_from(Payment)).one()


def test_packs_parsed_from_settings() -> None:
    packs = payments.list_packs()
    assert [(p.id, p.credits, p.price_cents) for p in packs] == [
        ("starter", 5, 2500),
        ("learner", 12, 5500),
        ("scholar", 30, 12000),
    ]
    assert packs[0].minor == 300 and packs[0].label == "Starter"
    assert packs[0].price_text == "€25.00"


def test_parse_packs_rejects_malformed() -> None:
    with pytest.raises(ValueError):
        payments.parse_packs("starter:5")
    with pytest.raises(ValueError):
        payments.parse_packs("starter:0:100")


def test_start_checkout_creates_pending_payment_and_session(
    db: Session, stripe_on: StripeStub
) -> None:
    user = make_user(db)
    url = start_checkout(
        db,
        actor=user,
        pack_id="starter",
        success_url="http://localhost:3000/wallet?paid=1",
        cancel_url="http://localhost:3000/wallet",
    )
    db.commit()
    [payment] = payments.list_payments(db, actor=user)
    assert payment.status == "pending" and payment.pack_id == "starter"
    assert payment.credits == 300 and payment.amount_cents == 2500 and payment.currency == "eur"
    assert payment.stripe_checkout_session_id and url.endswith(payment.stripe_checkout_session_id)
    sent = stripe_on.last
    assert sent.path == "/v1/checkout/sessions"
    assert sent.headers["authorization"] == "Bearer sk_test_bartr_stub"
    assert sent.headers["idempotency-key"] == f"bartr-checkout-{payment.id}"
    assert sent.form["mode"] == "payment"
    assert sent.form["client_reference_id"] == str(payment.id)
    assert sent.form["metadata[payment_id]"] == str(payment.id)
    assert sent.form["metadata[user_id]"] == str(user.id)
    assert sent.form["metadata[pack_id]"] == "starter"
    assert sent.form["line_items[0][price_data][unit_amount]"] == "2500"
    assert sent.form["line_items[0][price_data][currency]"] == "eur"
    assert sent.form["success_url"] == "http://localhost:3000/wallet?paid=1"


def test_start_checkout_unknown_pack_writes_nothing(db: Session, stripe_on: StripeStub) -> None:
    user = make_user(db)
    with pytest.raises(ValidationFailed):
        start_checkout(
            db, actor=user, pack_id="platinum", success_url="http://x/s", cancel_url="http://x/c"
        )
    db.rollback()
    assert _payment_count(db) == 0
    assert stripe_on.requests == []


def test_start_checkout_refused_when_payments_off(db: Session, stripe_off: None) -> None:
    user = make_user(db)
    assert payments.payments_enabled() is False
    with pytest.raises(NotAllowed) as err:
        start_checkout(
            db, actor=user, pack_id="starter", success_url="http://x/s", cancel_url="http://x/c"
        )
    assert "switched off" in err.value.message
    db.rollback()
    assert _payment_count(db) == 0


def test_provider_failure_is_a_calm_error(db: Session, stripe_on: StripeStub) -> None:
    user = make_user(db)
    stripe_on.fail_with = 400
    with pytest.raises(payments.PaymentProviderError):
        start_checkout(
            db, actor=user, pack_id="starter", success_url="http://x/s", cancel_url="http://x/c"
        )
    db.rollback()
    # The attempt is on record but closed: nothing pending, nothing charged or credited.
    [payment] = payments.list_payments(db, actor=user)
    assert payment.status == "expired" and payment.stripe_checkout_session_id is None


def test_members_see_only_their_payments(db: Session, stripe_on: StripeStub) -> None:
    a, b = make_user(db), make_user(db)
    start_checkout(
        db, actor=a, pack_id="learner", success_url="http://x/s", cancel_url="http://x/c"
    )
    db.commit()
    assert len(payments.list_payments(db, actor=a)) == 1
    assert payments.list_payments(db, actor=b) == []
    [mine] = payments.list_payments(db, actor=a)
    assert payments.get_payment(db, actor=a, payment_id=mine.id).id == mine.id
    with pytest.raises(NotFound):
        payments.get_payment(db, actor=b, payment_id=mine.id)


def test_unreachable_provider_is_a_calm_error_without_a_network(
    db: Session, stripe_on: StripeStub
) -> None:
    user = make_user(db)
    request = payments.do_create_checkout_request(
        db, actor=user, pack_id="starter", success_url="http://x/s", cancel_url="http://x/c"
    )
    gateway = FakePaymentGateway(down=True)
    with pytest.raises(payments.PaymentProviderError) as err:
        payments.open_checkout(request, gateway=gateway)
    assert "Nothing was charged" in err.value.message and gateway.created == []
    checkout_id, url = payments.open_checkout(request, gateway=FakePaymentGateway())
    assert checkout_id == "cs_fake_1" and url.startswith("https://")

"""Buying credit packs with Stripe Checkout, and the signed webhooks that credit them.

Flow: `do_start_checkout` writes a pending `Payment` and creates a Checkout Session whose
`client_reference_id` is the payment id; Stripe redirects the buyer to its hosted page.
Credits move only when a signed `checkout.session.completed` (paid) or
`checkout.session.async_payment_succeeded` webhook arrives, under the ledger key
`stripe:checkout:<checkout session id>`: however many events name the same checkout,
the pack is credited once. Events are deduplicated by id first (`stripe_events`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bartr.adapters.payments import InvalidSignature, PaymentGateway, ProviderUnavailable
from bartr.models.accounts import User, UserStatus
from bartr.models.base import utcnow
from bartr.models.ledger import Payment, PaymentStatus, StripeEvent, TransactionKind
from bartr.services import domain_events, ledger
from bartr.services.credits import credits as to_minor
from bartr.services.errors import (
    BadSignature,
    NotAllowed,
    NotFound,
    PaymentProviderError,
    ValidationFailed,
)
from bartr.settings import get_settings

log = logging.getLogger(__name__)

CURRENCY = "eur"


@dataclass(frozen=True)
class CreditPack:
    id: str
    credits: int  # whole credits
    price_cents: int

    @property
    def minor(self) -> int:
        return to_minor(self.credits)

    @property
    def label(self) -> str:
        return self.id.replace("-", " ").replace("_", " ").title()

    @property
    def price_text(self) -> str:
        return f"€{self.price_cents / 100:.2f}"


def parse_packs(spec: str) -> list[CreditPack]:
    """'starter:5:2500,learner:12:5500' -> packs; a malformed entry is a configuration error."""
    packs: list[CreditPack] = []
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        parts = item.split(":")
        if len(parts) != 3:
            raise ValueError(f"credit pack {item!r} is not 'id:credits:price_cents'")
        pack_id, n, cents = parts[0].strip(), int(parts[1]), int(parts[2])
        if not pack_id or n <= 0 or cents <= 0:
            raise ValueError(f"credit pack {item!r} needs an id and positive numbers")
        packs.append(CreditPack(id=pack_id, credits=n, price_cents=cents))
    return packs


def list_packs() -> list[CreditPack]:
    return parse_packs(get_settings().credit_packs)


def find_pack(pack_id: str) -> CreditPack:
    for pack in list_packs():
        if pack.id == (pack_id or "").strip():
            return pack
    raise ValidationFailed("Choose one of the credit packs on offer.", field="pack_id")


def payments_enabled() -> bool:
    return get_settings().stripe_enabled


def _require_enabled() -> None:
    if not payments_enabled():
        raise NotAllowed(
            "Payments are switched off on this server, so credits can't be bought here. "
            "You can still earn credits by teaching."
        )


@dataclass(frozen=True)
class CheckoutRequest:
    """A recorded pending payment and the Checkout Session to open for it."""

    payment_id: int
    params: dict[str, Any]


def do_create_checkout_request(
    db: Session, *, actor: User, pack_id: str, success_url: str, cancel_url: str
) -> CheckoutRequest:
    """Record a pending payment. The caller commits, then calls `open_checkout` outside any
    transaction: a slow payment provider must not hold the database's write lock."""
    _require_enabled()
    if actor.status != UserStatus.ACTIVE:
        raise NotAllowed("This account is suspended.")
    pack = find_pack(pack_id)
    assert actor.id is not None
    payment = Payment(
        user_id=actor.id,
        pack_id=pack.id,
        credits=pack.minor,
        amount_cents=pack.price_cents,
        currency=CURRENCY,
    )
    db.add(payment)
    db.flush()
    assert payment.id is not None
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": CURRENCY,
                    "unit_amount": pack.price_cents,
                    "product_data": {"name": f"BARTR {pack.label}: {pack.credits} credits"},
                },
            }
        ],
        "client_reference_id": str(payment.id),
        "customer_email": actor.email,
        "metadata": {
            "payment_id": str(payment.id),
            "user_id": str(actor.id),
            "pack_id": pack.id,
        },
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    return CheckoutRequest(payment_id=payment.id, params=params)


def open_checkout(request: CheckoutRequest, *, gateway: PaymentGateway) -> tuple[str, str]:
    """Create the Stripe Checkout Session (no database work); returns (its id, its URL)."""
    try:
        page = gateway.create_checkout(
            request.params, idempotency_key=f"bartr-checkout-{request.payment_id}"
        )
    except ProviderUnavailable as exc:
        raise PaymentProviderError(
            "We couldn't reach the payment provider. Nothing was charged; try again in a minute."
        ) from exc
    return page.id, page.url


def do_record_checkout(
    db: Session, *, actor: User, payment_id: int, checkout_session_id: str | None
) -> Payment:
    """Store the opened session's id, or (None) close a payment whose checkout never opened.

    The webhook credits only the payment whose recorded id matches the event's, so this
    must commit before the buyer is sent to Stripe's page (it does: the redirect follows).
    """
    payment = get_payment(db, actor=actor, payment_id=payment_id)
    if checkout_session_id is None:
        if payment.status == PaymentStatus.PENDING:
            payment.status = PaymentStatus.EXPIRED
    elif payment.stripe_checkout_session_id is None:
        payment.stripe_checkout_session_id = checkout_session_id
    db.add(payment)
    db.flush()
    return payment


def list_payments(db: Session, *, actor: User) -> list[Payment]:
    """The actor's own purchases, newest first."""
    return list(
        db.exec(
            select(Payment)
            .where(Payment.user_id == actor.id)
            .order_by(col(Payment.created_at).desc(), col(Payment.id).desc())
        ).all()
    )


def get_payment(db: Session, *, actor: User, payment_id: int) -> Payment:
    payment = db.get(Payment, payment_id)
    if payment is None or (payment.user_id != actor.id and not actor.is_admin):
        raise NotFound("No such payment.")
    return payment


# --------------------------------------------------------------------------- webhooks


def _payment_for_checkout(db: Session, session: dict[str, Any]) -> Payment | None:
    """The payment whose recorded checkout id is the event's, and no other.

    `client_reference_id` and metadata are not trusted to pick a payment: a signed event
    naming a checkout this app never opened must not pay (or revive) an expired payment.
    The buyer only reaches Stripe's page after the checkout id is committed
    (`do_record_checkout`), so a genuine completion always finds it.
    """
    checkout_id = session.get("id")
    if not isinstance(checkout_id, str) or not checkout_id:
        return None
    return db.exec(select(Payment).where(Payment.stripe_checkout_session_id == checkout_id)).first()


def _credit_checkout(db: Session, session: dict[str, Any], now: datetime) -> str:
    checkout_id = str(session.get("id") or "")
    payment = _payment_for_checkout(db, session)
    if payment is None:
        log.warning("Stripe checkout %s matches no payment; ignored", checkout_id)
        return "unknown payment"
    amount, currency = session.get("amount_total"), session.get("currency")
    if amount != payment.amount_cents or (currency or "").lower() != payment.currency:
        log.error(
            "Stripe checkout %s paid %s %s but payment %s expects %s %s; not credited",
            checkout_id,
            amount,
            currency,
            payment.id,
            payment.amount_cents,
            payment.currency,
        )
        return "amount mismatch"
    assert payment.id is not None
    pack_name = payment.pack_id.replace("-", " ").replace("_", " ").title()
    purchase, created = ledger.grant_once(
        db,
        user_id=payment.user_id,
        amount=payment.credits,
        system=ledger.SYSTEM_PURCHASES,
        kind=TransactionKind.PURCHASE,
        key=f"stripe:checkout:{checkout_id}",
        memo=f"Credit pack: {pack_name}",
        cause_type="payment",
        cause_id=payment.id,
    )
    payment.stripe_checkout_session_id = checkout_id
    payment.status = PaymentStatus.PAID
    payment.paid_at = payment.paid_at or now
    db.add(payment)
    db.flush()
    if created:
        domain_events.emit(
            db,
            domain_events.CreditsBought(
                user_id=payment.user_id,
                amount=payment.credits,
                payment_id=payment.id,
                transaction_id=purchase.id or 0,
                at=now,
            ),
        )
    return "credited"


def _on_checkout_completed(db: Session, session: dict[str, Any], now: datetime) -> str:
    if session.get("payment_status") != "paid":
        return "awaiting payment"  # delayed methods finish with async_payment_succeeded
    return _credit_checkout(db, session, now)


def _on_async_payment_succeeded(db: Session, session: dict[str, Any], now: datetime) -> str:
    return _credit_checkout(db, session, now)


def _on_checkout_expired(db: Session, session: dict[str, Any], now: datetime) -> str:
    payment = _payment_for_checkout(db, session)
    if payment is None:
        return "unknown payment"
    # Conditional update: never turns a paid payment (or one being paid) into expired.
    result = db.exec(
        update(Payment)
        .where(col(Payment.id) == payment.id, col(Payment.status) == PaymentStatus.PENDING)
        .values(status=PaymentStatus.EXPIRED)
    )
    db.refresh(payment)
    return "expired" if result.rowcount else "already settled"


Handler = Callable[[Session, dict[str, Any], datetime], str]

HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _on_checkout_completed,
    "checkout.session.async_payment_succeeded": _on_async_payment_succeeded,
    "checkout.session.expired": _on_checkout_expired,
}


def handle_stripe_event(
    db: Session,
    *,
    payload: bytes,
    sig_header: str,
    gateway: PaymentGateway,
    now: datetime | None = None,
) -> str:
    """Verify, deduplicate and dispatch one webhook delivery; returns what was done."""
    try:
        event = gateway.verify_webhook(
            payload, sig_header, now=now.timestamp() if now is not None else None
        )
    except InvalidSignature as exc:
        raise BadSignature(str(exc)) from exc
    now = now or utcnow()
    event_id, event_type = str(event["id"])[:255], str(event["type"])[:100]
    if db.get(StripeEvent, event_id) is not None:
        return "duplicate"
    try:
        with db.begin_nested():
            db.add(StripeEvent(id=event_id, type=event_type, received_at=now))
            db.flush()
    except IntegrityError:
        return "duplicate"  # the same event is being handled by a concurrent delivery
    handler = HANDLERS.get(event_type)
    if handler is None:
        return "ignored"
    obj = (event.get("data") or {}).get("object") or {}
    outcome = handler(db, obj, now)
    log.info("Stripe event %s (%s): %s", event_id, event_type, outcome)
    return outcome

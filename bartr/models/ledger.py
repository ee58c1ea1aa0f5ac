"""The credits ledger (double-entry) and the Stripe payments that feed it.

Every movement of credits is one `LedgerTransaction` whose `LedgerEntry` rows sum to zero
over `LedgerAccount`s. Entries are append-only. Each account caches its balance in a
column: it is the row that gets locked when credits move, and the fast read for pages;
`services.ledger.check_invariants` proves it equals the sum of the entries.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bartr.models.base import UTCDateTime, utcnow


class AccountKind(StrEnum):
    WALLET = "wallet"  # a member's spendable credits; never below zero
    ESCROW = "escrow"  # credits held for one session; owner = the learner; never below zero
    SYSTEM = (
        "system"  # a source or sink (welcome, referral, purchases, adjustments); may go negative
    )


class TransactionKind(StrEnum):
    WELCOME = "welcome"
    REFERRAL = "referral"
    PURCHASE = "purchase"
    SESSION_HOLD = "session_hold"
    SESSION_RELEASE = "session_release"
    SESSION_SETTLE = "session_settle"
    SESSION_REFUND = "session_refund"
    ADJUSTMENT = "adjustment"
    # Wallet to wallet; not offered in the UI (used by the benchmark and support tooling).
    TRANSFER = "transfer"


class LedgerAccount(SQLModel, table=True):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        # One escrow per session, one account per system name (NULLs are not compared).
        UniqueConstraint("session_id", name="uq_ledger_accounts_session"),
        UniqueConstraint("system_name", name="uq_ledger_accounts_system"),
        # One wallet per member (escrows share the learner as owner, so this is partial).
        Index(
            "uq_ledger_accounts_wallet_owner",
            "owner_id",
            unique=True,
            sqlite_where=text("kind = 'wallet'"),
            postgresql_where=text("kind = 'wallet'"),
        ),
        CheckConstraint("kind IN ('wallet', 'escrow', 'system')", name="ck_ledger_accounts_kind"),
        # The last line of defence: a member's credits never go below zero.
        CheckConstraint("kind = 'system' OR balance >= 0", name="ck_ledger_accounts_nonneg"),
        CheckConstraint(
            "(kind = 'wallet' AND owner_id IS NOT NULL AND session_id IS NULL "
            "AND system_name IS NULL) OR "
            "(kind = 'escrow' AND owner_id IS NOT NULL AND session_id IS NOT NULL "
            "AND system_name IS NULL) OR "
            "(kind = 'system' AND owner_id IS NULL AND session_id IS NULL "
            "AND system_name IS NOT NULL)",
            name="ck_ledger_accounts_shape",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    # No foreign key: the ledger does not depend on the sessions tables.
    session_id: int | None = Field(default=None)
    system_name: str | None = Field(default=None, max_length=40)
    balance: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LedgerTransaction(SQLModel, table=True):
    __tablename__ = "ledger_transactions"

    id: int | None = Field(default=None, primary_key=True)
    # Derived from the cause ("welcome:17", "session:42:settle", "stripe:checkout:cs_..."):
    # replaying a cause finds the transaction instead of moving credits twice.
    idempotency_key: str = Field(max_length=200, unique=True, index=True)
    kind: str = Field(max_length=32, index=True)
    memo: str = Field(default="", max_length=600)
    # What caused it, so the UI can link to it: ("session", 42), ("payment", 7), ("user", 17).
    cause_type: str | None = Field(default=None, max_length=32)
    cause_id: int | None = Field(default=None)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_account_id_id", "account_id", "id"),
        CheckConstraint("amount <> 0", name="ck_ledger_entries_nonzero"),
    )

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="ledger_transactions.id", index=True)
    account_id: int = Field(foreign_key="ledger_accounts.id")
    amount: int  # signed minor units
    balance_after: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PaymentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    EXPIRED = "expired"


class Payment(SQLModel, table=True):
    """A credit pack bought through Stripe Checkout."""

    __tablename__ = "payments"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    pack_id: str = Field(max_length=40)
    credits: int  # minor units credited when paid
    amount_cents: int
    currency: str = Field(default="eur", max_length=3)
    stripe_checkout_session_id: str | None = Field(default=None, max_length=255, unique=True)
    status: str = Field(default=PaymentStatus.PENDING, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StripeEvent(SQLModel, table=True):
    """Every webhook event received, by Stripe's event id: a redelivery is answered at once."""

    __tablename__ = "stripe_events"

    id: str = Field(primary_key=True, max_length=255)
    type: str = Field(max_length=100)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

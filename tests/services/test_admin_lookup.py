"""The admin credits tool's reads: member lookup, amount parsing, recent adjustments."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from bartr.models.accounts import Role
from bartr.services import admin_lookup, ledger
from bartr.services.errors import NotAllowed, NotFound, ValidationFailed
from tests.factories import make_user


def test_find_member_by_email_or_handle(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN, onboarded=False)
    maya = make_user(db, name="Maya Lopez", email="maya@example.com")
    for query in ("maya@example.com", " MAYA@example.com ", maya.handle, f"@{maya.handle}"):
        assert admin_lookup.find_member(db, actor=admin, query=query).id == maya.id
    with pytest.raises(NotFound) as missing:
        admin_lookup.find_member(db, actor=admin, query="nobody@example.com")
    assert missing.value.field == "query"
    with pytest.raises(ValidationFailed):
        admin_lookup.find_member(db, actor=admin, query="   ")


def test_members_cannot_look_anyone_up(db: Session) -> None:
    member = make_user(db)
    other = make_user(db, email="other@example.com")
    with pytest.raises(NotAllowed):
        admin_lookup.find_member(db, actor=member, query=other.email)
    with pytest.raises(NotAllowed):
        admin_lookup.recent_adjustments(db, actor=member)


@pytest.mark.parametrize(
    ("text", "minor"),
    [("2", 120), ("+1.5", 90), ("-0.5", -30), ("−3", -180), ("1,5", 90), (" 10 ", 600)],
)
def test_parse_amount_accepts_whole_and_half_credits(text: str, minor: int) -> None:
    assert admin_lookup.parse_amount(text) == minor


@pytest.mark.parametrize("text", ["", "0", "abc", "1.25", "0.3", "1e3", "--1", "1001", "-5000"])
def test_parse_amount_refuses_the_rest(text: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        admin_lookup.parse_amount(text)
    assert refused.value.field == "amount"


def test_recent_adjustments_newest_first_with_member_admin_and_reason(db: Session) -> None:
    admin = make_user(db, name="Ada Admin", role=Role.ADMIN, onboarded=False)
    maya = make_user(db, name="Maya Lopez")  # 2 welcome credits
    sam = make_user(db, name="Sam Doe")
    ledger.admin_adjust(db, actor=admin, user_id=maya.id, amount=90, reason="Goodwill")
    ledger.admin_adjust(db, actor=admin, user_id=sam.id, amount=-60, reason="Double grant")
    db.commit()

    rows = admin_lookup.recent_adjustments(db, actor=admin)
    assert [(r.member_name, r.amount, r.balance_after, r.reason, r.admin_name) for r in rows] == [
        ("Sam Doe", -60, 60, "Double grant", "Ada Admin"),
        ("Maya Lopez", 90, 210, "Goodwill", "Ada Admin"),
    ]
    assert len(admin_lookup.recent_adjustments(db, actor=admin, limit=1)) == 1

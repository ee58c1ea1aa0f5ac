"""The wallet read model: balances, history reasons and links, chart series, CSV."""

from __future__ import annotations

import csv
import io

from sqlmodel import Session

from bartr.models.accounts import Role
from bartr.models.ledger import Payment
from bartr.services import ledger, wallet
from bartr.services.credits import credits
from tests.factories import make_user


def _buy(db: Session, user_id: int, *, pack_id: str = "starter", n: int = 5) -> Payment:
    payment = Payment(
        user_id=user_id, pack_id=pack_id, credits=credits(n), amount_cents=2500, status="paid"
    )
    db.add(payment)
    db.flush()
    ledger.grant(
        db,
        user_id=user_id,
        amount=credits(n),
        system="purchases",
        kind="purchase",
        key=f"stripe:checkout:cs_{payment.id}",
        memo="Credit pack",
        cause_type="payment",
        cause_id=payment.id,
    )
    db.commit()
    return payment


def test_summary_and_history_reasons_and_links(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN, onboarded=False)
    me = make_user(db, name="Maya Lopez")  # welcome credits: 2
    make_user(db, name="Sam Doe", referral_code=me.referral_code)  # referral: 5
    teacher = make_user(db, name="Teo Teacher")
    payment = _buy(db, me.id)  # +5
    ledger.hold_for_session(db, session_id=12, learner_id=me.id, amount=90, key="s12:h")
    ledger.hold_for_session(db, session_id=13, learner_id=me.id, amount=60, key="s13:h")
    ledger.settle_session(
        db, session_id=12, learner_id=me.id, teacher_id=teacher.id, to_teacher=60, key="s12:s"
    )
    ledger.admin_adjust(db, actor=admin, user_id=me.id, amount=-30, reason="Fix typo grant")
    db.commit()

    available, on_hold = wallet.wallet_summary(db, actor=me)
    assert on_hold == 60
    assert available == credits(12) - 90 - 60 + 30 - 30

    rows = wallet.history(db, actor=me, limit=50)
    reasons = [r.reason for r in rows]
    assert reasons == [
        "Admin adjustment: Fix typo grant",
        "Unused hold returned for session #12",
        "Held for session #13",
        "Held for session #12",
        "Credit pack: Starter (5 credits)",
        "Referral: Sam Doe joined",
        "Welcome credits",
    ]
    assert rows[0].balance_after == available
    assert [r.amount for r in rows] == [-30, 30, -60, -90, 300, 300, 120]
    by_reason = {r.reason: r for r in rows}
    assert by_reason["Held for session #12"].link_path == "/sessions/12"
    assert by_reason["Held for session #12"].link_label == "Session #12"
    assert (
        by_reason["Credit pack: Starter (5 credits)"].link_path == f"/wallet#payment-{payment.id}"
    )
    sam = by_reason["Referral: Sam Doe joined"]
    assert sam.link_label == "Sam Doe" and sam.link_path.startswith("/u/")
    assert by_reason["Welcome credits"].link_path is None

    teacher_rows = wallet.history(db, actor=teacher)
    assert teacher_rows[0].reason == "Earned teaching session #12"
    assert teacher_rows[0].amount == 60

    # Paging
    assert [r.entry_id for r in wallet.history(db, actor=me, limit=2, offset=1)] == [
        r.entry_id for r in rows[1:3]
    ]


def test_member_sees_only_own_entries(db: Session) -> None:
    a, b = make_user(db), make_user(db)
    ledger.transfer(db, from_user_id=a.id, to_user_id=b.id, amount=60, key="t")
    db.commit()
    a_rows = wallet.history(db, actor=a)
    b_rows = wallet.history(db, actor=b)
    assert {r.amount for r in a_rows} == {120, -60}
    assert {r.amount for r in b_rows} == {120, 60}
    assert not {r.entry_id for r in a_rows} & {r.entry_id for r in b_rows}


def test_foreign_payment_cause_is_not_described(db: Session) -> None:
    a, b = make_user(db, onboarded=False), make_user(db, onboarded=False)
    payment = Payment(user_id=b.id, pack_id="secret-pack", credits=60, amount_cents=1)
    db.add(payment)
    db.flush()
    # A (mis)attributed grant naming someone else's payment must not reveal it.
    ledger.grant(
        db,
        user_id=a.id,
        amount=60,
        system="purchases",
        kind="purchase",
        key="odd",
        cause_type="payment",
        cause_id=payment.id,
    )
    db.commit()
    [row] = wallet.history(db, actor=a)
    assert "Secret" not in row.reason and row.link_path is None


def test_balance_series(db: Session) -> None:
    me = make_user(db)
    ledger.hold_for_session(db, session_id=1, learner_id=me.id, amount=30, key="h")
    db.commit()
    series = wallet.balance_series(db, actor=me)
    assert [b for _t, b in series] == [120, 90]
    assert all(t.tzinfo is not None for t, _b in series)
    other = make_user(db, onboarded=False)
    assert wallet.balance_series(db, actor=other) == []


def test_history_csv_is_formatted_and_injection_safe(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN, onboarded=False)
    me = make_user(db)
    ledger.admin_adjust(db, actor=admin, user_id=me.id, amount=30, reason="=HYPERLINK(1)")
    ledger.admin_adjust(db, actor=admin, user_id=me.id, amount=-90, reason="@SUM(A1)")
    db.commit()
    text = wallet.history_csv(db, actor=me)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["date", "type", "reason", "amount_credits", "balance_credits"]
    assert rows[1][1:] == ["welcome", "Welcome credits", "2", "2"]
    assert rows[2][2] == "Admin adjustment: =HYPERLINK(1)"
    assert rows[2][3:] == ["0.5", "2.5"]
    # Amounts are plain numbers (ASCII minus) so a spreadsheet can sum them...
    assert rows[3][3:] == ["-1.5", "1"]
    assert sum(float(r[3]) for r in rows[1:]) == float(rows[-1][4])
    # ...and no text cell can start a formula.
    for row in rows[1:]:
        assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row[:3])


def test_csv_safe() -> None:
    assert wallet.csv_safe("=1+1") == "'=1+1"
    assert wallet.csv_safe("+1") == "'+1"
    assert wallet.csv_safe("-1") == "'-1"
    assert wallet.csv_safe("@x") == "'@x"
    assert wallet.csv_safe("plain") == "plain"


def test_cause_link() -> None:
    assert wallet.cause_link("session", 12) == ("Session #12", "/sessions/12")
    assert wallet.cause_link("payment", 7) == ("Payment #7", "/wallet#payment-7")
    assert wallet.cause_link("user", 3, handle="maya", name="Maya") == ("Maya", "/u/maya")
    assert wallet.cause_link(None, None) is None

"""The wallet read model: balances, history reasons and links, chart series, CSV."""

from __future__ import annotations

import csv
import io

from sqlmodel import Session

from bartr.models.accounts import Role
from bartr.models.ledger import Payment
from bartr.models.sessions import SkillSession
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
    for sid, title in ((12, "Watercolor painting"), (13, "Sourdough")):
        db.add(
            SkillSession(
                id=sid, skill_id=1, skill_title=title, teacher_id=teacher.id,
                learner_id=me.id, duration_minutes=60, cost=60, state="completed",
            )
        )  # fmt: skip
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
        "Paid Teo Teacher for Watercolor painting",
        "Unused hold returned: Watercolor painting with Teo Teacher",
        "Held for Sourdough with Teo Teacher",
        "Held for Watercolor painting with Teo Teacher",
        "Credit pack: Starter (5 credits)",
        "Referral: Sam Doe joined",
        "Welcome credits",
    ]
    assert rows[0].balance_after == available
    assert [r.amount for r in rows] == [-30, -60, 30, -60, -90, 300, 300, 120]
    assert [r.from_hold for r in rows] == [False, True] + [False] * 6
    by_reason = {r.reason: r for r in rows}
    paid = by_reason["Paid Teo Teacher for Watercolor painting"]
    # The payment leaves the hold, not the wallet: the balance after it is the wallet's.
    assert (
        paid.balance_after
        == by_reason["Unused hold returned: Watercolor painting with Teo Teacher"].balance_after
    )
    held = by_reason["Held for Watercolor painting with Teo Teacher"]
    assert held.link_path == "/sessions/12" and held.link_label == "Session #12"
    assert (
        by_reason["Credit pack: Starter (5 credits)"].link_path == f"/wallet#payment-{payment.id}"
    )
    sam = by_reason["Referral: Sam Doe joined"]
    assert sam.link_label == "Sam Doe" and sam.link_path.startswith("/u/")
    assert by_reason["Welcome credits"].link_path is None

    teacher_rows = wallet.history(db, actor=teacher)
    assert teacher_rows[0].reason == "Earned teaching Watercolor painting with Maya Lopez"
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


def test_a_late_cancellation_shows_the_fee_as_its_own_line(db: Session) -> None:
    from datetime import timedelta

    from bartr.services import sessions
    from tests.services.session_factories import T0, make_pair, scheduled

    pair = make_pair(db)
    start = T0 + timedelta(days=3, hours=2)
    s = scheduled(db, pair, start=start, duration=60)
    # Inside the late window the teacher keeps part of the hold (the written policy).
    sessions.do_cancel(db, actor=pair.learner, session_id=s.id, now=start - timedelta(hours=2))
    db.commit()
    rows = wallet.history(db, actor=pair.learner, limit=10)
    title = s.skill_title
    teacher = pair.teacher.display_name
    fee = next(r for r in rows if r.from_hold)
    back = next(r for r in rows if r.reason.startswith("Unused hold returned"))
    assert fee.reason == f"Late-cancellation fee to {teacher} ({title})"
    assert fee.amount < 0 and back.amount > 0 and -fee.amount + back.amount == 60
    assert fee.transaction_id == back.transaction_id and fee.balance_after == back.balance_after
    assert f"Held for {title} with {teacher}" in [r.reason for r in rows]
    assert ledger.check_invariants(db) == []


def test_a_completed_session_shows_the_learner_a_paid_line(db: Session) -> None:
    from datetime import timedelta

    from bartr.services import sessions
    from tests.services.session_factories import T0, make_pair, scheduled
    from tests.services.session_factories import wallet as wallet_balance

    pair = make_pair(db)
    start = T0 + timedelta(days=3, hours=2)
    s = scheduled(db, pair, start=start, duration=60)
    after = start + timedelta(hours=2)
    sessions.do_mark_complete(db, actor=pair.teacher, session_id=s.id, now=after)
    sessions.do_confirm_complete(db, actor=pair.learner, session_id=s.id, now=after)
    db.commit()
    rows = wallet.history(db, actor=pair.learner, limit=10)
    assert rows[0].reason == f"Paid {pair.teacher.display_name} for {s.skill_title}"
    assert rows[0].amount == -60 and rows[0].from_hold
    assert rows[0].balance_after == rows[1].balance_after == wallet_balance(db, pair.learner)

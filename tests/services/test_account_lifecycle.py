"""Export and deletion: the member gets their data, leaves, and the books still balance."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bartr.models.accounts import AuthSession, User, UserStatus
from bartr.models.ledger import TransactionKind
from bartr.models.profiles import Skill
from bartr.models.sessions import SessionState, SkillSession
from bartr.services import account_lifecycle, accounts, blocks, ledger, reports
from bartr.services.credits import credits
from bartr.services.errors import AuthenticationFailed, NotAllowed, ValidationFailed
from tests.factories import PASSWORD, make_user
from tests.services.session_factories import T0, make_pair, request, scheduled, wallet


def test_export_has_the_members_data_and_no_secrets(db: Session) -> None:
    pair = make_pair(db)
    booked = scheduled(db, pair)
    other = make_user(db)
    blocks.do_block(db, actor=pair.learner, user_id=other.id or 0)
    reports.do_report(db, actor=pair.learner, kind="member", target_id=other.id or 0, reason="spam")
    accounts.do_login(db, email=pair.learner.email, password=PASSWORD)
    db.commit()
    data = account_lifecycle.export_data(db, actor=pair.learner)
    text = json.dumps(data)  # JSON-ready all the way down
    assert data["profile"]["email"] == pair.learner.email
    assert [s["id"] for s in data["sessions"]] == [booked.id]
    assert data["sessions"][0]["timeline"][0]["action"] == "request"
    assert data["wallet"]["history"] and data["blocked_members"][0]["handle"] == other.handle
    assert data["reports_sent"][0]["status"] == "Received"
    assert pair.learner.password_hash not in text and "token" not in text


def test_deletion_needs_the_password_and_the_forfeit_confirmation(db: Session) -> None:
    member = make_user(db)
    ledger.grant(
        db,
        user_id=member.id or 0,
        amount=credits(3),
        system="test",
        kind=TransactionKind.ADJUSTMENT,
        key=f"g1:{member.id}",
        memo="gift",
    )
    db.commit()
    preview = account_lifecycle.deletion_preview(db, actor=member)
    assert preview.confirmation == "I understand that my 5 credits will be forfeited."
    with pytest.raises(AuthenticationFailed):
        account_lifecycle.do_delete_account(
            db, actor=member, password="wrong", confirmation=preview.confirmation
        )
    with pytest.raises(ValidationFailed):
        account_lifecycle.do_delete_account(db, actor=member, password=PASSWORD, confirmation="ok")
    db.rollback()
    assert db.get(User, member.id).status == UserStatus.ACTIVE  # type: ignore[union-attr]


def test_a_password_checked_before_the_transaction_counts_only_for_the_same_hash(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller checks bcrypt with no transaction open; inside it only the hash is compared
    (a password changed in between proves nothing)."""
    from bartr.services import passwords

    member = make_user(db)
    db.commit()
    assert account_lifecycle.password_is_right(member.password_hash, PASSWORD)
    assert not account_lifecycle.password_is_right(member.password_hash, None)
    calls: list[str] = []
    monkeypatch.setattr(passwords, "verify_password", lambda *a: calls.append("bcrypt") or True)
    with pytest.raises(AuthenticationFailed):
        account_lifecycle.do_delete_account(
            db, actor=member, password="", confirmation="", checked_hash="$2b$04$other"
        )
    preview = account_lifecycle.deletion_preview(db, actor=member)
    account_lifecycle.do_delete_account(
        db,
        actor=member,
        password="",
        confirmation=preview.confirmation,
        checked_hash=member.password_hash,
    )
    assert calls == []  # no bcrypt inside the transaction
    assert member.status == UserStatus.DELETED


def test_deletion_anonymises_keeps_the_books_and_handles_sessions(db: Session) -> None:
    pair = make_pair(db)
    open_request = request(db, pair)
    booked = scheduled(db, pair, start=T0 + timedelta(days=6))
    login = accounts.do_login(db, email=pair.teacher.email, password=PASSWORD)
    db.commit()
    learner_before = wallet(db, pair.learner)
    preview = account_lifecycle.deletion_preview(db, actor=pair.teacher, now=T0)
    assert (preview.open_requests, preview.scheduled, preview.blocking) == (1, 1, [])

    done = account_lifecycle.do_delete_account(
        db, actor=pair.teacher, password=PASSWORD, confirmation=preview.confirmation, now=T0
    )
    db.commit()

    gone = db.get(User, pair.teacher.id)
    assert gone is not None and gone.status == UserStatus.DELETED
    assert gone.display_name == "Former member" and gone.email.endswith("@deleted.invalid")
    assert gone.bio == "" and gone.languages == [] and gone.avatar_path is None
    assert accounts.user_for_token(db, login.token) is None
    assert db.exec(select(AuthSession).where(AuthSession.revoked_at == None)).all() == []  # noqa: E711
    assert not any(s.active for s in db.exec(select(Skill).where(Skill.user_id == gone.id)))
    # The teacher cancelling returns everything to the learner under the policy.
    assert (done.requests_closed, done.sessions_cancelled) == (1, 1)
    assert wallet(db, pair.learner) == learner_before + open_request.cost + booked.cost
    for sid in (open_request.id, booked.id):
        assert db.get(SkillSession, sid).state == SessionState.CANCELLED  # type: ignore[union-attr]
    assert ledger.available_balance(db, gone.id or 0) == 0
    assert ledger.check_invariants(db) == []
    # Nobody can log in as them or find them.
    with pytest.raises(AuthenticationFailed):
        accounts.do_login(db, email=pair.teacher.email, password=PASSWORD)
    assert accounts.find_by_handle(db, gone.handle) is None
    # Session history stays, naming them as a former member.
    with pytest.raises(NotAllowed):
        reports.do_report(
            db, actor=gone, kind="member", target_id=pair.learner.id or 0, reason="spam"
        )


def test_deletion_waits_for_a_session_under_way(db: Session) -> None:
    pair = make_pair(db)
    booked = scheduled(db, pair)
    during = (booked.starts_at or T0) + timedelta(minutes=10)
    preview = account_lifecycle.deletion_preview(db, actor=pair.learner, now=during)
    assert preview.blocking == [booked.id]
    with pytest.raises(NotAllowed, match=f"#{booked.id}"):
        account_lifecycle.do_delete_account(
            db, actor=pair.learner, password=PASSWORD, confirmation=preview.confirmation, now=during
        )


def test_admins_cannot_delete_themselves_here(db: Session) -> None:
    from bartr.models.accounts import Role

    admin = make_user(db, role=Role.ADMIN)
    with pytest.raises(NotAllowed):
        account_lifecycle.do_delete_account(db, actor=admin, password=PASSWORD, confirmation="")

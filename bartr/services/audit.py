"""The audit log: every admin action, appended in the action's own transaction.

Why inside the transaction and not after commit: the entry is the record of what an admin
did, so it must exist exactly when the action does. A rolled-back action leaves none;
a committed one always has one. Nothing in the app updates or deletes an entry, and the
database refuses it too: `install_audit_ddl` (models/safety.py) adds triggers that reject
UPDATE and DELETE on `audit_log`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from bartr.models.accounts import User
from bartr.models.safety import AuditEntry, drop_audit_ddl, install_audit_ddl
from bartr.services.errors import NotAllowed

# action -> what the audit table shows. Adding an admin action means adding it here.
ACTIONS: dict[str, str] = {
    "credits.adjust": "Adjusted credits",
    "category.create": "Added a category",
    "category.rename": "Renamed a category",
    "category.activate": "Showed a category",
    "category.deactivate": "Hid a category",
    "dispute.resolve": "Settled a dispute",
    "report.dismiss": "Dismissed a report",
    "member.warn": "Warned a member",
    "member.suspend": "Suspended a member",
    "member.ban": "Banned a member",
    "member.reinstate": "Reinstated a member",
    "member.suspension_ended": "Suspension ended",
    "content.remove": "Removed content",
    "content.restore": "Restored content",
}
MAX_PAGE = 100
__all__ = ["ACTIONS", "drop_audit_ddl", "install_audit_ddl", "list_entries", "record"]


def record(
    db: Session,
    *,
    actor: User | None,
    action: str,
    target_kind: str,
    target_id: int | None = None,
    member_id: int | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to audit.ACTIONS")
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        member_id=member_id,
        note=(note or "")[:2000],
        data=data or {},
    )
    db.add(entry)
    db.flush()
    return entry


@dataclass(frozen=True)
class AuditRow:
    id: int
    created_at: datetime
    actor_name: str
    action: str
    action_label: str
    target_kind: str
    target_id: int | None
    member_name: str
    member_handle: str
    note: str


def list_entries(
    db: Session,
    *,
    actor: User,
    action: str = "",
    person: str = "",
    before_id: int | None = None,
    limit: int = 50,
) -> list[AuditRow]:
    """Entries newest first; `action` filters by action (or its prefix, 'member.'),
    `person` by the handle or name of the admin or of the member concerned."""
    if not actor.is_admin:
        raise NotAllowed("Only admins can read the audit log.")
    admin = aliased(User)
    member = aliased(User)
    stmt = (
        select(AuditEntry, admin, member)
        .outerjoin(admin, col(admin.id) == AuditEntry.actor_id)
        .outerjoin(member, col(member.id) == AuditEntry.member_id)
        .order_by(col(AuditEntry.id).desc())
        .limit(max(1, min(int(limit), MAX_PAGE)))
    )
    wanted = (action or "").strip()[:40]
    if wanted:
        if wanted.endswith("."):
            stmt = stmt.where(col(AuditEntry.action).startswith(wanted))
        else:
            stmt = stmt.where(AuditEntry.action == wanted)
    who = (person or "").strip().lstrip("@").lower()[:60]
    if who:
        pattern = f"%{who.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(
            or_(
                col(admin.handle).ilike(pattern),
                col(admin.display_name).ilike(pattern),
                col(member.handle).ilike(pattern),
                col(member.display_name).ilike(pattern),
            )
        )
    if before_id:
        stmt = stmt.where(col(AuditEntry.id) < int(before_id))
    return [
        AuditRow(
            id=e.id or 0,
            created_at=e.created_at,
            actor_name=a.display_name if a is not None else "System",
            action=e.action,
            action_label=ACTIONS.get(e.action, e.action),
            target_kind=e.target_kind,
            target_id=e.target_id,
            member_name=m.display_name if m is not None else "",
            member_handle=m.handle if m is not None else "",
            note=e.note,
        )
        for e, a, m in db.exec(stmt).all()
    ]

"""Safety tables: the append-only audit log, reports, blocks and warnings.

The audit log is written in the same transaction as the admin action it describes (so a
rolled-back action leaves no entry and a committed one always has one) and is never
updated or deleted: triggers on both databases refuse UPDATE and DELETE (see
`bartr.services.audit.install_audit_ddl`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Connection, Index, event
from sqlmodel import Field, SQLModel

from bartr.models.base import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target", "target_kind", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # None for actions the system takes by itself (a suspension that ran out).
    actor_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    action: str = Field(max_length=40, index=True)
    target_kind: str = Field(max_length=20)
    target_id: int | None = None
    # The member the action concerns, when there is one (filtering "everything about X").
    member_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    note: str = Field(default="", max_length=2000)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ReportStatus(StrEnum):
    OPEN = "open"
    ACTIONED = "actioned"
    DISMISSED = "dismissed"


class Report(SQLModel, table=True):
    """A member's report of a member, review, message or course item."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_status_created", "status", "created_at"),
        Index("ix_reports_reporter_target", "reporter_id", "target_kind", "target_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reporter_id: int = Field(foreign_key="users.id")
    target_kind: str = Field(max_length=20)
    target_id: int
    # The member responsible for the target (the author of a message, the member reported).
    subject_id: int = Field(foreign_key="users.id", index=True)
    reason: str = Field(max_length=24)
    details: str = Field(default="", max_length=2000)
    status: str = Field(default=ReportStatus.OPEN, max_length=16)
    # Private to admins: what was decided, by whom and when.
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by_id: int | None = Field(default=None, foreign_key="users.id")
    resolution: str = Field(default="", max_length=40)


class Block(SQLModel, table=True):
    """`blocker_id` blocked `blocked_id`; either direction hides the pair from each other."""

    __tablename__ = "member_blocks"

    blocker_id: int = Field(foreign_key="users.id", primary_key=True)
    blocked_id: int = Field(foreign_key="users.id", primary_key=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MemberWarning(SQLModel, table=True):
    """An admin's warning; shown to the member until they acknowledge it."""

    __tablename__ = "member_warnings"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    admin_id: int = Field(foreign_key="users.id")
    report_id: int | None = Field(default=None, foreign_key="reports.id")
    message: str = Field(max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --------------------------------------------------------------------------- append-only
# Plain SQLAlchemy DDL (no service import): PostgreSQL raises from a plpgsql trigger
# function, SQLite from RAISE(ABORT). Installed after create_all makes the table, and by
# the Alembic migration. TRUNCATE stays possible for the test suite's clean-up (it is not
# reachable from the app).
_PG_DDL = (
    """
    CREATE OR REPLACE FUNCTION bartr_audit_log_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = 'audit_log is append-only: ' || TG_OP || ' refused',
            ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS bartr_audit_log_no_change ON audit_log",
    """
    CREATE TRIGGER bartr_audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION bartr_audit_log_append_only()
    """,
)
_SQLITE_DDL = (
    """
    CREATE TRIGGER IF NOT EXISTS bartr_audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS bartr_audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END
    """,
)


def install_audit_ddl(connection: Connection) -> None:
    """Create the triggers that make `audit_log` append-only (idempotent)."""
    statements = _PG_DDL if connection.dialect.name == "postgresql" else _SQLITE_DDL
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_audit_ddl(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS bartr_audit_log_append_only CASCADE")
    else:
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS bartr_audit_log_no_update")
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS bartr_audit_log_no_delete")


@event.listens_for(AuditEntry.__table__, "after_create")  # type: ignore[attr-defined]
def _on_after_create(_target: Any, connection: Connection, **_kw: Any) -> None:
    install_audit_ddl(connection)

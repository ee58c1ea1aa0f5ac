"""video: a random LiveKit room per session, webhook events recorded once, attendance

Revision ID: 0024
Revises: 0005
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import bartr.models.base
from alembic import op

revision: str = "0024"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = bartr.models.base.UTCDateTime(timezone=True)


def _str(n: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=n)


def upgrade() -> None:
    op.add_column("skill_sessions", sa.Column("video_room", _str(40), nullable=True))
    op.add_column("skill_sessions", sa.Column("video_checked_at", UTC, nullable=True))
    # Every existing session gets its own random room name (never derived from its id).
    conn = op.get_bind()
    ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM skill_sessions"))]
    for session_id in ids:
        conn.execute(
            sa.text("UPDATE skill_sessions SET video_room = :room WHERE id = :id"),
            {"room": "bartr-" + secrets.token_hex(16), "id": session_id},
        )
    op.create_index("uq_skill_sessions_video_room", "skill_sessions", ["video_room"], unique=True)

    op.create_table(
        "livekit_events",
        sa.Column("id", _str(64), nullable=False),
        sa.Column("event", _str(40), nullable=False),
        sa.Column("room", _str(64), nullable=False),
        sa.Column("identity", _str(64), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_livekit_events_room_identity", "livekit_events", ["room", "identity"], unique=False
    )
    op.create_table(
        "session_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("first_join_at", UTC, nullable=False),
        sa.Column("last_leave_at", UTC, nullable=True),
        sa.Column("seconds_present", sa.Integer(), nullable=False),
        sa.Column("in_room_since", UTC, nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["skill_sessions.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "user_id", name="uq_session_attendance_member"),
    )
    op.create_index(
        "ix_session_attendance_session_id", "session_attendance", ["session_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_session_attendance_session_id", table_name="session_attendance")
    op.drop_table("session_attendance")
    op.drop_index("ix_livekit_events_room_identity", table_name="livekit_events")
    op.drop_table("livekit_events")
    op.drop_index("uq_skill_sessions_video_room", table_name="skill_sessions")
    with op.batch_alter_table("skill_sessions") as batch_op:
        batch_op.drop_column("video_checked_at")
        batch_op.drop_column("video_room")

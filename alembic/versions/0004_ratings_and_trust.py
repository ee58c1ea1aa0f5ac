"""ratings and trust: the ratings table, badge inputs and breakdown on teacher_stats

Revision ID: 0004
Revises: 0008
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import bartr.models.base
from alembic import op

revision: str = "0004"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("ratee_id", sa.Integer(), nullable=False),
        sa.Column("rater_side", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("prompts", sa.JSON(), nullable=False),
        sa.Column("skill_title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_at", bartr.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bartr.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("visible_from", bartr.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", bartr.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reply", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("reply_at", bartr.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_at", bartr.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name="ck_ratings_stars"),
        sa.CheckConstraint("rater_id <> ratee_id", name="ck_ratings_parties"),
        sa.CheckConstraint("rater_side IN ('learner', 'teacher')", name="ck_ratings_side"),
        sa.ForeignKeyConstraint(["ratee_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["rater_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["skill_sessions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "rater_id", name="uq_ratings_session_rater"),
    )
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ratings_ratee_side_visible", ["ratee_id", "rater_side", "visible_from"]
        )
        batch_op.create_index("ix_ratings_unpublished", ["published_at", "visible_from"])
        batch_op.create_index(batch_op.f("ix_ratings_rater_id"), ["rater_id"])

    with op.batch_alter_table("teacher_stats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sessions_taught", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("bayes_rating", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "last_upheld_report_at",
                bartr.models.base.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "breakdown",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("teacher_stats", schema=None) as batch_op:
        batch_op.drop_column("breakdown")
        batch_op.drop_column("last_upheld_report_at")
        batch_op.drop_column("bayes_rating")
        batch_op.drop_column("sessions_taught")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ratings_rater_id"))
        batch_op.drop_index("ix_ratings_unpublished")
        batch_op.drop_index("ix_ratings_ratee_side_visible")
    op.drop_table("ratings")

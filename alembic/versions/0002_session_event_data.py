"""session events carry structured data

Revision ID: 0002
Revises: 0003
Create Date: 2026-12-02 02:15:00

`session_events.data` (JSON, NULL for rows written before it): the facts of a transition as
ISO instants and integer amounts, so pages word them in the viewer's zone.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("session_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("session_events", schema=None) as batch_op:
        batch_op.drop_column("data")

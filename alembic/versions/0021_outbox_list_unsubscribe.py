"""outbox: List-Unsubscribe URL per email

Notification and digest emails carry a signed one-click unsubscribe link (RFC 8058); the
sender adds List-Unsubscribe and List-Unsubscribe-Post headers from this column.

Revision ID: 0021
Revises: 0025
Create Date: 2026-12-02 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0021"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "list_unsubscribe", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_column("list_unsubscribe")

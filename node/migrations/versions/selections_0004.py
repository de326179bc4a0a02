"""selections: a selection can be cancelled before its nominations close

Revision ID: selections_0004
Revises: selections_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "selections_0004"
down_revision = "selections_0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("selections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=1000), nullable=True))


def downgrade():
    with op.batch_alter_table("selections", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")

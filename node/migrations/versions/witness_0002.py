"""witness: where the last run's comparison with peers stopped (witness_states.peers_from)

Revision ID: witness_0002
Revises: witness_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "witness_0002"
down_revision = "witness_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("witness_states", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("peers_from", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("witness_states", schema=None) as batch_op:
        batch_op.drop_column("peers_from")

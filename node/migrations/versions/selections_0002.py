"""selections: when followers were told that the selection's ballot opened

Revision ID: selections_0002
Revises: selections_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "selections_0002"
down_revision = "selections_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("selections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ballot_news_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("selections", schema=None) as batch_op:
        batch_op.drop_column("ballot_news_at")

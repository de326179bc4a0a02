"""ballots: electorate rule "in good standing nationally on the freeze date"

Revision ID: ballots_0003
Revises: ballots_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "ballots_0003"
down_revision = "ballots_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "ballots",
        sa.Column(
            "requires_national_good_standing",
            sa.Boolean(),
            nullable=False,
            server_default=sa.false(),
        ),
    )


def downgrade():
    with op.batch_alter_table("ballots") as batch_op:
        batch_op.drop_column("requires_national_good_standing")

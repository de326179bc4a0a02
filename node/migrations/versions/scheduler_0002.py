"""scheduler: dead letters (a failing item given up after repeated attempts, and dismissed)

Revision ID: scheduler_0002
Revises: scheduler_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "scheduler_0002"
down_revision = "scheduler_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("task_failures") as batch_op:
        batch_op.add_column(sa.Column("given_up_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("dismissed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("task_failures") as batch_op:
        batch_op.drop_column("dismissed_at")
        batch_op.drop_column("given_up_at")

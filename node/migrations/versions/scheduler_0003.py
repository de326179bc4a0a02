"""scheduler: task_leases, the items of periodic work a worker is doing now (issue 18: many
workers on many machines share the work; each item is done by one of them at a time)

Revision ID: scheduler_0003
Revises: scheduler_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "scheduler_0003"
down_revision = "scheduler_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "task_leases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_leases")),
        sa.UniqueConstraint("task", "key", name=op.f("uq_task_leases_task_key")),
    )


def downgrade():
    op.drop_table("task_leases")

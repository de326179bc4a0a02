"""scheduler: task_failures, one row per failing item of a periodic task (issue 13, finding 4)

Revision ID: scheduler_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "scheduler_0001"
down_revision = "0001_foundation"
branch_labels = ("scheduler",)
depends_on = None


def upgrade():
    op.create_table(
        "task_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_task_failures_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_failures")),
        sa.UniqueConstraint("task", "key", name=op.f("uq_task_failures_task_key")),
    )
    with op.batch_alter_table("task_failures") as batch_op:
        batch_op.create_index(batch_op.f("ix_task_failures_group_id"), ["group_id"], unique=False)


def downgrade():
    op.drop_table("task_failures")

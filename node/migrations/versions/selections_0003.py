"""selections: which steps of a selection were mailed to its electorate

Steps that had already happened when this ran are recorded as not sent, so upgrading an
install never mails members about a selection long past.

Revision ID: selections_0003
Revises: selections_0002
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "selections_0003"
down_revision = "selections_0002"
branch_labels = None
depends_on = None

BEFORE = "not sent: this step came before the selections room mailed its steps"
SELECTIONS = sa.table(
    "selections",
    sa.column("id", sa.Integer),
    sa.column("group_id", sa.Integer),
    sa.column("nominations_open_at", sa.DateTime),
    sa.column("closed_at", sa.DateTime),
    sa.column("answers_published_at", sa.DateTime),
)
MAILINGS = sa.table(
    "selection_mailings",
    sa.column("group_id", sa.Integer),
    sa.column("selection_id", sa.Integer),
    sa.column("step", sa.String),
    sa.column("outcome", sa.String),
    sa.column("created_at", sa.DateTime),
)


def upgrade():
    op.create_table(
        "selection_mailings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_selection_mailings_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["selection_id"],
            ["selections.id"],
            name=op.f("fk_selection_mailings_selection_id_selections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_mailings")),
        sa.UniqueConstraint(
            "selection_id", "step", name=op.f("uq_selection_mailings_selection_id_step")
        ),
    )
    with op.batch_alter_table("selection_mailings", schema=None) as batch_op:
        for column in ("group_id", "selection_id"):
            batch_op.create_index(
                batch_op.f(f"ix_selection_mailings_{column}"), [column], unique=False
            )
    now = datetime.now(UTC).replace(tzinfo=None)
    past_steps = (
        ("opened", SELECTIONS.c.nominations_open_at <= now),
        ("closed", SELECTIONS.c.closed_at.is_not(None)),
        ("answers", SELECTIONS.c.answers_published_at.is_not(None)),
    )
    for step, happened in past_steps:
        rows = sa.select(
            SELECTIONS.c.group_id,
            SELECTIONS.c.id,
            sa.literal(step, sa.String),
            sa.literal(BEFORE, sa.String),
            sa.literal(now, sa.DateTime),
        ).where(happened)
        op.get_bind().execute(
            MAILINGS.insert().from_select(
                ["group_id", "selection_id", "step", "outcome", "created_at"], rows
            )
        )


def downgrade():
    op.drop_table("selection_mailings")

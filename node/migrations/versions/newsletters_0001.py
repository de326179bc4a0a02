"""newsletters: newsletters and their recipients (issue 16)

Revision ID: newsletters_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "newsletters_0001"
down_revision = "0001_foundation"
branch_labels = ("newsletters",)
depends_on = None


def upgrade():
    op.create_table(
        "newsletters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("segment_kind", sa.String(length=20), nullable=False),
        sa.Column("segment_value", sa.String(length=200), nullable=True),
        sa.Column("segment_label", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("excluded_no_consent", sa.Integer(), nullable=False),
        sa.Column("excluded_no_address", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["members.id"],
            name=op.f("fk_newsletters_created_by_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_newsletters_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletters")),
    )
    with op.batch_alter_table("newsletters") as batch_op:
        batch_op.create_index(batch_op.f("ix_newsletters_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_newsletters_state"), ["state"], unique=False)

    op.create_table(
        "newsletter_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("newsletter_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_newsletter_recipients_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_newsletter_recipients_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["newsletter_id"],
            ["newsletters.id"],
            name=op.f("fk_newsletter_recipients_newsletter_id_newsletters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_recipients")),
        sa.UniqueConstraint(
            "newsletter_id",
            "member_id",
            name=op.f("uq_newsletter_recipients_newsletter_id_member_id"),
        ),
    )
    with op.batch_alter_table("newsletter_recipients") as batch_op:
        for column in ("group_id", "newsletter_id", "member_id", "state"):
            batch_op.create_index(
                batch_op.f(f"ix_newsletter_recipients_{column}"), [column], unique=False
            )


def downgrade():
    op.drop_table("newsletter_recipients")
    op.drop_table("newsletters")

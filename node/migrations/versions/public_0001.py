"""public: the group's public page (description, joining settings), membership applications
from the join form, and campaigns' public flag (events already have one)

Revision ID: public_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "public_0001"
down_revision = "0001_foundation"
branch_labels = ("public",)
depends_on = "organising_0001"  # campaigns.public


def upgrade():
    op.create_table(
        "public_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("join_open", sa.Boolean(), nullable=False),
        sa.Column("auto_accept", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_public_profiles_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_profiles")),
        sa.UniqueConstraint("group_id", name=op.f("uq_public_profiles_group_id")),
    )
    op.create_table(
        "membership_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("ward", sa.String(length=120), nullable=True),
        sa.Column("union", sa.String(length=120), nullable=True),
        sa.Column("consent_email", sa.Boolean(), nullable=False),
        sa.Column("consent_phone", sa.Boolean(), nullable=False),
        sa.Column("consent_data", sa.Boolean(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(), nullable=True),
        sa.Column("mailed_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_membership_applications_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["members.id"],
            name=op.f("fk_membership_applications_decided_by_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_membership_applications_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_applications")),
        sa.UniqueConstraint("group_id", "email", name=op.f("uq_membership_applications_group_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_membership_applications_token_hash")),
    )
    with op.batch_alter_table("membership_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_applications_group_id"), ["group_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_membership_applications_status"), ["status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_membership_applications_member_id"), ["member_id"], unique=False
        )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("public")
    op.drop_table("membership_applications")
    op.drop_table("public_profiles")

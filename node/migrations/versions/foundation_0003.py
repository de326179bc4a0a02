"""foundation: mailed sign-in links (signin_links) and "invite everyone without an account"
(invitation_runs and their items, the send log)

Revision ID: foundation_0003
Revises: foundation_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "foundation_0003"
down_revision = "foundation_0002"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade():
    op.create_table(
        "signin_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        _fk("signin_links", "group_id", "groups", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_signin_links_token_hash")),
    )
    with op.batch_alter_table("signin_links") as batch_op:
        batch_op.create_index(batch_op.f("ix_signin_links_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_signin_links_email"), ["email"], unique=False)
    op.create_table(
        "invitation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        _fk("invitation_runs", "group_id", "groups", "CASCADE"),
        _fk("invitation_runs", "created_by_id", "members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_runs")),
    )
    with op.batch_alter_table("invitation_runs") as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_runs_group_id"), ["group_id"], unique=False)
    op.create_table(
        "invitation_run_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        _fk("invitation_run_items", "run_id", "invitation_runs", "CASCADE"),
        _fk("invitation_run_items", "group_id", "groups", "CASCADE"),
        _fk("invitation_run_items", "member_id", "members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_run_items")),
    )
    with op.batch_alter_table("invitation_run_items") as batch_op:
        for column in ("run_id", "group_id", "state"):
            batch_op.create_index(
                batch_op.f(f"ix_invitation_run_items_{column}"), [column], unique=False
            )


def downgrade():
    op.drop_table("invitation_run_items")
    op.drop_table("invitation_runs")
    op.drop_table("signin_links")

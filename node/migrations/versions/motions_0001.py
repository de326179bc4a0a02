"""motions: motions, their seconders, discussion posts, amendments, and the seconders setting

Revision ID: motions_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "motions_0001"
down_revision = "0001_foundation"
branch_labels = ("motions",)
depends_on = ("ballots_0001", "organising_0001")  # ballot ids, motions.campaign_id


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade():
    op.create_table(
        "motion_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("seconders", sa.Integer(), nullable=False),
        _fk("motion_settings", "group_id", "groups", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motion_settings")),
        sa.UniqueConstraint("group_id", name=op.f("uq_motion_settings_group_id")),
    )
    op.create_table(
        "motions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("original_text", sa.Text(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("proposer_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("on_agenda_at", sa.DateTime(), nullable=True),
        sa.Column("vote_days", sa.Integer(), nullable=True),
        sa.Column("quorum", sa.Integer(), nullable=True),
        sa.Column("final_ballot_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_how", sa.String(length=8), nullable=True),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("minute", sa.String(length=200), nullable=True),
        sa.Column("endorsement_published", sa.Boolean(), nullable=False),
        _fk("motions", "group_id", "groups", "CASCADE"),
        _fk("motions", "campaign_id", "campaigns", "SET NULL"),
        _fk("motions", "proposer_id", "members", "SET NULL"),
        _fk("motions", "final_ballot_id", "ballots", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motions")),
    )
    with op.batch_alter_table("motions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_motions_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_motions_state"), ["state"], unique=False)
    op.create_table(
        "motion_seconds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("motion_seconds", "group_id", "groups", "CASCADE"),
        _fk("motion_seconds", "motion_id", "motions", "CASCADE"),
        _fk("motion_seconds", "member_id", "members", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motion_seconds")),
        sa.UniqueConstraint(
            "motion_id", "member_id", name=op.f("uq_motion_seconds_motion_id_member_id")
        ),
    )
    with op.batch_alter_table("motion_seconds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_motion_seconds_group_id"), ["group_id"], unique=False)
    op.create_table(
        "motion_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.Column("hidden_at", sa.DateTime(), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        _fk("motion_posts", "group_id", "groups", "CASCADE"),
        _fk("motion_posts", "motion_id", "motions", "CASCADE"),
        _fk("motion_posts", "parent_id", "motion_posts", "CASCADE"),
        _fk("motion_posts", "author_id", "members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motion_posts")),
    )
    with op.batch_alter_table("motion_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_motion_posts_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_motion_posts_motion_id"), ["motion_id"], unique=False)
    op.create_table(
        "motion_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=True),
        sa.Column("base_text", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        _fk("motion_amendments", "group_id", "groups", "CASCADE"),
        _fk("motion_amendments", "motion_id", "motions", "CASCADE"),
        _fk("motion_amendments", "proposer_id", "members", "SET NULL"),
        _fk("motion_amendments", "ballot_id", "ballots", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motion_amendments")),
        sa.UniqueConstraint(
            "motion_id", "position", name=op.f("uq_motion_amendments_motion_id_position")
        ),
    )
    with op.batch_alter_table("motion_amendments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_motion_amendments_group_id"), ["group_id"], unique=False
        )


def downgrade():
    op.drop_table("motion_amendments")
    op.drop_table("motion_posts")
    op.drop_table("motion_seconds")
    op.drop_table("motions")
    op.drop_table("motion_settings")

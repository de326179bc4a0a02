"""ballots: ballots, options, frozen electorates, participations, anonymous ballot papers

Revision ID: ballots_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "ballots_0001"
down_revision = "0001_foundation"
branch_labels = ("ballots",)
depends_on = None


def upgrade():
    op.create_table(
        "ballots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.DateTime(), nullable=False),
        sa.Column("closes_at", sa.DateTime(), nullable=False),
        sa.Column("freeze_on", sa.Date(), nullable=False),
        sa.Column("min_days", sa.Integer(), nullable=True),
        sa.Column("quorum", sa.Integer(), nullable=True),
        sa.Column("quorum_percent", sa.Integer(), nullable=True),
        sa.Column("threshold", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("scheduled", sa.Boolean(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("electorate_size", sa.Integer(), nullable=True),
        sa.Column("turnout", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("blt", sa.Text(), nullable=True),
        sa.Column("ballots_hash", sa.String(length=64), nullable=True),
        sa.Column("decision_ready", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_ballots_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["members.id"],
            name=op.f("fk_ballots_created_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballots")),
    )
    op.create_index(op.f("ix_ballots_group_id"), "ballots", ["group_id"])
    op.create_index(op.f("ix_ballots_state"), "ballots", ["state"])
    op.create_table(
        "ballot_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_ballot_options_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballots.id"],
            name=op.f("fk_ballot_options_ballot_id_ballots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_options")),
        sa.UniqueConstraint(
            "ballot_id", "position", name=op.f("uq_ballot_options_ballot_id_position")
        ),
    )
    op.create_index(op.f("ix_ballot_options_group_id"), "ballot_options", ["group_id"])
    op.create_table(
        "ballot_electors",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_ballot_electors_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballots.id"],
            name=op.f("fk_ballot_electors_ballot_id_ballots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_ballot_electors_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ballot_id", "member_id", name=op.f("pk_ballot_electors")),
    )
    op.create_index(op.f("ix_ballot_electors_group_id"), "ballot_electors", ["group_id"])
    op.create_table(
        "ballot_participations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("voted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_ballot_participations_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballots.id"],
            name=op.f("fk_ballot_participations_ballot_id_ballots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_ballot_participations_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_participations")),
        sa.UniqueConstraint(
            "ballot_id", "member_id", name=op.f("uq_ballot_participations_ballot_id_member_id")
        ),
    )
    op.create_index(
        op.f("ix_ballot_participations_group_id"), "ballot_participations", ["group_id"]
    )
    # WITHOUT ROWID on SQLite: no hidden increasing rowid that would order the papers.
    op.create_table(
        "ballot_papers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("ranking", sa.JSON(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_ballot_papers_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballots.id"],
            name=op.f("fk_ballot_papers_ballot_id_ballots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_papers")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_ballot_papers_receipt_hash")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_ballot_papers_ballot_id", "ballot_papers", ["ballot_id"])


def downgrade():
    op.drop_table("ballot_papers")
    op.drop_table("ballot_participations")
    op.drop_table("ballot_electors")
    op.drop_table("ballot_options")
    op.drop_table("ballots")

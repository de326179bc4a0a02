"""hub: enrolment tokens, enrolled groups, aggregates, node-side hub links

Revision ID: hub_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "hub_0001"
down_revision = "0001_foundation"
branch_labels = ("hub",)
depends_on = None


def upgrade():
    op.create_table(
        "hub_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=2048), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=2048), nullable=False),
        sa.Column("endorsements", sa.Integer(), nullable=False),
        sa.Column("last_endorsed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_hub_campaigns_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_campaigns")),
        sa.UniqueConstraint("group_id", "key", name=op.f("uq_hub_campaigns_group_id_key")),
    )
    op.create_index(
        op.f("ix_hub_campaigns_endorsements"), "hub_campaigns", ["endorsements"], unique=False
    )
    op.create_index(op.f("ix_hub_campaigns_group_id"), "hub_campaigns", ["group_id"], unique=False)
    op.create_index(op.f("ix_hub_campaigns_title"), "hub_campaigns", ["title"], unique=False)
    op.create_table(
        "hub_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("office", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("election_date", sa.Date(), nullable=False),
        sa.Column("endorsements", sa.Integer(), nullable=False),
        sa.Column("last_endorsed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_hub_candidates_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_candidates")),
        sa.UniqueConstraint("group_id", "key", name=op.f("uq_hub_candidates_group_id_key")),
    )
    op.create_index(
        op.f("ix_hub_candidates_endorsements"), "hub_candidates", ["endorsements"], unique=False
    )
    op.create_index(
        op.f("ix_hub_candidates_group_id"), "hub_candidates", ["group_id"], unique=False
    )
    op.create_index(op.f("ix_hub_candidates_name"), "hub_candidates", ["name"], unique=False)
    op.create_table(
        "hub_enrolled_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.Column("inbox", sa.String(length=2048), nullable=False),
        sa.Column("outbox", sa.String(length=2048), nullable=False),
        sa.Column("jwks_uri", sa.String(length=2048), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=True),
        sa.Column("statements", sa.Integer(), nullable=False),
        sa.Column("last_statement_at", sa.DateTime(), nullable=True),
        sa.Column("last_sweep_at", sa.DateTime(), nullable=True),
        sa.Column("last_sweep_ok_at", sa.DateTime(), nullable=True),
        sa.Column("sweep_failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("forked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_hub_enrolled_groups_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_enrolled_groups")),
        sa.UniqueConstraint("group_id", "url", name=op.f("uq_hub_enrolled_groups_group_id_url")),
    )
    op.create_index(
        op.f("ix_hub_enrolled_groups_group_id"), "hub_enrolled_groups", ["group_id"], unique=False
    )
    op.create_index(
        op.f("ix_hub_enrolled_groups_region"), "hub_enrolled_groups", ["region"], unique=False
    )
    op.create_table(
        "hub_enrolment_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("used_by", sa.String(length=2048), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_hub_enrolment_tokens_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_enrolment_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_hub_enrolment_tokens_token_hash")),
    )
    op.create_index(
        op.f("ix_hub_enrolment_tokens_group_id"), "hub_enrolment_tokens", ["group_id"], unique=False
    )
    op.create_table(
        "hub_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("hub_url", sa.String(length=2048), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.Column("registry_url", sa.String(length=2048), nullable=False),
        sa.Column("registry_seq", sa.Integer(), nullable=False),
        sa.Column("registry_body", sa.JSON(), nullable=True),
        sa.Column("registry_fetched_at", sa.DateTime(), nullable=True),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_hub_links_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_links")),
        sa.UniqueConstraint("group_id", "hub_url", name=op.f("uq_hub_links_group_id_hub_url")),
    )
    op.create_index(op.f("ix_hub_links_group_id"), "hub_links", ["group_id"], unique=False)
    op.create_table(
        "hub_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_hub_tallies_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_tallies")),
        sa.UniqueConstraint(
            "group_id",
            "kind",
            "subject_id",
            "region",
            "month",
            name=op.f("uq_hub_tallies_group_id_kind_subject_id_region_month"),
        ),
    )
    op.create_index(op.f("ix_hub_tallies_group_id"), "hub_tallies", ["group_id"], unique=False)
    op.create_table(
        "hub_endorsements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("electorate", sa.Integer(), nullable=True),
        sa.Column("turnout", sa.Integer(), nullable=True),
        sa.Column("result", sa.String(length=1000), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("retracted_at", sa.DateTime(), nullable=True),
        sa.Column("retraction_reason", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolled_id"],
            ["hub_enrolled_groups.id"],
            name=op.f("fk_hub_endorsements_enrolled_id_hub_enrolled_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_hub_endorsements_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_endorsements")),
        sa.UniqueConstraint(
            "group_id", "statement_id", name=op.f("uq_hub_endorsements_group_id_statement_id")
        ),
    )
    op.create_index(
        op.f("ix_hub_endorsements_enrolled_id"), "hub_endorsements", ["enrolled_id"], unique=False
    )
    op.create_index(
        op.f("ix_hub_endorsements_group_id"), "hub_endorsements", ["group_id"], unique=False
    )
    op.create_index(
        op.f("ix_hub_endorsements_issued_at"), "hub_endorsements", ["issued_at"], unique=False
    )
    op.create_index(
        "ix_hub_endorsements_subject",
        "hub_endorsements",
        ["group_id", "kind", "subject_id", "counted"],
        unique=False,
    )


def downgrade():
    op.drop_table("hub_endorsements")
    op.drop_table("hub_tallies")
    op.drop_table("hub_links")
    op.drop_table("hub_enrolment_tokens")
    op.drop_table("hub_enrolled_groups")
    op.drop_table("hub_candidates")
    op.drop_table("hub_campaigns")

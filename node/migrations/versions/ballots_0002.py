"""ballots: what a decision is about (office, area, election date, campaign) and its statements

Revision ID: ballots_0002
Revises: ballots_0001

Plain ADD COLUMNs (the foreign key inline), so SQLite needs no copy-and-move of the ballots
table, which other ballot tables reference.
"""

import sqlalchemy as sa
from alembic import op

revision = "ballots_0002"
down_revision = "ballots_0001"
branch_labels = None
depends_on = "organising_0001"  # ballots.campaign_id → campaigns.id

COLUMNS = (
    ("office", sa.String(length=200)),
    ("area", sa.String(length=200)),
    ("election_date", sa.Date()),
    ("campaign_title", sa.String(length=200)),
    ("campaign_summary", sa.Text()),
    ("campaign_url", sa.String(length=500)),
    ("decision_published_at", sa.DateTime()),
    ("statement_ids", sa.JSON()),
)


def upgrade():
    for name, type_ in COLUMNS:
        op.add_column("ballots", sa.Column(name, type_, nullable=True))
    fk = "fk_ballots_campaign_id_campaigns"
    if op.get_bind().dialect.name == "sqlite":  # no ALTER … ADD CONSTRAINT: declare it inline
        column = sa.Column(
            "campaign_id",
            sa.Integer(),
            sa.ForeignKey("campaigns.id", name=fk, ondelete="SET NULL"),
            nullable=True,
        )
        op.add_column("ballots", column, inline_references=True)
    else:
        op.add_column("ballots", sa.Column("campaign_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            fk, "ballots", "campaigns", ["campaign_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("ballots") as batch:
        batch.drop_column("campaign_id")
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)

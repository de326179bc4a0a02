"""hub: drop single-column group_id indexes that a (group_id, …) unique index already covers

Revision ID: hub_0003
Revises: hub_0002

Why: every hub row has the same group_id, so a plan that picks the group_id-only index reads
the whole table. A generic plan cached while a table was small did exactly that for the
per-batch look-ups (1.1 billion index tuples read by 475,000 statements into
hub_endorsements in bench/hub.py). The composite unique indexes serve group_id-only queries
as well, and each dropped index is one less to maintain per inserted row.
"""

from alembic import op

revision = "hub_0003"
down_revision = "hub_0002"
branch_labels = None
depends_on = None

TABLES = (
    "hub_enrolled_groups",
    "hub_candidates",
    "hub_campaigns",
    "hub_endorsements",
    "hub_tallies",
)


def upgrade():
    for table in TABLES:
        op.drop_index(f"ix_{table}_group_id", table_name=table)


def downgrade():
    for table in TABLES:
        op.create_index(f"ix_{table}_group_id", table, ["group_id"], unique=False)

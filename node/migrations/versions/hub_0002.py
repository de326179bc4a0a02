"""hub: index endorsements by (hub, region, issued_at) for the regions page

Revision ID: hub_0002
Revises: hub_0001
"""

from alembic import op

revision = "hub_0002"
down_revision = "hub_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_hub_endorsements_region",
        "hub_endorsements",
        ["group_id", "region", "issued_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_hub_endorsements_region", table_name="hub_endorsements")

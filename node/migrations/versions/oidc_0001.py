"""oidc: national membership records, OpenID Connect clients, codes, tokens, consents;
node-side hub connections, national links and join requests

Revision ID: oidc_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "oidc_0001"
down_revision = "0001_foundation"
branch_labels = ("oidc",)
depends_on = None


def upgrade():
    op.create_table(
        "oidc_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("jwks", sa.JSON(), nullable=True),
        sa.Column("jwks_uri", sa.String(length=500), nullable=True),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_oidc_clients_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_clients")),
        sa.UniqueConstraint(
            "group_id", "client_id", name=op.f("uq_oidc_clients_group_id_client_id")
        ),
    )
    op.create_index(op.f("ix_oidc_clients_group_id"), "oidc_clients", ["group_id"], unique=False)
    op.create_table(
        "oidc_hub_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column("allow_join_requests", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_oidc_hub_connections_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_hub_connections")),
        sa.UniqueConstraint("group_id", name=op.f("uq_oidc_hub_connections_group_id")),
    )
    op.create_table(
        "oidc_join_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("membership", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_oidc_join_requests_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_oidc_join_requests_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_join_requests")),
        sa.UniqueConstraint(
            "group_id", "subject", name=op.f("uq_oidc_join_requests_group_id_subject")
        ),
    )
    op.create_index(
        op.f("ix_oidc_join_requests_group_id"), "oidc_join_requests", ["group_id"], unique=False
    )
    op.create_table(
        "oidc_national_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("member_since", sa.Date(), nullable=False),
        sa.Column("paid_until", sa.Date(), nullable=True),
        sa.Column("local_groups", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_oidc_national_members_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_national_members")),
        sa.UniqueConstraint(
            "group_id", "email", name=op.f("uq_oidc_national_members_group_id_email")
        ),
        sa.UniqueConstraint("subject", name=op.f("uq_oidc_national_members_subject")),
    )
    op.create_index(
        op.f("ix_oidc_national_members_group_id"),
        "oidc_national_members",
        ["group_id"],
        unique=False,
    )
    op.create_table(
        "oidc_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("redirect_uri", sa.String(length=500), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("nonce", sa.String(length=200), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=True),
        sa.Column("code_challenge_method", sa.String(length=10), nullable=True),
        sa.Column("auth_time", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_oidc_codes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["oidc_clients.id"],
            name=op.f("fk_oidc_codes_client_pk_oidc_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_oidc_codes_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_oidc_codes_code_hash")),
    )
    op.create_index(op.f("ix_oidc_codes_group_id"), "oidc_codes", ["group_id"], unique=False)
    op.create_table(
        "oidc_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_oidc_consents_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["oidc_clients.id"],
            name=op.f("fk_oidc_consents_client_pk_oidc_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_oidc_consents_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_consents")),
        sa.UniqueConstraint(
            "client_pk", "account_id", name=op.f("uq_oidc_consents_client_pk_account_id")
        ),
    )
    op.create_index(op.f("ix_oidc_consents_group_id"), "oidc_consents", ["group_id"], unique=False)
    op.create_table(
        "oidc_national_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("membership", sa.JSON(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_oidc_national_links_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_oidc_national_links_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_national_links")),
        sa.UniqueConstraint(
            "group_id", "subject", name=op.f("uq_oidc_national_links_group_id_subject")
        ),
        sa.UniqueConstraint("member_id", name=op.f("uq_oidc_national_links_member_id")),
    )
    op.create_index(
        op.f("ix_oidc_national_links_group_id"), "oidc_national_links", ["group_id"], unique=False
    )
    op.create_table(
        "oidc_used_assertions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("jti", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["oidc_clients.id"],
            name=op.f("fk_oidc_used_assertions_client_pk_oidc_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_used_assertions")),
        sa.UniqueConstraint("client_pk", "jti", name=op.f("uq_oidc_used_assertions_client_pk_jti")),
    )
    op.create_table(
        "oidc_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=True),
        sa.Column("access_token_hash", sa.String(length=64), nullable=False),
        sa.Column("refresh_token_hash", sa.String(length=64), nullable=True),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("expires_in", sa.Integer(), nullable=False),
        sa.Column("refresh_expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_oidc_tokens_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["oidc_clients.id"],
            name=op.f("fk_oidc_tokens_client_pk_oidc_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["oidc_codes.id"],
            name=op.f("fk_oidc_tokens_code_id_oidc_codes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_oidc_tokens_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_tokens")),
        sa.UniqueConstraint("access_token_hash", name=op.f("uq_oidc_tokens_access_token_hash")),
        sa.UniqueConstraint("refresh_token_hash", name=op.f("uq_oidc_tokens_refresh_token_hash")),
    )
    op.create_index(op.f("ix_oidc_tokens_group_id"), "oidc_tokens", ["group_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_oidc_tokens_group_id"), table_name="oidc_tokens")
    op.drop_table("oidc_tokens")
    op.drop_table("oidc_used_assertions")
    op.drop_index(op.f("ix_oidc_national_links_group_id"), table_name="oidc_national_links")
    op.drop_table("oidc_national_links")
    op.drop_index(op.f("ix_oidc_consents_group_id"), table_name="oidc_consents")
    op.drop_table("oidc_consents")
    op.drop_index(op.f("ix_oidc_codes_group_id"), table_name="oidc_codes")
    op.drop_table("oidc_codes")
    op.drop_index(op.f("ix_oidc_national_members_group_id"), table_name="oidc_national_members")
    op.drop_table("oidc_national_members")
    op.drop_index(op.f("ix_oidc_join_requests_group_id"), table_name="oidc_join_requests")
    op.drop_table("oidc_join_requests")
    op.drop_table("oidc_hub_connections")
    op.drop_index(op.f("ix_oidc_clients_group_id"), table_name="oidc_clients")
    op.drop_table("oidc_clients")

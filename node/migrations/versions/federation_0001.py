"""federation: keys, statements, fork evidence, peers, followers, deliveries, destinations

Revision ID: federation_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "federation_0001"
down_revision = "0001_foundation"
branch_labels = ("federation",)
depends_on = None


def upgrade():
    op.create_table('federation_destinations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('probe_started', sa.DateTime(), nullable=True),
    sa.Column('last_success_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_federation_destinations')),
    sa.UniqueConstraint('origin', name=op.f('uq_federation_destinations_origin'))
    )
    op.create_table('federation_followers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=500), nullable=False),
    sa.Column('inbox', sa.String(length=500), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('last_request_at', sa.DateTime(), nullable=False),
    sa.Column('last_nonce', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_federation_followers_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_federation_followers')),
    sa.UniqueConstraint('group_id', 'actor', name=op.f('uq_federation_followers_group_id_actor'))
    )
    with op.batch_alter_table('federation_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_federation_followers_group_id'), ['group_id'], unique=False)

    op.create_table('federation_fork_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('compact', sa.Text(), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_federation_fork_evidence_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_federation_fork_evidence'))
    )
    with op.batch_alter_table('federation_fork_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_federation_fork_evidence_group_id'), ['group_id'], unique=False)

    op.create_table('federation_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_federation_keys_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_federation_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_federation_keys_kid'))
    )
    with op.batch_alter_table('federation_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_federation_keys_group_id'), ['group_id'], unique=False)

    op.create_table('federation_peers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('inbox', sa.String(length=500), nullable=False),
    sa.Column('outbox', sa.String(length=500), nullable=False),
    sa.Column('jwks_uri', sa.String(length=500), nullable=False),
    sa.Column('follow_url', sa.String(length=500), nullable=True),
    sa.Column('thumbprints', sa.JSON(), nullable=False),
    sa.Column('keys', sa.JSON(), nullable=False),
    sa.Column('retired_kids', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_detail', sa.String(length=500), nullable=True),
    sa.Column('last_pulled_seq', sa.BigInteger(), nullable=False),
    sa.Column('next_pull_at', sa.DateTime(), nullable=True),
    sa.Column('pull_failures', sa.Integer(), nullable=False),
    sa.Column('last_pull_error', sa.String(length=500), nullable=True),
    sa.Column('jwks_fetched_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_federation_peers_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_federation_peers')),
    sa.UniqueConstraint('group_id', 'issuer', name=op.f('uq_federation_peers_group_id_issuer'))
    )
    with op.batch_alter_table('federation_peers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_federation_peers_group_id'), ['group_id'], unique=False)

    op.create_table('federation_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('prev', sa.String(length=43), nullable=True),
    sa.Column('hash', sa.String(length=43), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('compact', sa.Text(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('verification', sa.String(length=20), nullable=False),
    sa.Column('retracted_by', sa.String(length=36), nullable=True),
    sa.Column('retraction_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_federation_statements_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_federation_statements')),
    sa.UniqueConstraint('group_id', 'issuer', 'seq', name=op.f('uq_federation_statements_group_id_issuer_seq'))
    )
    with op.batch_alter_table('federation_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_federation_statements_group_id'), ['group_id'], unique=False)
        batch_op.create_index('ix_federation_statements_holder_sid', ['group_id', 'statement_id'], unique=False)

    op.create_table('federation_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('statement_pk', sa.Integer(), nullable=False),
    sa.Column('destination', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('claimed_by', sa.String(length=32), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_federation_deliveries_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_pk'], ['federation_statements.id'], name=op.f('fk_federation_deliveries_statement_pk_federation_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_federation_deliveries')),
    sa.UniqueConstraint('statement_pk', 'destination', name=op.f('uq_federation_deliveries_statement_pk_destination'))
    )
    with op.batch_alter_table('federation_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_federation_deliveries_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_federation_deliveries_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_federation_deliveries_statement_pk'), ['statement_pk'], unique=False)



def downgrade():
    op.drop_table("federation_deliveries")
    op.drop_table("federation_statements")
    op.drop_table("federation_peers")
    op.drop_table("federation_keys")
    op.drop_table("federation_fork_evidence")
    op.drop_table("federation_followers")
    op.drop_table("federation_destinations")

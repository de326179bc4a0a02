"""foundation: proof of e-mail (accounts.email_verified_at), a revocable session epoch
(accounts.session_epoch), the mailed-only invitation token and confirmation links

Revision ID: foundation_0002
Revises: 0001_foundation

Existing accounts start *unverified*: nothing recorded so far tells an account whose owner used
a mailed link (reset) from one made by whoever held an invitation link an officer also saw, so
none is vouched for. A member becomes verified again by using a password-reset link (or a
confirmation link); until then the hub does not map the account to a national record, and
national sign-in does not pick it by e-mail. Sessions are signed out once by the change of
epoch.
"""

import sqlalchemy as sa
from alembic import op

revision = "foundation_0002"
down_revision = "0001_foundation"
branch_labels = ("foundation",)
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_verified_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_token_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_invitations_mail_token_hash"), ["mail_token_hash"]
        )
    with op.batch_alter_table("password_resets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=10), nullable=False, server_default="reset")
        )


def downgrade():
    with op.batch_alter_table("password_resets", schema=None) as batch_op:
        batch_op.drop_column("purpose")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_invitations_mail_token_hash"), type_="unique")
        batch_op.drop_column("mail_token_hash")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")
        batch_op.drop_column("email_verified_at")

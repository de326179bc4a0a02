"""Tables of the single sign-on: the hub's side (national records, clients, codes, tokens,
consents) and the node's side (connection to a hub, links of members to national identities,
join requests).

Codes and tokens are stored only as SHA-256 hashes: a database dump does not hand out sessions.
Every row belongs to a group: on the hub, the hub group; on a node, the local group.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node import clock
from node.extensions import Model
from node.i18n import N_
from node.members.models import Account

# Marked so that pages can show them in the reader's language (``{{ _(status) }}``).
NATIONAL_STATUSES = (N_("good-standing"), N_("lapsed"))


# ----------------------------------------------------------------------------- hub side
class NationalMember(Model):
    """A national membership record, imported by hub officers; matched to accounts by e-mail."""

    __tablename__ = "oidc_national_members"
    __table_args__ = (UniqueConstraint("group_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    # The stable, opaque OpenID ``sub``: never the e-mail, never a database id.
    subject: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="good-standing")
    member_since: Mapped[date]
    paid_until: Mapped[date | None]
    local_groups: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(
        default=clock.utcnow_naive, onupdate=clock.utcnow_naive
    )


class OidcClient(Model):
    """A relying party: normally an enrolled node, whose client id is its group URL."""

    __tablename__ = "oidc_clients"
    __table_args__ = (UniqueConstraint("group_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(500))
    name: Mapped[str] = mapped_column(String(200))
    redirect_uris: Mapped[list[Any]] = mapped_column(JSON, default=list)
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    jwks_uri: Mapped[str | None] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(String(200), default="openid email profile membership")
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    disabled_at: Mapped[datetime | None]

    # -- Authlib's ClientMixin ------------------------------------------------------------
    client_metadata: dict[str, Any] = {}
    AUTH_METHOD = "private_key_jwt"

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Exact string comparison (OIDC Core 3.1.2.1): no prefixes, no normalisation."""
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # there is no secret: private_key_jwt only

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.AUTH_METHOD

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


class AuthorizationCode(Model):
    __tablename__ = "oidc_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("oidc_clients.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    redirect_uri: Mapped[str] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(String(200))
    nonce: Mapped[str | None] = mapped_column(String(200))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    auth_time: Mapped[int]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    # -- Authlib's AuthorizationCodeMixin (OIDC flavour) -----------------------------------
    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return None

    def get_amr(self) -> list[str] | None:
        return None


class Token(Model):
    __tablename__ = "oidc_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("oidc_clients.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("oidc_codes.id", ondelete="SET NULL"))
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    expires_in: Mapped[int]
    refresh_expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    client: Mapped[OidcClient] = relationship()
    account: Mapped[Account] = relationship()

    # -- Authlib's TokenMixin (time from node.clock, so tests can move it) ------------------
    def check_client(self, client: OidcClient) -> bool:
        return self.client_pk == client.id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return clock.utcnow_naive() >= self.issued_at + timedelta(seconds=self.expires_in)

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def get_user(self) -> Account:
        return self.account

    def get_client(self) -> OidcClient:
        return self.client


class Consent(Model):
    """A member's yes to one node: shown (and revocable) on the hub's "signed-in nodes" page."""

    __tablename__ = "oidc_consents"
    __table_args__ = (UniqueConstraint("client_pk", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("oidc_clients.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    last_used_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)

    client: Mapped[OidcClient] = relationship()


class UsedAssertion(Model):
    """``jti`` of client assertions already seen, until they expire (RFC 7523 replay check)."""

    __tablename__ = "oidc_used_assertions"
    __table_args__ = (UniqueConstraint("client_pk", "jti"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("oidc_clients.id", ondelete="CASCADE"))
    jti: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]


# ----------------------------------------------------------------------------- node side
class HubConnection(Model):
    """A node group's connection to its hub's provider (set at enrolment or by the CLI)."""

    __tablename__ = "oidc_hub_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), unique=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(500))
    # May a first national sign-in without a member record ask to join (officer approves)?
    allow_join_requests: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)


class NationalLink(Model):
    """A local member's national identity and the ``membership`` claim last seen for it."""

    __tablename__ = "oidc_national_links"
    __table_args__ = (UniqueConstraint("group_id", "subject"), UniqueConstraint("member_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(64))
    membership: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checked_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)


class JoinRequest(Model):
    """A national member who signed in without a local record and asked to join."""

    __tablename__ = "oidc_join_requests"
    __table_args__ = (UniqueConstraint("group_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    membership: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    decided_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(String(10))

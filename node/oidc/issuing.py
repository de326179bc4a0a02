"""What the hub's provider parts share: scopes and lifetimes, the issuer and its endpoint URLs,
client lookup, the userinfo claims, and token hashing and revocation.

Every time check reads ``node.clock`` so tests move time instead of sleeping.
"""

from __future__ import annotations

import hashlib
from typing import Any

from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oidc.core import UserInfo
from flask import abort, g
from flask_babel import gettext as _
from sqlalchemy import select

from node import clock
from node.extensions import db
from node.groups.models import Group
from node.members.models import Account
from node.oidc.models import OidcClient, Token
from node.oidc.records import membership_claim, record_for_account
from node.tenancy import current_group

SCOPES = ("openid", "email", "profile", "membership")
CODE_SECONDS = 60
ACCESS_SECONDS = 600
ID_TOKEN_SECONDS = 300
REFRESH_DAYS = 30
ASSERTION_MAX_SECONDS = 300
CLIENT_ASSERTION_ALGS = ["Ed25519", "EdDSA", "ES256", "RS256"]


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def hub() -> Group:
    group = current_group()
    if not group.is_hub:
        abort(404, _("This group is not the national hub."))
    return group


def issuer(group: Group) -> str:
    return group.url.rstrip("/")


def endpoint(group: Group, name: str) -> str:
    return f"{issuer(group)}/oidc/{name}"


def find_client(client_id: str) -> OidcClient | None:
    group = g.get("group")
    if group is None or not group.is_hub or not isinstance(client_id, str):
        return None
    return db.session.scalar(
        select(OidcClient).where(
            OidcClient.group_id == group.id,
            OidcClient.client_id == client_id,
            OidcClient.disabled_at.is_(None),
        )
    )


def user_info(group: Group, account: Account, scope: str) -> UserInfo:
    rec = record_for_account(group, account)
    if rec is None:
        raise InvalidRequestError("This account has no national membership record.")
    scopes = set((scope or "").split())
    info = UserInfo(sub=rec.subject)
    if "email" in scopes:
        # Verified only after a proof by mail (Account.email_verified_at): an account made from
        # an invitation link that an officer also saw proves nothing about its address.
        info.update(email=rec.email, email_verified=account.email_verified_at is not None)
    if "profile" in scopes:
        info["name"] = rec.name
    if "membership" in scopes:
        info["membership"] = membership_claim(rec)
    return info


def revoke_tokens(stmt: Any) -> int:
    now = clock.utcnow_naive()
    count = 0
    for token in db.session.scalars(stmt.where(Token.revoked_at.is_(None))):
        token.revoked_at = now
        count += 1
    return count

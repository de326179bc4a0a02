"""The hub's OpenID Connect provider, assembled from Authlib's server components.

Authorization code flow only (:mod:`node.oidc.grants`), client authentication by
``private_key_jwt`` only (:mod:`node.oidc.client_auth`), revocation (RFC 7009), a userinfo
endpoint and the discovery document. Shared pieces live in :mod:`node.oidc.issuing`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oidc.core import UserInfo, UserInfoEndpoint
from flask import Flask, current_app, g
from sqlalchemy import select

from node import clock
from node.extensions import db
from node.groups.models import Group
from node.members.models import Account
from node.oidc import keys
from node.oidc.client_auth import PrivateKeyJWT
from node.oidc.grants import CodeGrant, IdTokens, RefreshGrant, RequiredPKCE
from node.oidc.issuing import (
    ACCESS_SECONDS,
    CLIENT_ASSERTION_ALGS,
    REFRESH_DAYS,
    SCOPES,
    digest,
    endpoint,
    find_client,
    hub,
    issuer,
    user_info,
)
from node.oidc.models import AuthorizationCode, Consent, OidcClient, Token


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["private_key_jwt"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        hashed = digest(token_string or "")
        return db.session.scalar(
            select(Token).where(
                (Token.access_token_hash == hashed) | (Token.refresh_token_hash == hashed)
            )
        )

    def revoke_token(self, token: Token, request: Any) -> None:
        token.revoked_at = clock.utcnow_naive()


class Bearer(BearerTokenValidator):
    def authenticate_token(self, token_string: str) -> Token | None:
        group = g.get("group")
        if group is None or not isinstance(token_string, str):
            return None
        return db.session.scalar(
            select(Token).where(
                Token.group_id == group.id, Token.access_token_hash == digest(token_string)
            )
        )


class UserInfoView(UserInfoEndpoint):
    def get_issuer(self) -> str:
        return issuer(hub())

    def generate_user_info(self, user: Account, scope: str) -> UserInfo:
        return user_info(hub(), user, scope)

    def resolve_private_key(self) -> Any:
        return keys.idtoken_key()

    def get_supported_algorithms(self) -> list[str]:
        return ["RS256"]


def _save_token(token: dict[str, Any], request: Any) -> None:
    client: OidcClient = request.client
    code = getattr(request, "authorization_code", None)
    now = clock.utcnow_naive()
    refresh = token.get("refresh_token")
    db.session.add(
        Token(
            group_id=client.group_id,
            client_pk=client.id,
            account_id=request.user.id,
            code_id=code.id if isinstance(code, AuthorizationCode) else None,
            access_token_hash=digest(token["access_token"]),
            refresh_token_hash=digest(refresh) if refresh else None,
            scope=token.get("scope", ""),
            issued_at=now,
            expires_in=int(token.get("expires_in", ACCESS_SECONDS)),
            refresh_expires_at=now + timedelta(days=REFRESH_DAYS) if refresh else None,
        )
    )
    consent = db.session.scalar(
        select(Consent).where(Consent.client_pk == client.id, Consent.account_id == request.user.id)
    )
    if consent is not None:
        consent.last_used_at = now
    db.session.flush()


def init_provider(app: Flask) -> None:
    """One Authlib server and resource protector per app (stored in ``app.extensions``)."""
    app.config.setdefault(
        "OAUTH2_TOKEN_EXPIRES_IN",
        {
            "authorization_code": ACCESS_SECONDS,
            "refresh_token": ACCESS_SECONDS,
        },
    )
    app.config.setdefault("OAUTH2_REFRESH_TOKEN_GENERATOR", True)
    app.config.setdefault("OAUTH2_SCOPES_SUPPORTED", list(SCOPES))
    server = AuthorizationServer()
    server.init_app(app, query_client=find_client, save_token=_save_token)
    server.register_client_auth_method(PrivateKeyJWT.CLIENT_AUTH_METHOD, PrivateKeyJWT())
    server.register_grant(CodeGrant, [RequiredPKCE(required=True), IdTokens()])
    server.register_grant(RefreshGrant)
    server.register_endpoint(Revocation)
    protector = ResourceProtector()
    protector.register_token_validator(Bearer())
    server.register_endpoint(UserInfoView(resource_protector=protector))
    app.extensions["oidc_server"] = server
    app.extensions["oidc_protector"] = protector


def server() -> AuthorizationServer:
    return current_app.extensions["oidc_server"]


def discovery(group: Group) -> dict[str, Any]:
    return {
        "issuer": issuer(group),
        "authorization_endpoint": endpoint(group, "authorize"),
        "token_endpoint": endpoint(group, "token"),
        "userinfo_endpoint": endpoint(group, "userinfo"),
        "revocation_endpoint": endpoint(group, "revoke"),
        "jwks_uri": endpoint(group, "jwks.json"),
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": CLIENT_ASSERTION_ALGS,
        "revocation_endpoint_auth_methods_supported": ["private_key_jwt"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "email",
            "email_verified",
            "name",
            "membership",
        ],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
    }

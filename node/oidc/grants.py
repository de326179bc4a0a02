"""The provider's grants: authorization code with PKCE (S256) on every request and ``nonce``
required, exact redirect-URI matching, 60-second single-use codes (a replayed code also revokes
what it issued, as RFC 6749 10.5 advises), rotating refresh tokens, and RS256 ID tokens.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from sqlalchemy import select

from node import clock
from node.extensions import db
from node.groups.models import Group
from node.members.models import Account
from node.oidc import keys
from node.oidc.issuing import (
    CODE_SECONDS,
    ID_TOKEN_SECONDS,
    digest,
    find_client,
    hub,
    issuer,
    revoke_tokens,
    user_info,
)
from node.oidc.models import AuthorizationCode, OidcClient, Token
from node.oidc.records import record_for_account


class RequiredPKCE(CodeChallenge):
    """PKCE on every request (not only for public clients), S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge (S256).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE: code_challenge_method must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["private_key_jwt"]

    @staticmethod
    def validate_authorization_redirect_uri(request: Any, client: OidcClient) -> str:
        uri = request.payload.redirect_uri
        if not uri:
            raise InvalidRequestError("Missing 'redirect_uri' in request.")
        if not client.check_redirect_uri(uri):
            raise InvalidRequestError("The redirect_uri is not registered for this client.")
        return uri

    def save_authorization_code(self, code: str, request: Any) -> None:
        payload = request.payload
        account: Account = request.user
        signed_in = account.last_sign_in or clock.utcnow_naive()
        db.session.add(
            AuthorizationCode(
                group_id=request.client.group_id,
                client_pk=request.client.id,
                account_id=account.id,
                code_hash=digest(code),
                redirect_uri=payload.redirect_uri,
                scope=request.client.get_allowed_scope(payload.scope),
                nonce=payload.data.get("nonce"),
                code_challenge=payload.data.get("code_challenge"),
                code_challenge_method=payload.data.get("code_challenge_method"),
                auth_time=int(signed_in.replace(tzinfo=clock.UTC).timestamp()),
                expires_at=clock.utcnow_naive() + timedelta(seconds=CODE_SECONDS),
            )
        )
        db.session.flush()

    def query_authorization_code(self, code: str, client: OidcClient) -> AuthorizationCode | None:
        if not isinstance(code, str) or len(code) > 200:
            return None
        row = db.session.scalar(
            select(AuthorizationCode).where(
                AuthorizationCode.code_hash == digest(code),
                AuthorizationCode.client_pk == client.id,
            )
        )
        if row is None:
            return None
        if row.used_at is not None:
            revoke_tokens(select(Token).where(Token.code_id == row.id))
            return None
        if row.expires_at <= clock.utcnow_naive():
            return None
        return row

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        authorization_code.used_at = clock.utcnow_naive()

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Account | None:
        account = db.session.get(Account, authorization_code.account_id)
        group = db.session.get(Group, authorization_code.group_id)
        if account is None or group is None or record_for_account(group, account) is None:
            return None
        return account


class RefreshGrant(RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["private_key_jwt"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        row = db.session.scalar(
            select(Token).where(Token.refresh_token_hash == digest(refresh_token))
        )
        if row is None or row.revoked_at is not None or row.refresh_expires_at is None:
            return None
        if row.refresh_expires_at <= clock.utcnow_naive():
            return None
        return row

    def authenticate_user(self, refresh_token: Token) -> Account | None:
        return refresh_token.account

    def revoke_old_credential(self, refresh_token: Token) -> None:
        refresh_token.revoked_at = clock.utcnow_naive()


class IdTokens(OpenIDCode):
    def __init__(self) -> None:
        super().__init__(require_nonce=True)

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        client = find_client(request.payload.client_id)
        if client is None:
            return False
        return (
            db.session.scalar(
                select(AuthorizationCode.id).where(
                    AuthorizationCode.client_pk == client.id, AuthorizationCode.nonce == nonce
                )
            )
            is not None
        )

    def resolve_client_private_key(self, client: OidcClient) -> Any:
        return keys.idtoken_key()

    def get_client_algorithm(self, client: OidcClient) -> str:
        return "RS256"

    def get_encode_header(self, client: OidcClient) -> dict[str, str]:
        return {"alg": "RS256", "kid": str(keys.idtoken_key().kid)}

    def get_client_claims(self, client: OidcClient) -> dict[str, Any]:
        return {"iss": issuer(hub()), "aud": [client.client_id]}

    def get_compatible_claims(self, request: Any) -> dict[str, Any]:
        now = int(clock.now().timestamp())
        claims = self.get_client_claims(request.client)
        claims.update(
            iat=now, exp=now + ID_TOKEN_SECONDS, auth_time=now, azp=request.client.client_id
        )
        return claims

    def generate_user_info(self, user: Account, scope: str) -> UserInfo:
        return user_info(hub(), user, scope)

"""The hub's OpenID Connect provider, assembled from Authlib's server components.

Authorization code flow only, with PKCE (S256) required, ``nonce`` required, exact redirect-URI
matching, 60-second single-use codes (a replayed code also revokes what it issued, as RFC 6749
10.5 advises), client authentication by ``private_key_jwt`` only (RFC 7523, Ed25519 (RFC 9864) with the
node's group key), rotating refresh tokens, revocation (RFC 7009) and a userinfo endpoint. Every time
check reads ``node.clock`` so tests move time instead of sleeping.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import InvalidClientError, InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo, UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, current_app, g
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select

from node import clock
from node.extensions import db
from node.groups.models import Group
from node.members.models import Account
from node.oidc import keys
from node.oidc.models import AuthorizationCode, Consent, OidcClient, Token, UsedAssertion
from node.oidc.records import membership_claim, record_for_account
from node.tenancy import current_group

if TYPE_CHECKING:
    from joserfc.jwk import KeySetSerialization

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
        from flask import abort

        abort(404, "This group is not the national hub.")
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


# ----------------------------------------------------------------------------- client auth
class PrivateKeyJWT(JWTBearerClientAssertion):
    """``private_key_jwt``: the assertion is signed with the node's own key (RFC 7523 2.2)."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def get_audiences(self) -> list[str]:
        group = hub()
        return [issuer(group), endpoint(group, "token"), endpoint(group, "revoke")]

    def resolve_client_public_key(self, client: OidcClient) -> Any:
        if client.jwks:
            return KeySet.import_key_set(cast("KeySetSerialization", client.jwks))
        if client.jwks_uri:
            from federation.errors import FederationError
            from node.peering.net import new_client

            fetcher = new_client(timeout=(3.05, 5))
            try:
                return KeySet.import_key_set({"keys": fetcher.fetch_jwks(client.jwks_uri)})
            except (FederationError, ValueError) as exc:
                raise InvalidClientError(description="Cannot fetch the client's keys.") from exc
            finally:
                fetcher.close()
        raise InvalidClientError(description="The client has no registered keys.")

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> Any:
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=CLIENT_ASSERTION_ALGS)
        except (JoseError, ValueError) as exc:
            raise InvalidClientError(description="The client assertion is not valid.") from exc
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims: Any) -> None:
        now = int(clock.now().timestamp())
        registry = jwt.JWTClaimsRegistry(
            now=now,
            leeway=self.leeway,
            iss={"essential": True},
            sub={"essential": True},
            aud={"essential": True, "values": self.get_audiences()},
            exp={"essential": True},
            jti={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise InvalidClientError(description=exc.description) from exc
        if claims["sub"] != claims["iss"]:
            raise InvalidClientError(description="Issuer and subject must be the client id.")
        if int(claims["exp"]) - now > ASSERTION_MAX_SECONDS:
            raise InvalidClientError(description="The client assertion lives too long.")
        if not self.validate_jti(claims, claims["jti"]):
            raise InvalidClientError(description="The client assertion was used before.")

    def validate_jti(self, claims: Any, jti: Any) -> bool:
        client = find_client(claims["sub"])
        if client is None or not isinstance(jti, str) or len(jti) > 200:
            return False
        now = clock.utcnow_naive()
        db.session.query(UsedAssertion).filter(UsedAssertion.expires_at < now).delete()
        seen = db.session.scalar(
            select(UsedAssertion).where(
                UsedAssertion.client_pk == client.id, UsedAssertion.jti == jti
            )
        )
        if seen is not None:
            return False
        expires = now + timedelta(seconds=ASSERTION_MAX_SECONDS + self.leeway)
        db.session.add(UsedAssertion(client_pk=client.id, jti=jti, expires_at=expires))
        db.session.flush()
        return True


# ----------------------------------------------------------------------------- grants
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


# ----------------------------------------------------------------------------- endpoints
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


def revoke_tokens(stmt: Any) -> int:
    now = clock.utcnow_naive()
    count = 0
    for token in db.session.scalars(stmt.where(Token.revoked_at.is_(None))):
        token.revoked_at = now
        count += 1
    return count


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

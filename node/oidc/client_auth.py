"""Client authentication at the hub's token and revocation endpoints: ``private_key_jwt`` only
(RFC 7523), the assertion signed with the node's group key (Ed25519, RFC 9864), each ``jti``
accepted once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from authlib.oauth2.rfc6749 import InvalidClientError
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select

from node import clock
from node.extensions import db
from node.oidc.issuing import (
    ASSERTION_MAX_SECONDS,
    CLIENT_ASSERTION_ALGS,
    endpoint,
    find_client,
    hub,
    issuer,
)
from node.oidc.models import OidcClient, UsedAssertion

if TYPE_CHECKING:
    from joserfc.jwk import KeySetSerialization


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

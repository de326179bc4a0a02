"""State changes of the single sign-on (never committing: views and the CLI commit).

:func:`register_node_client` is the hook the hub's enrolment calls; the CLI's
``commonground oidc register-client`` calls it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from node import clock
from node.audit import record
from node.errors import Invalid, NotFound
from node.extensions import db
from node.groups.models import Group
from node.members.models import Account
from node.oidc.issuing import SCOPES, revoke_tokens
from node.oidc.models import Consent, HubConnection, OidcClient, Token

if TYPE_CHECKING:
    from joserfc.jwk import KeySetSerialization


def _check_url(url: str, what: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        raise Invalid(f"{what} must be an absolute http(s) URL without a fragment: {url!r}")
    if parts.username or parts.password or len(url) > 500:
        raise Invalid(f"{what} must have no credentials and be at most 500 characters.")
    return url


def _check_jwks(jwks: dict[str, Any]) -> dict[str, Any]:
    from joserfc.jwk import KeySet

    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or not keys or len(keys) > 10:
        raise Invalid("jwks must be a JWK set with 1 to 10 keys.")
    if any(isinstance(k, dict) and "d" in k for k in keys):
        raise Invalid("jwks must hold public keys only.")
    try:
        KeySet.import_key_set(cast("KeySetSerialization", jwks))
    except Exception as exc:  # noqa: BLE001 (joserfc raises several types for bad keys)
        raise Invalid(f"jwks is not a valid JWK set ({type(exc).__name__}).") from None
    return {"keys": keys}


def register_node_client(
    hub_group: Group,
    client_id: str,
    redirect_uri: str,
    jwks_uri: str | None = None,
    jwks: dict[str, Any] | None = None,
    name: str | None = None,
) -> OidcClient:
    """Register (or update) a node as a client of ``hub_group``'s provider.

    ``client_id`` is the node group's id URL; ``redirect_uri`` is matched exactly; the node
    authenticates with ``private_key_jwt`` using the keys at ``jwks_uri`` or in ``jwks``.
    """
    if not hub_group.is_hub:
        raise Invalid(f"{hub_group.slug} is not the national hub.")
    _check_url(client_id, "client_id")
    _check_url(redirect_uri, "redirect_uri")
    if jwks_uri:
        _check_url(jwks_uri, "jwks_uri")
    if jwks is not None:
        jwks = _check_jwks(jwks)
    if not jwks_uri and jwks is None:
        raise Invalid("Give the node's keys: jwks_uri or jwks.")
    client = db.session.scalar(
        select(OidcClient).where(
            OidcClient.group_id == hub_group.id, OidcClient.client_id == client_id
        )
    )
    if client is None:
        client = OidcClient(group_id=hub_group.id, client_id=client_id, scope=" ".join(SCOPES))
        db.session.add(client)
    client.name = (name or urlsplit(client_id).netloc)[:200]
    client.redirect_uris = [redirect_uri]
    client.jwks = jwks
    client.jwks_uri = jwks_uri
    client.disabled_at = None
    db.session.flush()
    record(hub_group, None, "oidc-register-client", client_id[:200])
    return client


def grant_consent(client: OidcClient, account: Account, scope: str) -> Consent:
    consent = db.session.scalar(
        select(Consent).where(Consent.client_pk == client.id, Consent.account_id == account.id)
    )
    if consent is None:
        consent = Consent(
            group_id=client.group_id, client_pk=client.id, account_id=account.id, scope=scope
        )
        db.session.add(consent)
    else:
        consent.scope = " ".join(sorted(set(consent.scope.split()) | set(scope.split())))
    consent.last_used_at = clock.utcnow_naive()
    db.session.flush()
    return consent


def has_consent(client: OidcClient, account: Account, scope: str) -> bool:
    consent = db.session.scalar(
        select(Consent).where(Consent.client_pk == client.id, Consent.account_id == account.id)
    )
    return consent is not None and set(scope.split()) <= set(consent.scope.split())


def connections(hub_group: Group, account: Account) -> list[Consent]:
    return list(
        db.session.scalars(
            select(Consent)
            .where(Consent.group_id == hub_group.id, Consent.account_id == account.id)
            .order_by(Consent.last_used_at.desc())
        )
    )


def revoke_connection(hub_group: Group, account: Account, consent_id: int) -> str:
    """A member withdraws a node: its consent goes and every token it holds is revoked."""
    consent = db.session.scalar(
        select(Consent).where(
            Consent.id == consent_id,
            Consent.group_id == hub_group.id,
            Consent.account_id == account.id,
        )
    )
    if consent is None:
        raise NotFound(_("No such signed-in node."))
    name = consent.client.name
    revoke_tokens(
        select(Token).where(Token.client_pk == consent.client_pk, Token.account_id == account.id)
    )
    db.session.delete(consent)
    db.session.flush()
    return name


# ----------------------------------------------------------------------------- node side
def connect_to_hub(
    group: Group, issuer: str, client_id: str | None = None, allow_join_requests: bool = False
) -> HubConnection:
    """Point a node group at its hub's provider (enrolment, or ``commonground oidc connect``)."""
    if group.is_hub:
        raise Invalid(_("The hub itself signs members in with passwords."))
    issuer = _check_url(issuer.rstrip("/"), "issuer")
    conn = db.session.scalar(select(HubConnection).where(HubConnection.group_id == group.id))
    if conn is None:
        conn = HubConnection(group_id=group.id)
        db.session.add(conn)
    conn.issuer = issuer
    conn.client_id = _check_url(client_id or group.url, "client_id")
    conn.allow_join_requests = allow_join_requests
    db.session.flush()
    record(group, None, "oidc-connect-hub", issuer[:200])
    return conn


def hub_connection(group: Group | None) -> HubConnection | None:
    if group is None or group.is_hub:
        return None
    return db.session.scalar(select(HubConnection).where(HubConnection.group_id == group.id))

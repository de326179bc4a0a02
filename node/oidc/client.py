"""The node's side: "Sign in with your national account", as an Authlib Flask client.

Each connected group is its own client of the hub (client id = the group's URL), authenticating
at the token endpoint with ``private_key_jwt`` signed by the group's Ed25519 key. Authlib checks
``state`` (stored in the session), sends PKCE (S256) and checks the ID token's signature, issuer,
audience, expiry and ``nonce``.

Outgoing HTTP: Authlib's requests session is the one exception to "only federation.client"; it is
fenced the same way (``federation.client.check_url``, the same public-addresses-only transport
(``federation.addresses``, lifted by COMMONGROUND_ALLOW_PRIVATE_PEERS), no proxies or netrc from
the environment, timeouts, at most 3 redirects) for every back-channel request (discovery,
JWKS, token) and only ever talks to the group's configured issuer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from federation.addresses import PublicAddressesOnly
from federation.client import check_url
from node import clock
from node.audit import record
from node.errors import Conflict, Forbidden, Invalid
from node.extensions import db
from node.groups.models import Group
from node.i18n import N_
from node.members.models import Account, Member
from node.oidc.keys import group_client_jwk
from node.oidc.models import HubConnection, JoinRequest, NationalLink
from node.peering.net import allow_private
from node.tenancy import group_url

SCOPE = "openid email profile membership"
CALLBACK_PATH = "/signin/national/callback"
ASSERTION_SECONDS = 60


class FencedSession(OAuth2Session):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trust_env = False
        self.max_redirects = 3
        if not allow_private():
            guard = PublicAddressesOnly()
            self.mount("http://", guard)
            self.mount("https://", guard)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        check_url(url)
        kwargs.setdefault("timeout", (3.05, 10))
        return super().request(method, url, *args, **kwargs)


class HubApp(FlaskOAuth2App):
    client_cls = FencedSession


class GroupKeyAssertion(PrivateKeyJWT):
    """RFC 7523 client assertion signed with Ed25519 (RFC 9864's name for EdDSA on that curve,
    as the federation publishes its keys), short-lived, ``iat`` from node.clock."""

    name = "private_key_jwt"
    alg = "Ed25519"

    def sign(self, auth: Any, token_endpoint: str) -> str:
        key = auth.client_secret
        return private_key_jwt_sign(
            key,
            client_id=auth.client_id,
            token_endpoint=token_endpoint,
            alg=self.alg,
            header={"kid": key.kid},
            issued_at=int(clock.now().timestamp()),
            expires_in=ASSERTION_SECONDS,
        )


class HubOAuth(OAuth):
    oauth2_client_cls = HubApp


def init_client(app: Flask) -> None:
    HubOAuth(app)


def callback_url(group: Group) -> str:
    return group_url(group, CALLBACK_PATH)


def oauth_client(group: Group, conn: HubConnection) -> HubApp:
    """The group's Authlib client (cached per app; re-made when the connection changes)."""
    oauth: HubOAuth = current_app.extensions["authlib.integrations.flask_client"]
    name = f"hub_{group.slug}"
    fingerprint = (conn.issuer, conn.client_id)
    cached = oauth._clients.get(name)
    if cached is not None and getattr(cached, "fingerprint", None) == fingerprint:
        return cached
    oauth._clients.pop(name, None)
    client = oauth.register(
        name,
        client_id=conn.client_id,
        client_secret=group_client_jwk(group),
        server_metadata_url=conn.issuer + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "private_key_jwt",
        },
        client_auth_methods=[GroupKeyAssertion()],
    )
    client.fingerprint = fingerprint
    return client


def _account_for(email: str) -> Account:
    """The account whose own address is ``email`` (which the hub verified), made if none.

    An existing account is used only if it proved that address itself: one made from an
    invitation link someone else held (node.auth.operations) may have been made by them, and
    signing the address's owner in to it would hand them the owner's session data later.
    """
    account = db.session.scalar(select(Account).where(func.lower(Account.email) == email))
    if account is None:
        account = Account(email=email, email_verified_at=clock.utcnow_naive())
        db.session.add(account)
        db.session.flush()
    elif account.email_verified_at is None:
        raise Forbidden(
            _(
                "An account for %(email)s exists here but its address is not confirmed. Choose a "
                "new password with “Forgotten your password?” (that confirms it), then try again.",
                email=email,
            )
        )
    return account


def _link_for(group: Group, subject: str) -> NationalLink | None:
    return db.session.scalar(
        select(NationalLink).where(
            NationalLink.group_id == group.id, NationalLink.subject == subject
        )
    )


def complete_sign_in(
    group: Group, conn: HubConnection, claims: dict[str, Any]
) -> tuple[Account, Member | None]:
    """Map verified ID-token claims to an account to sign in, and its member record here.

    Only two accounts can be signed in: the one already linked to this national ``sub`` (through
    the member record it was linked with), or the account whose *own* address equals the hub's
    verified ``email`` claim. ``Member.email`` is never a way to an account: officers can edit
    it, so matching on it would let an officer point a member record, and with it someone
    else's account, at their own national identity. A member record without an account may be
    linked on first use by verified e-mail (an officer could do the same with an invitation).

    Returns the account and its member record (``None`` when a join request waits for an
    officer). Raises a :mod:`node.errors` error when the group has no place for this person.
    """
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 64:
        raise Invalid(_("The hub sent no usable identity."))
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified") is True and "@" in email
    claimed = claims.get("membership")
    membership: dict[str, Any] = claimed if isinstance(claimed, dict) else {}
    link = _link_for(group, subject)
    member = db.session.get(Member, link.member_id) if link is not None else None
    if member is not None and member.erased_at is not None:
        raise Forbidden(_("Your record in %(group)s was erased. Ask an officer.", group=group.name))
    account: Account | None = None
    if member is not None and member.account_id is not None:
        account = db.session.get(Account, member.account_id)
    if account is None:
        if not verified:
            raise Forbidden(_("The hub has not verified your e-mail address."))
        account = _account_for(email)
    if member is None:
        member = _member_for(group, account, email)
    if member is not None:
        if link is None:
            if national_link(member) is not None:
                raise Conflict(
                    _(
                        "Your record in %(group)s is linked to another national account. "
                        "Ask an officer of the group.",
                        group=group.name,
                    )
                )
            link = NationalLink(group_id=group.id, member_id=member.id, subject=subject)
            db.session.add(link)
            record(group, member, "oidc-link-member", f"member #{member.id}")
        member.account_id = account.id
        link.membership = membership
        link.checked_at = clock.utcnow_naive()
        account.last_sign_in = clock.utcnow_naive()
        db.session.flush()
        return account, member
    if not conn.allow_join_requests:
        raise Forbidden(
            _(
                "%(group)s has no member record for your national account. "
                "Ask one of its officers for an invitation.",
                group=group.name,
            )
        )
    request = db.session.scalar(
        select(JoinRequest).where(JoinRequest.group_id == group.id, JoinRequest.subject == subject)
    )
    if request is None:
        request = JoinRequest(group_id=group.id, subject=subject, account_id=account.id)
        db.session.add(request)
    request.account_id = account.id
    request.name = str(claims.get("name") or email)[:200]
    request.email = email
    request.membership = membership
    db.session.flush()
    return account, None


def _member_for(group: Group, account: Account, email: str) -> Member | None:
    """The account's member record here, else a record for that address that has no account."""
    mine = db.session.scalar(
        select(Member).where(
            Member.group_id == group.id,
            Member.account_id == account.id,
            Member.erased_at.is_(None),
        )
    )
    if mine is not None:
        return mine
    return db.session.scalar(
        select(Member).where(
            Member.group_id == group.id,
            func.lower(Member.email) == email,
            Member.account_id.is_(None),
            Member.erased_at.is_(None),
        )
    )


def decide_join_request(group: Group, request: JoinRequest, approve: bool, actor: Member) -> None:
    if request.decided_at is not None:
        raise Conflict(_("This request was already decided."))
    request.decided_at = clock.utcnow_naive()
    request.decision = N_("approved") if approve else N_("declined")
    if approve:
        member = db.session.scalar(
            select(Member).where(Member.group_id == group.id, Member.email == request.email)
        )
        if member is not None and (
            member.account_id not in (None, request.account_id) or national_link(member)
        ):
            raise Conflict(
                _(
                    "The member record for %(email)s belongs to another account or national "
                    "identity; change its e-mail address first.",
                    email=request.email,
                )
            )
        if member is None:
            member = Member(group_id=group.id, email=request.email, name=request.name)
            db.session.add(member)
        member.account_id = request.account_id
        member.status = "active"
        db.session.flush()
        db.session.add(
            NationalLink(
                group_id=group.id,
                member_id=member.id,
                subject=request.subject,
                membership=request.membership,
            )
        )
    db.session.flush()
    record(group, actor, f"oidc-join-{request.decision}", request.email[:200])


def national_link(member: Member) -> NationalLink | None:
    return db.session.scalar(select(NationalLink).where(NationalLink.member_id == member.id))


def national_good_standing(member: Member, on_date: date) -> bool:
    """Was ``member`` in good standing nationally on ``on_date``, as far as this node knows?

    True only if the member signed in with a national account, the hub's last ``membership``
    claim said "good-standing", they were a member by ``on_date``, and dues (when the hub gives
    ``paid_until``) were paid up to at least ``on_date``. Unknown means no: a ballot asking for
    national good standing must not count someone the hub never vouched for.
    """
    link = national_link(member)
    if link is None:
        return False
    claim = link.membership or {}
    if claim.get("status") != "good-standing":
        return False
    try:
        since = date.fromisoformat(str(claim.get("member_since")))
        paid = claim.get("paid_until")
        paid_until = date.fromisoformat(paid) if paid else None
    except ValueError:
        return False
    if since > on_date:
        return False
    return paid_until is None or paid_until >= on_date


def national_good_standing_ids(group_id: int, on_date: date) -> list[int]:
    """Ids of the group's members the hub vouched for as in good standing on ``on_date`` (the
    answer to ``signals.electorate_restricted`` for a ballot that asks for it)."""
    members = db.session.scalars(
        select(Member)
        .join(NationalLink, NationalLink.member_id == Member.id)
        .where(Member.group_id == group_id, Member.erased_at.is_(None))
    )
    return [m.id for m in members if national_good_standing(m, on_date)]

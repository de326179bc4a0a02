"""Event pages, RSVPs and the waiting list, attendance, and the iCalendar feeds.

``/events.ics`` (public events of the group) is a contract: phones subscribe to it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from node import mail_outcome, web
from node.events import feeds
from node.events import operations as ops
from node.events.forms import EventForm
from node.events.models import KINDS, Event, FeedToken
from node.extensions import db
from node.forms import EmptyForm
from node.members.access import member_required, organiser_required, public
from node.organising.items import event_links
from node.organising.messaging import can_mail
from node.organising.times import to_local
from node.tenancy import current_group, get_or_404, group_url

bp = Blueprint("events", __name__)
LINKS = ("programme_id", "campaign_id")  # the form's fields for what an event belongs to


def _choices(form: EventForm) -> None:
    for links in event_links(current_group()):
        if links.column in LINKS:
            getattr(form, links.column).choices = [SelectChoice("0", _("none"))] + [
                SelectChoice(str(i), title) for i, title in links.choices
            ]


def _data(form: EventForm) -> dict[str, Any]:
    data = dict(form.data)
    for column in LINKS:
        data[column] = data.get(column) or None
    return data


def _ics(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "max-age=300",
        },
    )


@bp.route("/events")
@member_required
def index() -> ResponseReturnValue:
    filters = web.filters("when", "kind", "q")
    found = web.paginate(ops.event_query(current_group(), **filters))
    mine = {r.event_id: r.status for r in ops.my_rsvps(g.member)}
    return render_template(
        "events/index.html", **found.context("items"), filters=filters, kinds=KINDS, mine=mine
    )


@bp.route("/events.csv")
@organiser_required
def export_csv() -> ResponseReturnValue:
    group = current_group()
    rows = ops.events_table(group, request.args.get("when", "upcoming"))
    return web.csv_download(rows, f"{group.slug}-events.csv")


@bp.route("/events.ics")
@public
def public_feed() -> ResponseReturnValue:
    """The group's public events as iCalendar (contract: phones subscribe to this address)."""
    return _ics(feeds.public_feed(current_group()), "events.ics")


@bp.route("/events/feed/<token>.ics")
@public
def member_feed(token: str) -> ResponseReturnValue:
    group = current_group()
    member = ops.member_for_feed(group, token)
    if member is None:
        abort(404, _("This calendar address is not valid (it may have been replaced)."))
    response = _ics(feeds.member_feed(group, member), "my-events.ics")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/events/feed", methods=["GET", "POST"])
@member_required
def feed() -> ResponseReturnValue:
    """Show (and on POST regenerate or revoke) the member's private calendar address."""
    form = EmptyForm()
    if request.method == "POST":
        web.check_form(form)
        if request.form.get("do") == "revoke":
            ops.revoke_feed(g.member)
            return web.done(_("Your private calendar address is switched off."), "events.feed")
        ops.feed_token(g.member, regenerate=True)
        return web.done(
            _("You have a new private calendar address; the old one no longer works."),
            "events.feed",
        )
    token = db.session.scalar(select(FeedToken).where(FeedToken.member_id == g.member.id))
    group = current_group()
    private_url = group_url(group, f"/events/feed/{token.token}.ics") if token else None
    return render_template(
        "events/feed.html",
        private_url=private_url,
        form=form,
        public_url=group_url(group, "/events.ics"),
    )


@bp.route("/events/new", methods=["GET", "POST"])
@organiser_required
def new() -> ResponseReturnValue:
    form = EventForm()
    _choices(form)
    if request.method == "GET":
        form.programme_id.data = request.args.get("programme_id", 0, type=int)
        form.campaign_id.data = request.args.get("campaign_id", 0, type=int)
        if form.programme_id.data:
            form.kind.data = "education"
    answer = web.submit(
        form,
        lambda: ops.create_event(current_group(), _data(form), g.member),
        lambda event: web.done("", "events.show", event_id=event.id),
    )
    return answer or web.form_page("events/form.html", form=form, event=None)


@bp.route("/events/<int:event_id>")
@member_required
def show(event_id: int) -> ResponseReturnValue:
    event = get_or_404(Event, event_id)
    mine = next((r for r in event.rsvps if r.member_id == g.member.id), None)
    position = None
    if mine is not None and mine.status == "waitlisted":
        position = [r.id for r in event.waitlist].index(mine.id) + 1
    return render_template(
        "events/show.html", event=event, mine=mine, position=position, form=EmptyForm()
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit(event_id: int) -> ResponseReturnValue:
    event = get_or_404(Event, event_id)
    form = EventForm(obj=event)
    _choices(form)
    if request.method == "GET":
        form.starts_at.data = to_local(event.starts_at, event.tz).replace(tzinfo=None)
        form.ends_at.data = to_local(event.ends_at, event.tz).replace(tzinfo=None)
        form.programme_id.data = event.programme_id or 0
        form.campaign_id.data = event.campaign_id or 0
    answer = web.submit(
        form,
        lambda: ops.update_event(event, _data(form), g.member),
        lambda _: web.done("", "events.show", event_id=event.id),
    )
    return answer or web.form_page("events/form.html", form=form, event=event)


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@organiser_required
def cancel(event_id: int) -> ResponseReturnValue:
    """Say who will be e-mailed, then cancel on the confirming POST (a page: no JavaScript)."""
    event = get_or_404(Event, event_id)
    if event.cancelled:
        return web.done(
            _("This event is already cancelled; nobody was e-mailed again."),
            "events.show",
            event_id=event.id,
        )
    form = EmptyForm()
    if request.method == "POST":
        web.check_form(form)
        told = ops.cancel_event(event, g.member)
        return web.done(
            _(
                "The event is cancelled. %(outcome)s",
                outcome=mail_outcome.told(told.sent, told.failed, told.skipped),
            ),
            "events.show",
            "info" if mail_outcome.mail_enabled() and not told.failed else "warning",
            event_id=event.id,
        )
    coming = [r.member for r in event.rsvps if r.status in ops.ACTIVE]
    return render_template(
        "events/cancel.html",
        event=event,
        form=form,
        coming=len(coming),
        reachable=sum(1 for m in coming if can_mail(m)),
        mail_on=mail_outcome.mail_enabled(),
    )


@bp.route("/events/<int:event_id>/rsvp", methods=["POST"])
@member_required
def rsvp(event_id: int) -> ResponseReturnValue:
    event = get_or_404(Event, event_id)
    web.check_form()
    if ops.rsvp(event, g.member).status == "waitlisted":
        return web.done(
            _(
                "The event is full: you are on the waiting list. We'll e-mail you if a place "
                "comes free."
            ),
            "events.show",
            "warning",
            event_id=event.id,
        )
    return web.done(_("You're going. See you there!"), "events.show", event_id=event.id)


@bp.route("/events/<int:event_id>/withdraw", methods=["POST"])
@member_required
def withdraw(event_id: int) -> ResponseReturnValue:
    event = get_or_404(Event, event_id)
    web.check_form()
    ops.withdraw(event, g.member)
    return web.done(
        _("You are no longer on the list for this event."), "events.show", event_id=event.id
    )


@bp.route("/events/<int:event_id>/attendance", methods=["POST"])
@organiser_required
def attendance(event_id: int) -> ResponseReturnValue:
    event = get_or_404(Event, event_id)
    web.check_form()
    ops.record_attendance(event, web.ids_from_form("attended"), g.member)
    return web.done(_("Attendance recorded."), "events.show", event_id=event.id)


@bp.route("/events/<int:event_id>/rsvps.csv")
@organiser_required
def rsvps_csv(event_id: int) -> ResponseReturnValue:
    event = get_or_404(Event, event_id)
    return web.csv_download(ops.rsvps_table(event), f"event-{event.id}-rsvps.csv")

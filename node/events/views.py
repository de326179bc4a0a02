"""Event pages, RSVPs and the waiting list, attendance, and the iCalendar feeds.

``/events.ics`` (public events of the group) is a contract: phones subscribe to it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms import SelectChoice

from node.auth.access import member_required, organiser_required, public
from node.campaigns.models import Campaign
from node.campaigns.views import csv_response, ids_from_form, refuse
from node.education.models import Programme
from node.events import feeds
from node.events import operations as ops
from node.events.forms import EventForm
from node.events.models import KINDS, Event
from node.events.times import to_local
from node.extensions import db
from node.forms import EmptyForm
from node.members.views import paginate
from node.tenancy import current_group, get_or_404, group_url, scoped

bp = Blueprint("events", __name__)


def _choices(form: EventForm) -> None:
    programmes = db.session.scalars(scoped(Programme).order_by(Programme.title)).all()
    campaigns = db.session.scalars(
        scoped(Campaign).where(Campaign.received.is_(False)).order_by(Campaign.title)
    ).all()
    form.programme_id.choices = [SelectChoice("0", "none")] + [
        SelectChoice(str(p.id), p.title) for p in programmes
    ]
    form.campaign_id.choices = [SelectChoice("0", "none")] + [
        SelectChoice(str(c.id), c.title) for c in campaigns
    ]


def _data(form: EventForm) -> dict[str, Any]:
    data = dict(form.data)
    data["programme_id"] = data.get("programme_id") or None
    data["campaign_id"] = data.get("campaign_id") or None
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
def index():  # type: ignore[no-untyped-def]
    filters = {k: request.args.get(k, "").strip()[:120] for k in ("when", "kind", "q")}
    events, page, pages, total = paginate(ops.event_query(current_group(), **filters))
    mine = {r.event_id: r.status for r in ops.my_rsvps(g.member)}
    return render_template(
        "events/index.html",
        events=events,
        page=page,
        pages=pages,
        total=total,
        filters=filters,
        kinds=KINDS,
        mine=mine,
    )


@bp.route("/events.csv")
@organiser_required
def export_csv():  # type: ignore[no-untyped-def]
    group = current_group()
    rows = db.session.scalars(ops.event_query(group, request.args.get("when", "upcoming")))
    from node.csv_export import to_csv as _csv

    table: list[list[Any]] = [
        [
            "id",
            "title",
            "kind",
            "starts (local)",
            "time zone",
            "place",
            "capacity",
            "going",
            "waiting",
            "attended",
            "public",
        ]
    ]
    for e in rows:
        table.append(
            [
                e.id,
                e.title,
                e.kind,
                e.local_start.strftime("%Y-%m-%d %H:%M"),
                e.tz,
                e.place or e.online_url or "",
                e.capacity or "",
                len(e.going),
                len(e.waitlist),
                sum(1 for r in e.rsvps if r.attended),
                e.public,
            ]
        )
    return csv_response(_csv(table), f"{group.slug}-events.csv")


@bp.route("/events.ics")
@public
def public_feed():  # type: ignore[no-untyped-def]
    """The group's public events as iCalendar (contract: phones subscribe to this address)."""
    return _ics(feeds.public_feed(current_group()), "events.ics")


@bp.route("/events/feed/<token>.ics")
@public
def member_feed(token: str):  # type: ignore[no-untyped-def]
    group = current_group()
    member = ops.member_for_feed(group, token)
    if member is None:
        abort(404, "This calendar address is not valid (it may have been replaced).")
    response = _ics(feeds.member_feed(group, member), "my-events.ics")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/events/feed", methods=["GET", "POST"])
@member_required
def feed():  # type: ignore[no-untyped-def]
    """Show (and on POST regenerate or revoke) the member's private calendar address."""
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired; please try again.")
        if request.form.get("do") == "revoke":
            ops.revoke_feed(g.member)
            flash("Your private calendar address is switched off.", "info")
        else:
            ops.feed_token(g.member, regenerate=True)
            flash("You have a new private calendar address; the old one no longer works.", "info")
        db.session.commit()
        return redirect(url_for("events.feed"))
    from node.events.models import FeedToken

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
def new():  # type: ignore[no-untyped-def]
    form = EventForm()
    _choices(form)
    if request.method == "GET":
        form.programme_id.data = request.args.get("programme_id", 0, type=int)
        form.campaign_id.data = request.args.get("campaign_id", 0, type=int)
        if form.programme_id.data:
            form.kind.data = "education"
    if form.validate_on_submit():
        try:
            event = ops.create_event(current_group(), _data(form), g.member)
        except ops.EventError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None), (
        400 if request.method == "POST" else 200
    )


@bp.route("/events/<int:event_id>")
@member_required
def show(event_id: int):  # type: ignore[no-untyped-def]
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
def edit(event_id: int):  # type: ignore[no-untyped-def]
    event = get_or_404(Event, event_id)
    form = EventForm(obj=event)
    _choices(form)
    if request.method == "GET":
        form.starts_at.data = to_local(event.starts_at, event.tz).replace(tzinfo=None)
        form.ends_at.data = to_local(event.ends_at, event.tz).replace(tzinfo=None)
        form.programme_id.data = event.programme_id or 0
        form.campaign_id.data = event.campaign_id or 0
    if form.validate_on_submit():
        try:
            ops.update_event(event, _data(form), g.member)
        except ops.EventError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=event), (
        400 if request.method == "POST" else 200
    )


@bp.route("/events/<int:event_id>/cancel", methods=["POST"])
@organiser_required
def cancel(event_id: int):  # type: ignore[no-untyped-def]
    event = get_or_404(Event, event_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired; please try again.")
    ops.cancel_event(event, g.member)
    db.session.commit()
    flash("The event is cancelled and everyone coming was told.", "info")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/events/<int:event_id>/rsvp", methods=["POST"])
@member_required
def rsvp(event_id: int):  # type: ignore[no-untyped-def]
    event = get_or_404(Event, event_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired; please try again.")
    try:
        answer = ops.rsvp(event, g.member)
    except ops.EventError as exc:
        refuse(exc, 409)
    db.session.commit()
    if answer.status == "waitlisted":
        flash(
            "The event is full: you are on the waiting list. We'll e-mail you if a place "
            "comes free.",
            "warning",
        )
    else:
        flash("You're going. See you there!", "info")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/events/<int:event_id>/withdraw", methods=["POST"])
@member_required
def withdraw(event_id: int):  # type: ignore[no-untyped-def]
    event = get_or_404(Event, event_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired; please try again.")
    try:
        ops.withdraw(event, g.member)
    except ops.EventError as exc:
        refuse(exc, 409)
    db.session.commit()
    flash("You are no longer on the list for this event.", "info")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/events/<int:event_id>/attendance", methods=["POST"])
@organiser_required
def attendance(event_id: int):  # type: ignore[no-untyped-def]
    event = get_or_404(Event, event_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired; please try again.")
    try:
        ops.record_attendance(event, ids_from_form(), g.member)
    except ops.EventError as exc:
        refuse(exc)
    db.session.commit()
    flash("Attendance recorded.", "info")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/events/<int:event_id>/rsvps.csv")
@organiser_required
def rsvps_csv(event_id: int):  # type: ignore[no-untyped-def]
    event = get_or_404(Event, event_id)
    return csv_response(ops.rsvps_csv(event), f"event-{event.id}-rsvps.csv")

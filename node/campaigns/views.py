"""Campaign and action pages, members' commitments, the organiser record, and unsubscribe."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from node import csv_export
from node.auth.access import member_required, officer_required, organiser_required, public
from node.campaigns import operations as ops
from node.campaigns import sharing
from node.campaigns.forms import ActionForm, CampaignForm, MessageForm, OrganiserForm, OutcomeForm
from node.campaigns.messaging import member_for_token
from node.campaigns.models import STATUSES, Action, Campaign
from node.extensions import csrf, db
from node.forms import EmptyForm
from node.members.models import Member
from node.members.views import paginate
from node.tenancy import current_group, get_or_404

bp = Blueprint("campaigns", __name__)


def csv_response(body: str, filename: str) -> Response:
    return csv_export.response(body, filename)


def refuse(exc: Exception, code: int = 400):  # type: ignore[no-untyped-def]
    """Bad input: roll back whatever was started and answer with the reason."""
    db.session.rollback()
    abort(code, str(exc))


def ids_from_form(name: str = "attended") -> set[int]:
    return {int(v) for v in request.form.getlist(name)[:5000] if v.isdigit()}


@bp.route("/campaigns")
@member_required
def index():  # type: ignore[no-untyped-def]
    filters = {k: request.args.get(k, "").strip()[:120] for k in ("q", "status")}
    campaigns, page, pages, total = paginate(ops.campaign_query(current_group(), **filters))
    return render_template(
        "campaigns/index.html",
        campaigns=campaigns,
        page=page,
        pages=pages,
        total=total,
        filters=filters,
        statuses=STATUSES,
    )


@bp.route("/campaigns.csv")
@organiser_required
def export_csv():  # type: ignore[no-untyped-def]
    group = current_group()
    return csv_response(ops.campaigns_csv(group), f"{group.slug}-campaigns.csv")


@bp.route("/campaigns/new", methods=["GET", "POST"])
@organiser_required
def new():  # type: ignore[no-untyped-def]
    form = CampaignForm()
    if form.validate_on_submit():
        try:
            campaign = ops.create_campaign(current_group(), form.data, g.member)
        except ops.CampaignError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Campaign created. Now add the first action.", "info")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=None), (
        400 if request.method == "POST" else 200
    )


@bp.route("/campaigns/<int:campaign_id>")
@member_required
def show(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign = get_or_404(Campaign, campaign_id)
    mine = {
        s.action_id
        for a in campaign.actions
        for s in a.signups
        if s.member_id == g.member.id and s.status == "signed_up"
    }
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        mine=mine,
        form=EmptyForm(),
        organiser_form=OrganiserForm(),
        can_share=sharing.available(),
        endorsers=sharing.endorsers(current_group(), campaign),
    )


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign = get_or_404(Campaign, campaign_id)
    form = CampaignForm(obj=campaign)
    if form.validate_on_submit():
        try:
            ops.update_campaign(campaign, form.data, g.member)
        except ops.CampaignError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=campaign), (
        400 if request.method == "POST" else 200
    )


@bp.route("/campaigns/<int:campaign_id>/organisers", methods=["POST"])
@organiser_required
def add_organiser(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign = get_or_404(Campaign, campaign_id)
    form = OrganiserForm()
    if not form.validate_on_submit():
        abort(400, "Give the e-mail address of a member of the group.")
    try:
        member = ops.add_organiser(campaign, form.email.data, g.member)
    except ops.CampaignError as exc:
        refuse(exc)
    db.session.commit()
    flash(f"{member.name} now organises this campaign.", "info")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/endorse", methods=["POST"])
@officer_required
def endorse(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign = get_or_404(Campaign, campaign_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired; please try again.")
    try:
        sharing.endorse(
            current_group(),
            campaign,
            g.member,
            request.form.get("decided_on", "")[:10],
            request.form.get("minute", "")[:200],
        )
    except ValueError as exc:
        refuse(exc)
    db.session.commit()
    flash("The group's endorsement is published to its followers.", "info")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/actions/new", methods=["GET", "POST"])
@organiser_required
def new_action(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign = get_or_404(Campaign, campaign_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            action = ops.add_action(campaign, form.data, g.member)
        except ops.CampaignError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for("campaigns.action", action_id=action.id))
    return render_template("campaigns/action_form.html", form=form, campaign=campaign), (
        400 if request.method == "POST" else 200
    )


@bp.route("/actions/<int:action_id>")
@member_required
def action(action_id: int):  # type: ignore[no-untyped-def]
    item = get_or_404(Action, action_id)
    signup = next((s for s in item.signups if s.member_id == g.member.id), None)
    return render_template(
        "campaigns/action.html",
        action=item,
        signup=signup,
        form=EmptyForm(),
        message_form=MessageForm(),
        outcome_form=OutcomeForm(obj=item),
    )


@bp.route("/actions/<int:action_id>/signup", methods=["POST"])
@member_required
def sign_up(action_id: int):  # type: ignore[no-untyped-def]
    item = get_or_404(Action, action_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired; please try again.")
    try:
        ops.sign_up(item, g.member)
    except ops.CampaignError as exc:
        refuse(exc, 409)
    db.session.commit()
    flash(f"You're signed up: {item.title}.", "info")
    return redirect(url_for("campaigns.action", action_id=item.id))


@bp.route("/actions/<int:action_id>/withdraw", methods=["POST"])
@member_required
def withdraw(action_id: int):  # type: ignore[no-untyped-def]
    item = get_or_404(Action, action_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired; please try again.")
    try:
        ops.withdraw(item, g.member)
    except ops.CampaignError as exc:
        refuse(exc, 409)
    db.session.commit()
    flash("You have withdrawn. Thanks for letting us know.", "info")
    return redirect(url_for("campaigns.action", action_id=item.id))


@bp.route("/actions/<int:action_id>/message", methods=["POST"])
@organiser_required
def message(action_id: int):  # type: ignore[no-untyped-def]
    item = get_or_404(Action, action_id)
    form = MessageForm()
    if not form.validate_on_submit():
        abort(400, "A message needs a subject and some text (at most 20000 characters).")
    try:
        sent = ops.message_signups(item, form.subject.data, form.body.data, g.member)
    except ops.CampaignError as exc:
        refuse(exc)
    db.session.commit()
    flash(
        f"Sent to {sent.sent}; {sent.skipped} without e-mail consent skipped"
        + (f"; {sent.failed} failed (see the send log)" if sent.failed else "")
        + ".",
        "info",
    )
    return redirect(url_for("campaigns.action", action_id=item.id))


@bp.route("/actions/<int:action_id>/record", methods=["POST"])
@organiser_required
def record(action_id: int):  # type: ignore[no-untyped-def]
    item = get_or_404(Action, action_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        abort(400, "The outcome notes are too long (at most 10000 characters).")
    try:
        ops.record_outcome(item, ids_from_form(), form.outcome.data or "", g.member)
    except ops.CampaignError as exc:
        refuse(exc)
    db.session.commit()
    flash("Recorded who turned up and what happened.", "info")
    return redirect(url_for("campaigns.action", action_id=item.id))


@bp.route("/actions/<int:action_id>/signups.csv")
@organiser_required
def signups_csv(action_id: int):  # type: ignore[no-untyped-def]
    item = get_or_404(Action, action_id)
    return csv_response(ops.signups_csv(item), f"action-{item.id}-signups.csv")


@bp.route("/my/commitments")
@member_required
def commitments():  # type: ignore[no-untyped-def]
    from node.events.operations import my_rsvps

    return render_template(
        "campaigns/commitments.html", signups=ops.my_signups(g.member), rsvps=my_rsvps(g.member)
    )


@bp.route("/organising")
@officer_required
def ladder_index():  # type: ignore[no-untyped-def]
    from node.members.operations import roster_query
    from node.organising import ladder

    members, page, pages, total = paginate(
        roster_query(current_group(), q=request.args.get("q", "").strip()[:120])
    )
    return render_template(
        "campaigns/ladder_index.html",
        ladders=[ladder(m) for m in members],
        page=page,
        pages=pages,
        total=total,
        q=request.args.get("q", ""),
    )


@bp.route("/organising/me")
@member_required
def my_record():  # type: ignore[no-untyped-def]
    from node.organising import ladder

    return render_template("campaigns/ladder.html", ladder=ladder(g.member), own=True)


@bp.route("/organising/members/<int:member_id>")
@officer_required
def member_record(member_id: int):  # type: ignore[no-untyped-def]
    from node.organising import ladder

    member = get_or_404(Member, member_id)
    if member.erased_at is not None:
        abort(404)
    return render_template("campaigns/ladder.html", ladder=ladder(member), own=False)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str):  # type: ignore[no-untyped-def]
    """One click from an e-mail turns e-mail consent off (RFC 8058 one-click POST too)."""
    group = g.get("group")
    member = member_for_token(group, token) if group is not None else None
    if member is None:
        abort(404, "This unsubscribe link is not valid for this group.")
    if request.method == "POST":
        member.consent_email = False
        from node.audit import record as audit

        audit(group, member, "unsubscribe", f"member #{member.id}", "e-mail consent withdrawn")
        db.session.commit()
        return render_template("campaigns/unsubscribed.html", member=member)
    return render_template("campaigns/unsubscribe.html", member=member, token=token)


csrf.exempt(unsubscribe)

"""Campaign and action pages, members' commitments, the organiser record, and unsubscribe."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from node import clock, web
from node.audit import record as audit
from node.campaigns import operations as ops
from node.campaigns import sharing
from node.campaigns.forms import ActionForm, CampaignForm, MessageForm, OrganiserForm, OutcomeForm
from node.campaigns.models import STATUSES, Action, Campaign
from node.extensions import csrf, db
from node.forms import EmptyForm
from node.members.access import member_required, officer_required, organiser_required, public
from node.members.models import Member
from node.members.operations import roster_query
from node.organising.items import commitments as member_commitments
from node.organising.messaging import member_for_token
from node.organising.record import ladder
from node.tenancy import current_group, get_or_404

bp = Blueprint("campaigns", __name__)


@bp.route("/campaigns")
@member_required
def index() -> ResponseReturnValue:
    filters = web.filters("q", "status")
    found = web.paginate(ops.campaign_query(current_group(), **filters))
    return render_template(
        "campaigns/index.html", **found.context("items"), filters=filters, statuses=STATUSES
    )


@bp.route("/campaigns.csv")
@organiser_required
def export_csv() -> ResponseReturnValue:
    group = current_group()
    return web.csv_download(ops.campaigns_table(group), f"{group.slug}-campaigns.csv")


@bp.route("/campaigns/new", methods=["GET", "POST"])
@organiser_required
def new() -> ResponseReturnValue:
    form = CampaignForm()
    answer = web.submit(
        form,
        lambda: ops.create_campaign(current_group(), form.data, g.member),
        lambda campaign: web.done(
            _("Campaign created. Now add the first action."),
            "campaigns.show",
            campaign_id=campaign.id,
        ),
    )
    return answer or web.form_page("campaigns/form.html", form=form, campaign=None)


@bp.route("/campaigns/<int:campaign_id>")
@member_required
def show(campaign_id: int) -> ResponseReturnValue:
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
        endorsers=sharing.endorsers(current_group(), campaign),
    )


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit(campaign_id: int) -> ResponseReturnValue:
    campaign = get_or_404(Campaign, campaign_id)
    form = CampaignForm(obj=campaign)
    answer = web.submit(
        form,
        lambda: ops.update_campaign(campaign, form.data, g.member),
        lambda _: web.done("", "campaigns.show", campaign_id=campaign.id),
    )
    return answer or web.form_page("campaigns/form.html", form=form, campaign=campaign)


@bp.route("/campaigns/<int:campaign_id>/organisers", methods=["POST"])
@organiser_required
def add_organiser(campaign_id: int) -> ResponseReturnValue:
    campaign = get_or_404(Campaign, campaign_id)
    form = OrganiserForm()
    if not form.validate_on_submit():
        abort(400, _("Give the e-mail address of a member of the group."))
    member = ops.add_organiser(campaign, form.email.data or "", g.member)
    return web.done(
        _("%(name)s now organises this campaign.", name=member.name),
        "campaigns.show",
        campaign_id=campaign.id,
    )


@bp.route("/campaigns/<int:campaign_id>/endorse", methods=["POST"])
@officer_required
def endorse(campaign_id: int) -> ResponseReturnValue:
    campaign = get_or_404(Campaign, campaign_id)
    web.check_form()
    decided_on = request.form.get("decided_on", "")[:10]
    minute = request.form.get("minute", "")[:200]
    sharing.endorse(current_group(), campaign, g.member, decided_on, minute)
    return web.done(
        _("The group's endorsement is published to its followers."),
        "campaigns.show",
        campaign_id=campaign.id,
    )


@bp.route("/campaigns/<int:campaign_id>/actions/new", methods=["GET", "POST"])
@organiser_required
def new_action(campaign_id: int) -> ResponseReturnValue:
    campaign = get_or_404(Campaign, campaign_id)
    form = ActionForm()
    answer = web.submit(
        form,
        lambda: ops.add_action(campaign, form.data, g.member),
        lambda action: web.done("", "campaigns.action", action_id=action.id),
    )
    return answer or web.form_page("campaigns/action_form.html", form=form, campaign=campaign)


@bp.route("/actions/<int:action_id>")
@member_required
def action(action_id: int) -> ResponseReturnValue:
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
def sign_up(action_id: int) -> ResponseReturnValue:
    item = get_or_404(Action, action_id)
    web.check_form()
    ops.sign_up(item, g.member)
    return web.done(
        _("You're signed up: %(title)s.", title=item.title), "campaigns.action", action_id=item.id
    )


@bp.route("/actions/<int:action_id>/withdraw", methods=["POST"])
@member_required
def withdraw(action_id: int) -> ResponseReturnValue:
    item = get_or_404(Action, action_id)
    web.check_form()
    ops.withdraw(item, g.member)
    return web.done(
        _("You have withdrawn. Thanks for letting us know."), "campaigns.action", action_id=item.id
    )


@bp.route("/actions/<int:action_id>/message", methods=["POST"])
@organiser_required
def message(action_id: int) -> ResponseReturnValue:
    item = get_or_404(Action, action_id)
    form = MessageForm()
    if not form.validate_on_submit():
        abort(400, _("A message needs a subject and some text (at most 20000 characters)."))
    sent = ops.message_signups(item, form.subject.data or "", form.body.data or "", g.member)
    return web.done(
        _(
            "Sent to %(sent)s; %(skipped)s without e-mail consent skipped; %(failed)s failed "
            "(see the send log).",
            sent=sent.sent,
            skipped=sent.skipped,
            failed=sent.failed,
        )
        if sent.failed
        else _(
            "Sent to %(sent)s; %(skipped)s without e-mail consent skipped.",
            sent=sent.sent,
            skipped=sent.skipped,
        ),
        "campaigns.action",
        action_id=item.id,
    )


@bp.route("/actions/<int:action_id>/record", methods=["POST"])
@organiser_required
def record(action_id: int) -> ResponseReturnValue:
    item = get_or_404(Action, action_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        abort(400, _("The outcome notes are too long (at most 10000 characters)."))
    ops.record_outcome(item, web.ids_from_form("attended"), form.outcome.data or "", g.member)
    return web.done(
        _("Recorded who turned up and what happened."), "campaigns.action", action_id=item.id
    )


@bp.route("/actions/<int:action_id>/signups.csv")
@organiser_required
def signups_csv(action_id: int) -> ResponseReturnValue:
    item = get_or_404(Action, action_id)
    return web.csv_download(ops.signups_table(item), f"action-{item.id}-signups.csv")


@bp.route("/my/commitments")
@member_required
def commitments() -> ResponseReturnValue:
    return render_template(
        "campaigns/commitments.html",
        signups=ops.my_signups(g.member),
        rsvps=member_commitments(g.member, clock.utcnow_naive(), "event"),
    )


@bp.route("/organising")
@officer_required
def ladder_index() -> ResponseReturnValue:
    q = web.filters("q")["q"]
    members, page, pages, total = web.paginate(roster_query(current_group(), q=q))
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
def my_record() -> ResponseReturnValue:
    return render_template("campaigns/ladder.html", ladder=ladder(g.member), own=True)


@bp.route("/organising/members/<int:member_id>")
@officer_required
def member_record(member_id: int) -> ResponseReturnValue:
    member = get_or_404(Member, member_id)
    if member.erased_at is not None:
        abort(404)
    return render_template("campaigns/ladder.html", ladder=ladder(member), own=False)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str) -> ResponseReturnValue:
    """One click from an e-mail turns e-mail consent off (RFC 8058 one-click POST too)."""
    group = g.get("group")
    member = member_for_token(group, token) if group is not None else None
    if member is None:
        abort(404, _("This unsubscribe link is not valid for this group."))
    if request.method == "POST":
        member.consent_email = False
        audit(group, member, "unsubscribe", f"member #{member.id}", "e-mail consent withdrawn")
        db.session.commit()
        return render_template("campaigns/unsubscribed.html", member=member)
    return render_template("campaigns/unsubscribe.html", member=member, token=token)


csrf.exempt(unsubscribe)

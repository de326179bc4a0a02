"""Motion pages: the list, proposing, one motion with its amendments and discussion, and the
officers' pages to put a motion to the vote, record a meeting's decision and set seconders."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from node import web
from node.ballots.models import Ballot
from node.extensions import db, limiter
from node.members.access import member_required, officer_required
from node.members.models import Member
from node.motions import amending, deciding, diffs
from node.motions import operations as ops
from node.motions.forms import (
    AmendmentForm,
    EditPostForm,
    HideForm,
    MeetingForm,
    MotionForm,
    PostForm,
    SettingsForm,
    VoteForm,
)
from node.motions.models import STATES, Amendment, Motion, Post
from node.organising import follows
from node.tenancy import current_group, get_or_404

bp = Blueprint("motions", __name__)
POST_LIMIT = "20 per minute; 200 per day"


def _poster() -> str:
    """Rate limits count per member (a shared office address must not block a whole group)."""
    member = g.get("member")
    return f"member:{member.id}" if member is not None else (request.remote_addr or "?")


posting_limited = limiter.limit(POST_LIMIT, key_func=_poster, methods=["POST"])


def _amendment(motion: Motion, amendment_id: int) -> Amendment:
    found = get_or_404(Amendment, amendment_id)
    if found.motion_id != motion.id:
        abort(404)
    return found


def _post(motion: Motion, post_id: int) -> Post:
    found = get_or_404(Post, post_id)
    if found.motion_id != motion.id:
        abort(404)
    return found


@bp.route("/motions")
@member_required
def index() -> ResponseReturnValue:
    state = request.args.get("state", "")
    state = state if state in STATES else ""
    found = web.paginate(ops.motion_query(current_group(), state))
    return render_template(
        "motions/index.html", **found.context("motions"), state=state, states=STATES
    )


@bp.route("/motions/new", methods=["GET", "POST"])
@member_required
@posting_limited
def new() -> ResponseReturnValue:
    group = current_group()
    form = MotionForm()
    form.campaign_id.choices = [
        SelectChoice(0, _("— none —")),
        *(SelectChoice(cid, title) for cid, title in ops.campaign_choices(group)),
    ]
    answer = web.submit(
        form,
        lambda: ops.propose(
            group,
            ops.Proposal(form.title.data or "", form.text.data or "", form.campaign_id.data),
            g.member,
        ),
        lambda motion: web.done(_("Motion proposed."), "motions.show", motion_id=motion.id),
    )
    return answer or web.form_page(
        "motions/form.html", form=form, seconders=ops.seconders_needed(group)
    )


@bp.route("/motions/<int:motion_id>")
@member_required
def show(motion_id: int) -> ResponseReturnValue:
    motion = get_or_404(Motion, motion_id)
    group = current_group()
    posts = ops.posts_of(motion)
    authors = {
        m.id: m
        for m in db.session.scalars(
            db.select(Member).where(
                Member.group_id == group.id,
                Member.id.in_(
                    {p.author_id for p in posts}
                    | {a.proposer_id for a in motion.amendments}
                    | {s.member_id for s in motion.seconds}
                    | {motion.proposer_id}
                ),
            )
        )
    }
    ballots = {
        b.id: b
        for b in db.session.scalars(
            db.select(Ballot).where(
                Ballot.group_id == group.id,
                Ballot.id.in_({a.ballot_id for a in motion.amendments} | {motion.final_ballot_id}),
            )
        )
    }
    return render_template(
        "motions/show.html",
        motion=motion,
        campaign=ops.campaign_of(motion),
        authors=authors,
        ballots=ballots,
        thread=ops.threads(posts),
        can_edit=lambda p: ops.can_edit(p, g.member),
        diff=diffs.render,
        original_diff=diffs.render(motion.original_text, motion.text)
        if diffs.changed(motion.original_text, motion.text)
        else None,
        needed=ops.seconders_needed(group),
        following=follows.is_following(g.member, ops.KIND, motion.id),
        post_form=PostForm(),
        reply_to=request.args.get("reply", type=int),
    )


@bp.route("/motions/<int:motion_id>/second", methods=["POST"])
@member_required
def second(motion_id: int) -> ResponseReturnValue:
    motion = get_or_404(Motion, motion_id)
    web.check_form()
    ops.second(motion, g.member)
    return web.done(_("You seconded the motion."), "motions.show", motion_id=motion.id)


@bp.route("/motions/<int:motion_id>/withdraw", methods=["POST"])
@member_required
def withdraw(motion_id: int) -> ResponseReturnValue:
    motion = get_or_404(Motion, motion_id)
    web.check_form()
    ops.withdraw(motion, g.member)
    return web.done(_("The motion is withdrawn."), "motions.show", motion_id=motion.id)


@bp.route("/motions/<int:motion_id>/follow", methods=["POST"])
@member_required
def follow(motion_id: int) -> ResponseReturnValue:
    motion = get_or_404(Motion, motion_id)
    web.check_form()
    if request.form.get("stop"):
        follows.unfollow(current_group(), g.member, ops.KIND, motion.id)
        message = _("You no longer follow this motion.")
    else:
        follows.follow(current_group(), g.member, ops.KIND, motion.id)
        message = _("You follow this motion: a daily digest tells you what is new.")
    return web.done(message, "motions.show", motion_id=motion.id)


# ----------------------------------------------------------------------------- discussion
@bp.route("/motions/<int:motion_id>/posts", methods=["POST"])
@member_required
@posting_limited
def post(motion_id: int) -> ResponseReturnValue:
    motion = get_or_404(Motion, motion_id)
    form = PostForm()
    raw_parent = form.parent_id.data or ""
    parent_id = int(raw_parent) if raw_parent.isdigit() and len(raw_parent) < 10 else None
    answer = web.submit(
        form,
        lambda: ops.post(motion, form.body.data or "", g.member, parent_id),
        lambda row: redirect(
            url_for("motions.show", motion_id=motion.id, _anchor=f"post-{row.id}")
        ),
    )
    if answer is not None:
        return answer
    return web.form_page("motions/reply.html", form=form, motion=motion)


@bp.route("/motions/<int:motion_id>/posts/<int:post_id>/edit", methods=["GET", "POST"])
@member_required
@posting_limited
def edit_post(motion_id: int, post_id: int) -> ResponseReturnValue:
    motion = get_or_404(Motion, motion_id)
    row = _post(motion, post_id)
    if row.author_id != g.member.id:
        abort(403, _("Only its author can edit a post."))
    form = EditPostForm(obj=row)
    answer = web.submit(
        form,
        lambda: ops.edit_post(row, form.body.data or "", g.member),
        lambda _done: redirect(
            url_for("motions.show", motion_id=motion.id, _anchor=f"post-{row.id}")
        ),
    )
    return answer or web.form_page("motions/edit_post.html", form=form, motion=motion, post=row)


@bp.route("/motions/<int:motion_id>/posts/<int:post_id>/hide", methods=["GET", "POST"])
@officer_required
def hide_post(motion_id: int, post_id: int) -> ResponseReturnValue:
    motion = get_or_404(Motion, motion_id)
    row = _post(motion, post_id)
    form = HideForm()
    answer = web.submit(
        form,
        lambda: ops.hide_post(row, form.reason.data or "", g.member),
        lambda _done: web.done(_("The post is hidden."), "motions.show", motion_id=motion.id),
    )
    return answer or web.form_page("motions/hide.html", form=form, motion=motion, post=row)


@bp.route("/motions/<int:motion_id>/posts/<int:post_id>/unhide", methods=["POST"])
@officer_required
def unhide_post(motion_id: int, post_id: int) -> ResponseReturnValue:
    """Show a hidden post again (no confirmation: hiding it again is one step away)."""
    motion = get_or_404(Motion, motion_id)
    row = _post(motion, post_id)
    web.check_form()
    ops.unhide_post(row, g.member)  # a post not hidden: a 409 page (node.errors)
    return web.done(_("The post is shown again."), "motions.show", motion_id=motion.id)


# ----------------------------------------------------------------------------- amendments
@bp.route("/motions/<int:motion_id>/amendments/new", methods=["GET", "POST"])
@member_required
@posting_limited
def new_amendment(motion_id: int) -> ResponseReturnValue:
    motion = get_or_404(Motion, motion_id)
    form = AmendmentForm()
    if request.method == "GET":
        form.text.data = motion.text
    answer = web.submit(
        form,
        lambda: amending.propose_amendment(
            motion, form.text.data or "", form.reason.data, g.member
        ),
        lambda row: web.done(
            _("Amendment %(position)s proposed.", position=row.position),
            "motions.show",
            motion_id=motion.id,
        ),
    )
    return answer or web.form_page("motions/amendment_form.html", form=form, motion=motion)


@bp.route("/motions/<int:motion_id>/amendments/<int:amendment_id>/accept", methods=["POST"])
@member_required
def accept_amendment(motion_id: int, amendment_id: int) -> ResponseReturnValue:
    motion = get_or_404(Motion, motion_id)
    amendment = _amendment(motion, amendment_id)
    web.check_form()
    amending.accept_friendly(amendment, motion, g.member)
    return web.done(
        _("Amendment %(position)s is now part of the motion.", position=amendment.position),
        "motions.show",
        motion_id=motion.id,
    )


@bp.route("/motions/<int:motion_id>/amendments/<int:amendment_id>/withdraw", methods=["POST"])
@member_required
def withdraw_amendment(motion_id: int, amendment_id: int) -> ResponseReturnValue:
    motion = get_or_404(Motion, motion_id)
    amendment = _amendment(motion, amendment_id)
    web.check_form()
    amending.withdraw_amendment(amendment, motion, g.member)
    return web.done(_("The amendment is withdrawn."), "motions.show", motion_id=motion.id)


# ----------------------------------------------------------------------------- officers
@bp.route("/motions/<int:motion_id>/vote", methods=["GET", "POST"])
@officer_required
def put_to_vote(motion_id: int) -> ResponseReturnValue:
    motion = get_or_404(Motion, motion_id)
    form = VoteForm()
    answer = web.submit(
        form,
        lambda: deciding.put_to_vote(motion, form.days.data or 7, form.quorum.data, g.member),
        lambda _done: web.done(
            _("The motion is put to the vote: its ballots open one after another."),
            "motions.show",
            motion_id=motion.id,
        ),
    )
    return answer or web.form_page(
        "motions/vote.html", form=form, motion=motion, pending=amending.pending(motion)
    )


@bp.route("/motions/<int:motion_id>/meeting", methods=["GET", "POST"])
@officer_required
def meeting(motion_id: int) -> ResponseReturnValue:
    motion = get_or_404(Motion, motion_id)
    form = MeetingForm()
    answer = web.submit(
        form,
        lambda: deciding.record_meeting(
            motion,
            form.result.data == "carried",
            form.meeting_date.data,
            form.minute.data or "",
            g.member,
        ),
        lambda _done: web.done(
            _("The meeting's decision is recorded."), "motions.show", motion_id=motion.id
        ),
    )
    return answer or web.form_page(
        "motions/meeting.html", form=form, motion=motion, campaign=ops.campaign_of(motion)
    )


@bp.route("/motions/settings", methods=["GET", "POST"])
@officer_required
def settings() -> ResponseReturnValue:
    group = current_group()
    form = SettingsForm()
    if request.method == "GET":
        form.seconders.data = ops.seconders_needed(group)
    answer = web.submit(
        form,
        lambda: ops.set_seconders(group, form.seconders.data or 0, g.member),
        lambda _done: web.done(_("Saved."), "motions.index"),
    )
    return answer or web.form_page("motions/settings.html", form=form)

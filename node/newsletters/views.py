"""Newsletter pages for organisers and officers: the list with counts, write, preview, send,
and the progress of a newsletter being sent. Unsubscribing is the campaigns room's
``/unsubscribe/<token>`` (the same link every member mail carries)."""

from __future__ import annotations

from flask import Blueprint, flash, g, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from node.forms import EmptyForm
from node.members.access import organiser_required
from node.newsletters import operations as ops
from node.newsletters.forms import NewsletterForm
from node.newsletters.models import Newsletter
from node.newsletters.rendering import body_html
from node.tenancy import current_group, get_or_404, scoped
from node.web import check_form, done, form_page, paginate, submit

bp = Blueprint("newsletters", __name__, url_prefix="/newsletters")


@bp.route("")
@organiser_required
def index() -> str:
    found = paginate(
        scoped(Newsletter).order_by(Newsletter.created_at.desc(), Newsletter.id.desc()), 20
    )
    counts = {n.id: ops.progress(n) for n in found.items}
    return render_template("newsletters/index.html", **found.context("items"), counts=counts)


def _form(newsletter: Newsletter | None = None) -> NewsletterForm:
    form = NewsletterForm(obj=newsletter)
    form.segment.choices = [
        SelectChoice(value, label, optgroup=label.split(":")[0] if ":" in label else None)
        for value, label in ops.segment_choices(current_group())
    ]
    if newsletter is not None and request.method == "GET":
        form.segment.data = f"{newsletter.segment_kind}:{newsletter.segment_value or ''}"
    return form


def _edit_page(newsletter: Newsletter | None) -> ResponseReturnValue:
    """Write a new draft (``newsletter`` None) or change one, then show its preview."""
    form = _form(newsletter)
    saved = submit(
        form,
        lambda: ops.save_draft(
            current_group(),
            {"subject": form.subject.data, "body": form.body.data, "segment": form.segment.data},
            g.member,
            newsletter,
        ),
        lambda draft: redirect(url_for("newsletters.show", newsletter_id=draft.id)),
    )
    if saved is not None:
        return saved
    return form_page("newsletters/edit.html", form=form, newsletter=newsletter)


@bp.route("/new", methods=["GET", "POST"])
@organiser_required
def new() -> ResponseReturnValue:
    return _edit_page(None)


@bp.route("/<int:newsletter_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit(newsletter_id: int) -> ResponseReturnValue:
    newsletter = get_or_404(Newsletter, newsletter_id)
    if newsletter.state != "draft":
        flash(_("This newsletter has been sent; it cannot change."), "error")
        return redirect(url_for("newsletters.show", newsletter_id=newsletter.id))
    return _edit_page(newsletter)


@bp.route("/<int:newsletter_id>")
@organiser_required
def show(newsletter_id: int) -> Response:
    """A draft: the preview (how it reads, who gets it, who is left out and why). A queued or
    sent newsletter: its progress."""
    newsletter = get_or_404(Newsletter, newsletter_id)
    preview, failed = None, []
    if newsletter.state != "draft":
        failed = ops.failed_recipients(newsletter)
    else:
        preview = ops.preview(current_group(), newsletter.segment_kind, newsletter.segment_value)
    response = make_response(
        render_template(
            "newsletters/show.html",
            newsletter=newsletter,
            preview=preview,
            counts=ops.progress(newsletter),
            html=body_html(newsletter.body),
            form=EmptyForm(),
            failed=failed,
        )
    )
    if newsletter.state == "sending":
        response.headers["Refresh"] = "10"  # the progress updates itself while the worker sends
    return response


@bp.route("/<int:newsletter_id>/send", methods=["POST"])
@organiser_required
def send(newsletter_id: int) -> Response:
    newsletter = get_or_404(Newsletter, newsletter_id)
    check_form()
    result = ops.queue(newsletter, g.member)
    return done(
        _(
            "Sending to %(num)s member(s). This page shows the progress.",
            num=len(result.recipients),
        ),
        "newsletters.show",
        newsletter_id=newsletter.id,
    )


@bp.route("/<int:newsletter_id>/delete", methods=["POST"])
@organiser_required
def delete(newsletter_id: int) -> Response:
    newsletter = get_or_404(Newsletter, newsletter_id)
    check_form()
    ops.delete_draft(newsletter)
    return done(_("The draft is deleted."), "newsletters.index")

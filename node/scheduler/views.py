"""The officers' buttons on a dead letter: retry it, or dismiss it (POST, CSRF, officers only).

The row is read with the request's group (``tenancy.get_or_404``): another group's officer gets
a 404, as for any other group's row.
"""

from __future__ import annotations

from flask import Blueprint, g
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from node import tenancy, web
from node.members.access import officer_required
from node.scheduler import dead_letters
from node.scheduler.models import TaskFailure

bp = Blueprint("scheduler", __name__)


@bp.route("/background-work/<int:failure_id>/retry", methods=["POST"])
@officer_required
def retry(failure_id: int) -> Response:
    failure = tenancy.get_or_404(TaskFailure, failure_id)
    web.check_form()
    dead_letters.retry(failure, g.group, g.member)
    return web.done(
        _("“%(label)s” will be tried again within a few minutes.", label=failure.label),
        "home.index",
    )


@bp.route("/background-work/<int:failure_id>/dismiss", methods=["POST"])
@officer_required
def dismiss(failure_id: int) -> Response:
    failure = tenancy.get_or_404(TaskFailure, failure_id)
    web.check_form()
    dead_letters.dismiss(failure, g.group, g.member)
    return web.done(
        _(
            "“%(label)s” is dismissed: it will not be tried again unless you retry it.",
            label=failure.label,
        ),
        "home.index",
    )

"""Finding your own paper in a published ballot, and how a count's numbers are shown.

The voter types the receipt code from their ballot paper; the server hashes it (``sha256`` of
the code as shown, ``voting.receipt_hash``) and shows the paper with that fingerprint, so nobody
has to compare 64 hex characters by eye. The code travels in a POST (CSRF-checked, though it
changes nothing), not in the query: the access logs drop query values already, but a GET would
keep the code in the browser's history and address bar, where someone else using the same phone
could find it and, with it, the vote. Nothing here logs or stores the code, and the answer is
``no-store``.

Routes are added to the ballots blueprint (``node.ballots.views.bp``); ``setup.init_app``
imports this module before registering it.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from node.ballots import results, voting
from node.ballots.models import CastBallot
from node.ballots.views import NO_STORE, bp, counted_ballot
from node.extensions import db
from node.i18n import N_
from node.members.access import member_required
from node.web import check_form

CODE_FIELD = "code"
CODE_LENGTH = 16  # characters of a receipt code without its dashes (voting.new_code)
BAD_CODE = N_(
    "A receipt code has 16 letters and digits in four groups, like K7QF-2MZD-8XNE-WB4P. "
    "Check the code on your ballot paper or receipt and try again."
)
NOT_FOUND = N_(
    "No paper with that code in this ballot. Check the code; papers are listed only after the "
    "result is published."
)


def shown_code(typed: str) -> str | None:
    """The receipt code as ballot papers show it (``K7QF-2MZD-8XNE-WB4P``) from what a person
    typed: any case, with spaces, dashes or neither. ``None`` when it cannot be a code."""
    chars = "".join(c for c in typed.upper() if not (c.isspace() or c == "-"))
    if len(chars) != CODE_LENGTH or not (chars.isascii() and chars.isalnum()):
        return None
    return "-".join(chars[i : i + 4] for i in range(0, CODE_LENGTH, 4))


@bp.app_template_filter("figure")
def figure_filter(value: Any, method: str, signed: bool = False) -> str:
    """``{{ votes|figure(ballot.method) }}``: see ``results.figure``."""
    return results.figure(value, method, signed)


@bp.route("/ballots/<int:ballot_id>/papers/find", methods=["POST"])
@member_required
def find_paper(ballot_id: int) -> ResponseReturnValue:
    ballot = counted_ballot(ballot_id)
    check_form()
    code = shown_code(request.form.get(CODE_FIELD, "")[:100])
    context: dict[str, Any] = {"ballot": ballot, "rows": [], "page": 1, "pages": 1, "total": 0}
    if code is None:
        page = render_template("ballots/papers.html", **context, find_error=_(BAD_CODE))
        return page, 400, NO_STORE
    paper = db.session.scalar(
        select(CastBallot).where(
            CastBallot.group_id == ballot.group_id,
            CastBallot.ballot_id == ballot.id,
            CastBallot.receipt_hash == voting.receipt_hash(code),
        )
    )
    if paper is None:
        page = render_template("ballots/papers.html", **context, find_error=_(NOT_FOUND))
        return page, 404, NO_STORE
    found = (paper.receipt_hash, results.paper_names(ballot, paper.ranking))
    page = render_template("ballots/papers.html", **context, found=found, code=code)
    return page, 200, NO_STORE

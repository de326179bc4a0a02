"""Each step of a selection mailed to its electorate, once: nominations open (how to nominate,
by when), nominations closed (the valid nominees with links to their statements, or why there
is no ballot) and the hustings answers published. The ballot's own opening mail, with each
member's personal voting link, is the ballots room's: the selection's ballot is scheduled there
like any other.

The electorate is the members in good standing by the selection's rules
(``operations.good_standing_query``); mail goes through
:func:`node.organising.messaging.message_members`, so a member without e-mail consent gets
nothing and every message carries the unsubscribe link. A step is claimed by its
:class:`~node.selections.models.Mailing` row before anything is sent, and the row keeps what
happened in plain words (``node.mail_outcome``), so a re-run never mails a step twice and a step
that fell due while mail was switched off says so instead of going out late.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, select

from node import clock, timefmt
from node.extensions import db
from node.i18n import ngettext
from node.mail_outcome import SWITCHED_OFF, mail_enabled, told
from node.members.models import Member
from node.organising.messaging import message_members
from node.selections.models import OUTCOMES, Mailing, Selection
from node.selections.operations import ballot_cancelled, good_standing_query, valid_nominations
from node.tenancy import group_url

STEPS = ("opened", "closed", "answers")
CATEGORY = "selections"
LABELS = {
    "opened": "Mailing the opening of nominations of",
    "closed": "Mailing the close of nominations of",
    "answers": "Mailing the published answers of",
}


def due_condition(step: str) -> ColumnElement[bool]:
    """Selections whose ``step`` has happened and is not yet mailed (nor recorded unsent), and
    that are not cancelled (a selection called off before it opened is never announced)."""
    now = clock.utcnow_naive()
    happened = {
        "opened": Selection.nominations_open_at <= now,
        "closed": Selection.closed_at.is_not(None),
        "answers": Selection.answers_published_at.is_not(None),
    }[step]
    mailed = exists().where(Mailing.selection_id == Selection.id, Mailing.step == step)
    return happened & ~mailed & Selection.cancelled_at.is_(None)


def _opened(selection: Selection) -> tuple[str, str]:
    group = selection.group
    who = _("yourself or another member") if selection.self_nomination else _("another member")
    seconders = (
        " "
        + ngettext(
            "Each nomination needs %(num)s seconder, members in good standing who add "
            "themselves on the same page.",
            "Each nomination needs %(num)s seconders, members in good standing who add "
            "themselves on the same page.",
            selection.seconders_needed,
        )
        if selection.seconders_needed
        else ""
    )
    places = ngettext("%(num)s place", "%(num)s places", selection.places)
    body = (
        _(
            "Nominations are open for %(title)s (the election is on %(day)s; %(places)s).",
            title=selection.title,
            day=timefmt.day(selection.election_date, plain=True),
            places=places,
        )
        + "\n\n"
    )
    body += _(
        "How to nominate: sign in and open %(link)s, then nominate %(who)s. A member nominated "
        "by someone else accepts on that page.",
        link=group_url(group, f"/selections/{selection.id}"),
        who=who,
    )
    body += seconders + "\n\n"
    body += _(
        "Nominations close %(when)s.",
        when=timefmt.when(selection.nominations_close_at, plain=True),
    )
    return _("Nominations are open: %(title)s", title=selection.title), body


def _closed(selection: Selection) -> tuple[str, str]:
    group = selection.group
    valid = valid_nominations(selection)
    lines = [_("Nominations for %(title)s have closed.", title=selection.title)]
    outcome = OUTCOMES.get(selection.outcome or "")
    lines.append(f"{_(outcome) if outcome else _('Closed')}.")
    if valid:
        lines += ["", _("The valid nominees and their statements:")]
        for nomination in valid:
            path = f"/selections/{selection.id}/candidates/{nomination.id}"
            lines += [f"- {nomination.nominee.name}", f"  {group_url(group, path)}"]
    else:
        lines += ["", _("There were no valid nominations.")]
    if selection.outcome == "ballot":
        questions = group_url(group, f"/selections/{selection.id}/questions")
        lines += [
            "",
            _(
                "Put a question to the candidates until %(when)s: %(link)s",
                when=timefmt.when(selection.questions_close_at, plain=True),
                link=questions,
            ),
            _(
                "The ballot opens %(when)s; your personal voting link comes in its own e-mail "
                "then.",
                when=timefmt.when(selection.ballot_opens_at, plain=True),
            ),
        ]
    return _("Nominations closed: %(title)s", title=selection.title), "\n".join(lines)


def _answers(selection: Selection) -> tuple[str, str]:
    link = group_url(selection.group, f"/selections/{selection.id}/questions")
    body = _(
        "The candidates' answers to the hustings questions for %(title)s are published, all at "
        "once: %(link)s",
        title=selection.title,
        link=link,
    )
    body += "\n\n" + _(
        "The ballot opens %(when)s.", when=timefmt.when(selection.ballot_opens_at, plain=True)
    )
    return _("Hustings answers published: %(title)s", title=selection.title), body


MESSAGES = {"opened": _opened, "closed": _closed, "answers": _answers}


def mail_step(selection: Selection, step: str) -> bool:
    """Mail ``step`` of ``selection`` to its electorate unless it was already; commits. True if
    this call settled the step (mailed, or recorded why not)."""
    claimed = db.session.scalar(
        select(Mailing.id).where(Mailing.selection_id == selection.id, Mailing.step == step)
    )
    if claimed is not None:
        return False
    row = Mailing(group_id=selection.group_id, selection_id=selection.id, step=step)
    db.session.add(row)
    db.session.flush()  # a second worker racing for the step stops here, before any mail
    closed = selection.closed_at is not None or clock.utcnow_naive() >= (
        selection.nominations_close_at
    )
    if not mail_enabled():
        row.outcome = f"not sent: {SWITCHED_OFF}"
    elif step == "opened" and closed:
        row.outcome = "not sent: nominations had closed before it could go"
    elif ballot_cancelled(selection):
        row.outcome = "not sent: the selection's ballot was cancelled"
    else:
        subject, body = MESSAGES[step](selection)
        electorate = db.session.scalars(good_standing_query(selection).order_by(Member.id))
        delivery = message_members(selection.group, electorate, subject, body, CATEGORY)
        row.outcome = told(delivery.sent, delivery.failed, delivery.skipped, whom="members")
    db.session.commit()
    return True

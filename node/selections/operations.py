"""Opening a selection and its nominations: nominate, accept, second, write a statement,
withdraw. All state changes of nominations live here; they never commit (the view does).

Who may take part is checked here, not in the templates: a member *in good standing* (active,
not erased, and a member for at least the selection's ``min_days``) may nominate and second;
only the nominee writes their statement, accepts or withdraws; nothing about a nomination
changes once nominations have closed, or once the selection is cancelled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, select, update
from sqlalchemy.orm import selectinload

from node import clock
from node.audit import record
from node.errors import Conflict, Forbidden, Invalid
from node.extensions import db
from node.forms import multi_line_problem, reason_given
from node.groups.models import Group
from node.i18n import N_
from node.members.models import Member
from node.organising import follows
from node.selections.models import MAX_REASON, MAX_STATEMENT, Nomination, Seconder, Selection
from node.selections.timetable import FIELDS, SelectionSpec, validate

FOLLOW_KIND = "selection"  # the subject kind of node.organising.follows (node.selections.news)


def open_selection(group: Group, spec: SelectionSpec, actor: Member | None) -> Selection:
    validate(spec, clock.utcnow_naive())
    selection = Selection(group_id=group.id, created_by_id=actor.id if actor else None)
    for name in FIELDS:
        setattr(selection, name, getattr(spec, name))
    db.session.add(selection)
    db.session.flush()
    record(group, actor, "open-selection", f"selection #{selection.id}", selection.title)
    return selection


def edit_selection(selection: Selection, spec: SelectionSpec, actor: Member | None) -> None:
    """Put right the office, timetable or rules while nominations are still open (or upcoming):
    after the close they are what members nominated and voted under."""
    if selection.cancelled_at is not None:
        raise Conflict(_("This selection is cancelled: it can no longer be changed."))
    if selection.closed_at is not None or clock.utcnow_naive() >= selection.nominations_close_at:
        raise Conflict(_("Nominations have closed: the selection can no longer be changed."))
    validate(spec, clock.utcnow_naive())
    changed = [name for name in FIELDS if getattr(selection, name) != getattr(spec, name)]
    for name in changed:
        setattr(selection, name, getattr(spec, name))
    detail = ", ".join(name.replace("_", " ") for name in changed) or "nothing"
    record(selection.group, actor, "edit-selection", f"selection #{selection.id}", detail)


def undecided(selection: Selection) -> bool:
    """Neither closed nor cancelled: nominations may still happen, and it can still be called
    off (once closed it has a ballot or an outcome, and the ballot is what to cancel). The
    loaded selection's answer; :func:`claim_undecided` asks the same of the row, in SQL."""
    return selection.closed_at is None and selection.cancelled_at is None


def claim_undecided(selection: Selection, **values: object) -> bool:
    """Set ``values`` on ``selection`` if it is neither closed nor cancelled, in one statement,
    so that of a close and a cancel at the same moment (or two of either) only one happens.
    Whether this call did it."""
    claimed = db.session.scalar(
        update(Selection)
        .where(
            Selection.id == selection.id,
            Selection.closed_at.is_(None),
            Selection.cancelled_at.is_(None),
        )
        .values(**values)
        .returning(Selection.id)
        .execution_options(synchronize_session=False)
    )
    return claimed is not None


def why_not_cancellable(selection: Selection) -> str:
    """What to tell an officer who asks to cancel a selection that cannot be."""
    if selection.cancelled_at is not None:
        return _("This selection is already cancelled.")
    return _("Nominations have closed: cancel the ballot instead, if there is one.")


def cancel_selection(selection: Selection, actor: Member | None, reason: str) -> None:
    """Call a selection off before its nominations close (the seat is no longer contested, it
    was opened by mistake): from now nobody nominates, seconds, accepts or asks, the close never
    comes and no ballot is made; the reason goes to the audit log and to its followers.

    ``cancelled`` is terminal and claimed like the close, which claims only a selection that
    is neither closed nor cancelled: of a close and a cancel at the same moment, one wins.
    """
    reason = reason_given(
        reason, MAX_REASON, _("Say why the selection is cancelled: its followers are told.")
    )
    now = clock.utcnow_naive()
    if not claim_undecided(selection, cancelled_at=now, cancel_reason=reason):
        db.session.refresh(selection)
        raise Conflict(why_not_cancellable(selection))
    selection.cancelled_at, selection.cancel_reason = now, reason
    record(selection.group, actor, "cancel-selection", f"selection #{selection.id}", reason)
    text = _(
        "The selection for %(title)s is cancelled: %(reason)s", title=selection.title, reason=reason
    )
    follows.record_news(
        selection.group, FOLLOW_KIND, selection.id, text, page_path(selection), actor=actor
    )


def page_path(selection: Selection) -> str:
    """The selection's page, as the news links to it."""
    return f"/selections/{selection.id}"


# ----------------------------------------------------------------------------- where it stands
# What phase() returns: codes, shown translated (``{{ _(phase) }}``).
PHASES = (
    N_("upcoming"),
    N_("nominations"),
    N_("hustings"),
    N_("ballot"),
    N_("done"),
    N_("cancelled"),
)


def phase(selection: Selection, now: datetime | None = None) -> str:
    """upcoming → nominations → hustings → ballot → done, by the timetable (and by what the
    scheduler has done: the hustings start once the nominations are really closed); or
    cancelled, whenever an officer called it off, itself or its ballot (:func:`called_off`)."""
    now = now or clock.utcnow_naive()
    if called_off(selection):
        return "cancelled"
    if now < selection.nominations_open_at:
        return "upcoming"
    if now < selection.nominations_close_at or selection.closed_at is None:
        return "nominations"
    if selection.answers_published_at is None:
        return "hustings"
    return "ballot" if now < selection.ballot_closes_at else "done"


def ballot_cancelled(selection: Selection) -> bool:
    """The ballot the close made was cancelled (an officer withdrew it): nothing more comes of
    the selection, whose page then says so instead of showing a ballot for ever."""
    return selection.ballot is not None and selection.ballot.state == "cancelled"


def called_off(selection: Selection) -> bool:
    """Cancelled itself, before the close, or through its ballot, after."""
    return selection.cancelled_at is not None or ballot_cancelled(selection)


def nominations_open(selection: Selection, now: datetime | None = None) -> bool:
    now = now or clock.utcnow_naive()
    return undecided(selection) and (
        selection.nominations_open_at <= now < selection.nominations_close_at
    )


def _require_open(selection: Selection) -> None:
    if not nominations_open(selection):
        if selection.cancelled_at is not None:
            raise Conflict(_("This selection is cancelled."))
        if clock.utcnow_naive() < selection.nominations_open_at:
            raise Conflict(_("Nominations have not opened yet."))
        raise Conflict(_("Nominations have closed."))


def good_standing_query(selection: Selection) -> Select[Member]:
    """The members who may nominate, second and be nominated in ``selection``."""
    cutoff = clock.today() - timedelta(days=selection.min_days)
    return select(Member).where(
        Member.group_id == selection.group_id,
        Member.status == "active",
        Member.erased_at.is_(None),
        Member.joined_on <= cutoff,
    )


def in_good_standing(selection: Selection, member: Member) -> bool:
    return (
        db.session.scalar(good_standing_query(selection).where(Member.id == member.id)) is not None
    )


def _require_standing(selection: Selection, member: Member, doing: str) -> None:
    if not in_good_standing(selection, member):
        if selection.min_days:
            raise Forbidden(
                _(
                    "Only members in good standing (active for at least %(days)s days) may %(doing)s.",
                    days=selection.min_days,
                    doing=doing,
                )
            )
        raise Forbidden(_("Only members in good standing (active) may %(doing)s.", doing=doing))


def nominee_choices(selection: Selection) -> list[tuple[int, str]]:
    """Who may be nominated (for the form): members in good standing not yet nominated."""
    taken = select(Nomination.nominee_id).where(Nomination.selection_id == selection.id)
    members = db.session.scalars(
        good_standing_query(selection)
        .where(Member.id.not_in(taken))
        .order_by(Member.name, Member.id)
        .limit(2000)
    )
    return [(m.id, m.name) for m in members]


def nomination_of(selection: Selection, member: Member) -> Nomination | None:
    return db.session.scalar(
        select(Nomination).where(
            Nomination.selection_id == selection.id, Nomination.nominee_id == member.id
        )
    )


# ----------------------------------------------------------------------------- nominations
def _follow(selection: Selection, member: Member) -> None:
    """Taking part (nominating, standing, seconding, asking) follows the selection: its news
    comes in the daily digest; anyone can stop following on its page."""
    follows.follow(selection.group, member, FOLLOW_KIND, selection.id)


def nominate(selection: Selection, nominator: Member, nominee_id: int) -> Nomination:
    """``nominator`` puts ``nominee_id`` forward (themselves, if the rules allow it)."""
    _require_open(selection)
    _require_standing(selection, nominator, _("nominate"))
    nominee = db.session.scalar(good_standing_query(selection).where(Member.id == nominee_id))
    if nominee is None:
        message = _("Choose a member in good standing of this group.")
        raise Invalid(message, fields={"nominee_id": message})
    own = nominee.id == nominator.id
    if own and not selection.self_nomination:
        raise Invalid(_("This selection's rules do not allow nominating yourself."))
    if nomination_of(selection, nominee) is not None:
        message = _("%(name)s has already been nominated.", name=nominee.name)
        raise Invalid(message, fields={"nominee_id": message})
    now = clock.utcnow_naive()
    nomination = Nomination(
        group_id=selection.group_id,
        selection_id=selection.id,
        nominee_id=nominee.id,
        nominated_by_id=nominator.id,
        accepted_at=now if own else None,
        statement="",
    )
    db.session.add(nomination)
    db.session.flush()
    _follow(selection, nominator)
    record(
        selection.group,
        nominator,
        "nominate",
        f"selection #{selection.id}",
        f"nomination #{nomination.id}: member #{nominee.id}" + (" (self)" if own else ""),
    )
    return nomination


def _require_nominee(nomination: Nomination, member: Member) -> None:
    if nomination.nominee_id != member.id:
        raise Forbidden(_("Only the nominee can do this."))


def accept(nomination: Nomination, member: Member) -> None:
    _require_open(nomination.selection)
    _require_nominee(nomination, member)
    if nomination.withdrawn_at is not None:
        raise Conflict(_("You withdrew this nomination."))
    if nomination.accepted_at is None:
        nomination.accepted_at = clock.utcnow_naive()
        _follow(nomination.selection, member)
        record(
            nomination.selection.group, member, "accept-nomination", f"nomination #{nomination.id}"
        )


def second(nomination: Nomination, member: Member) -> Seconder:
    selection = nomination.selection
    _require_open(selection)
    _require_standing(selection, member, _("second a nomination"))
    if member.id in (nomination.nominee_id, nomination.nominated_by_id):
        raise Invalid(_("The nominee and the member who nominated them cannot also second it."))
    if nomination.withdrawn_at is not None:
        raise Conflict(_("This nomination was withdrawn."))
    if any(s.member_id == member.id for s in nomination.seconders):
        raise Conflict(_("You have already seconded this nomination."))
    seconder = Seconder(group_id=nomination.group_id, member_id=member.id)
    nomination.seconders.append(seconder)
    db.session.flush()
    _follow(selection, member)
    record(selection.group, member, "second-nomination", f"nomination #{nomination.id}")
    return seconder


def write_statement(nomination: Nomination, member: Member, text: str) -> None:
    """The nominee's statement (Markdown, shown through ``node.richtext``), until the close."""
    _require_open(nomination.selection)
    _require_nominee(nomination, member)
    text = text.strip()
    if len(text) > MAX_STATEMENT:
        message = _("Keep your statement to %(limit)s characters.", limit=f"{MAX_STATEMENT:,}")
        raise Invalid(message, fields={"statement": message})
    if problem := multi_line_problem(text):
        raise Invalid(problem, fields={"statement": problem})
    nomination.statement = text
    nomination.statement_at = clock.utcnow_naive()
    record(nomination.selection.group, member, "write-statement", f"nomination #{nomination.id}")


def withdraw(nomination: Nomination, member: Member) -> None:
    """The nominee steps down (or declines); possible until nominations close."""
    _require_open(nomination.selection)
    _require_nominee(nomination, member)
    if nomination.withdrawn_at is None:
        nomination.withdrawn_at = clock.utcnow_naive()
        record(
            nomination.selection.group,
            member,
            "withdraw-nomination",
            f"nomination #{nomination.id}",
        )


def standing_nominations(selection: Selection) -> list[Nomination]:
    """The nominations accepted and not withdrawn, seconded enough or not yet."""
    return [n for n in selection.nominations if n.is_standing]


def valid_nominations(selection: Selection) -> list[Nomination]:
    """The nominations that stand, by the nominee's name (the order of the ballot paper)."""
    valid = [n for n in selection.nominations if n.is_valid]
    return sorted(valid, key=lambda n: (n.nominee.name.casefold(), n.id))


def selections_query(group: Group) -> Select[Selection]:
    return (
        select(Selection)
        .where(Selection.group_id == group.id)
        .options(selectinload(Selection.ballot))  # each row's phase reads it
        .order_by(Selection.nominations_close_at.desc(), Selection.id.desc())
    )

"""From anonymous papers to a published result: the BLT file, the count, and the transfer chart.

The node counts *the BLT text it publishes* (``read_blt(ballot.blt)``), with the seed it
publishes, through the same ``node.ballots.counting`` package as ``commonground tally`` — so a
recount of the download cannot differ from the result page unless the file was changed.
"""

from __future__ import annotations

import math
from fractions import Fraction
from html import escape
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from node.ballots.counting import count, count_motion, read_blt, write_blt
from node.ballots.counting.meek import ONE as MEEK_SCALE
from node.ballots.counting.scottish import SCALE as SCOTTISH_SCALE
from node.ballots.models import Ballot
from node.errors import Conflict

# Okabe–Ito colour-blind-safe palette, then a few more distinct ones.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#7F7F7F",
    "#882255",
    "#44AA99",
    "#999933",
)


def blt_filename(ballot: Ballot) -> str:
    return f"ballot-{ballot.id}.blt"


def build_blt(ballot: Ballot, rankings: list[list[int]]) -> str:
    """The anonymised ballots, in a canonical order (sorted rankings) that reveals nothing."""
    papers = sorted(tuple(r) for r in rankings)
    title = ballot.title.replace('"', "'").replace("\n", " ").replace("\r", " ")
    return write_blt(ballot.choice_names, ballot.seats, [(1, p) for p in papers], title)


def recount_command(ballot: Ballot) -> str:
    method = "fptp" if ballot.is_motion else ballot.method
    return (
        f"commonground tally {blt_filename(ballot)} --method {method} "
        f"--seats {ballot.seats} --seed {ballot.seed} --json"
    )


def quorum_required(ballot: Ballot) -> int | None:
    if ballot.quorum is not None:
        return ballot.quorum
    if ballot.quorum_percent is not None:
        return math.ceil(Fraction(ballot.quorum_percent, 100) * (ballot.electorate_size or 0))
    return None


def count_ballot(ballot: Ballot) -> dict[str, Any]:
    """Count the published BLT; returns the JSON stored on the ballot and served as export."""
    if ballot.blt is None:
        raise Conflict(_("This ballot has no ballots file to count."))
    election = read_blt(ballot.blt)
    turnout = election.total_weight
    electorate = ballot.electorate_size or 0
    base: dict[str, Any] = {
        "ballot": ballot.id,
        "title": ballot.title,
        "method": ballot.method,
        "seats": ballot.seats,
        "seed": ballot.seed,
        "electorate": electorate,
        "turnout": turnout,
        "recount": recount_command(ballot),
    }
    if ballot.is_motion:
        tallies = [0, 0, 0]
        for weight, ranking in election.ballots:
            tallies[ranking[0]] += weight
        yes, no, abstain = tallies
        motion = count_motion(
            yes,
            no,
            abstain,
            electorate=electorate,
            quorum=ballot.quorum,
            quorum_share=(
                Fraction(ballot.quorum_percent, 100) if ballot.quorum_percent is not None else None
            ),
            threshold=ballot.threshold,
        )
        return base | motion.to_json() | {"elected": [], "rounds": []}
    if turnout:
        counted = count(election, ballot.method, seats=ballot.seats, seed=ballot.seed)
        elected, rounds, quota = counted.elected, counted.rounds, counted.quota
    else:
        elected, rounds, quota = [], [], None
    required = quorum_required(ballot)
    quorum_met = required is None or turnout >= required
    return base | {
        "elected": elected,
        "rounds": rounds,
        "quota": quota,
        "quorum_required": required,
        "quorum_met": quorum_met,
        "passed": quorum_met and bool(elected),
    }


# Decimal places each method's rules count to (the counters' fixed-point scales): Scottish STV
# truncates transfer values to five places (SSI 2007/42 Sch. 1 r. 48), Meek works to nine.
DECIMALS = {
    "scottish-stv": len(str(SCOTTISH_SCALE)) - 1,
    "meek-stv": len(str(MEEK_SCALE)) - 1,
}


def figure(value: Any, method: str, signed: bool = False) -> str:
    """A count's number as the rules count it: whole numbers plain, fractions to the method's
    decimal places (``1.000000001`` for a Meek quota, ``2.33333`` in Scottish STV), never a
    float's own ``3.3333333330000003`` or ``1e-05``."""
    if value is None or value == "":
        return ""
    sign = "+" if signed else ""
    number = float(value)
    if number.is_integer():
        return f"{int(number):{sign}d}"
    return f"{number:{sign}.{DECIMALS.get(method, 6)}f}"


def paper_names(ballot: Ballot, ranking: list[int]) -> list[str]:
    names = ballot.choice_names
    return [names[i] for i in ranking]


def _num(value: Any) -> float:
    return float(value or 0)


def transfer_chart(result: dict[str, Any]) -> Markup:
    """A stacked column per round (votes of each candidate, exhausted on top), quota dashed.

    Plain SVG with presentation attributes only (the CSP forbids inline styles); the round table
    next to it carries the same numbers for screen readers.
    """
    rounds = result.get("rounds") or []
    if not rounds:
        return Markup("")
    names = list(rounds[0]["votes"])
    method = str(result.get("method") or "")
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    top = max(sum(_num(v) for v in r["votes"].values()) + _num(r.get("exhausted")) for r in rounds)
    top = max(top, _num(rounds[0].get("quota")), 1.0)
    col, gap, height, left, legend_row = 56, 18, 240, 44, 22
    width = left + len(rounds) * (col + gap) + gap
    legend_top = height + 40
    total_h = legend_top + legend_row * (len(names) + 1) + 10
    scale = height / top

    chart_title = _("Votes per candidate in each round of the count")
    quota_label = _("quota")

    def shown(name: str) -> str:
        return _("Exhausted") if name == "Exhausted" else name

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {max(width, 320)} {total_h}" '
        f'width="{max(width, 320)}" height="{total_h}" '
        f'class="chart" role="img" aria-labelledby="chart-title">',
        f'<title id="chart-title">{escape(chart_title)}</title>',
        f'<line x1="{left}" y1="{height + 10}" x2="{width}" y2="{height + 10}" stroke="#333"/>',
    ]
    for i, row in enumerate(rounds):
        x = left + gap + i * (col + gap)
        round_label = _("Round %(round)s:", round=row["round"])
        y = height + 10.0
        parts = [(n, _num(row["votes"].get(n))) for n in names] + [
            ("Exhausted", _num(row.get("exhausted")))
        ]
        for name, value in parts:
            if value <= 0:
                continue
            h = value * scale
            y -= h
            fill = colour.get(name, "#DDDDDD")
            out.append(
                f'<rect x="{x}" y="{y:.2f}" width="{col}" height="{h:.2f}" fill="{fill}" '
                f'stroke="#fff"><title>{escape(round_label)} '
                f"{escape(shown(name))} {figure(value, method)}</title></rect>"
            )
        out.append(
            f'<text x="{x + col / 2}" y="{height + 28}" text-anchor="middle" '
            f'font-size="12">R{row["round"]}</text>'
        )
    quota = _num(rounds[-1].get("quota"))
    if quota:
        qy = height + 10 - quota * scale
        out.append(
            f'<line x1="{left}" y1="{qy:.2f}" x2="{width}" y2="{qy:.2f}" stroke="#A4161A" '
            f'stroke-dasharray="6 4" stroke-width="2"/>'
            f'<text x="2" y="{qy + 4:.2f}" font-size="11" fill="#A4161A">{escape(quota_label)}</text>'
        )
    for j, name in enumerate([*names, "Exhausted"]):
        y = legend_top + j * legend_row
        out.append(
            f'<rect x="{left}" y="{y}" width="14" height="14" fill="{colour.get(name, "#DDDDDD")}" '
            f'stroke="#333"/><text x="{left + 20}" y="{y + 12}" font-size="13">{escape(shown(name))}</text>'
        )
    out.append("</svg>")
    # Safe: built here from numbers, fixed colours and names passed through escape().
    return Markup("\n".join(out))  # noqa: S704

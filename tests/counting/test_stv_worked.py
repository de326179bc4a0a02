"""Hand-worked STV examples, each with its source or derivation."""

from __future__ import annotations

import random

from node.ballots.counting import Election, count


def make_election(names, seats, ballots):
    """Build an election from single-letter (or listed) candidate names."""
    names = list(names)
    return Election(names, seats, [(w, tuple(names.index(c) for c in r)) for w, r in ballots])


def test_wikipedia_food_election_scottish_stv() -> None:
    # Source: Wikipedia, "Single transferable vote", worked example (20 voters,
    # 3 seats).  Droop quota floor(20/4)+1 = 6.  Chocolate 12 elected, surplus 6
    # at 6/12 = 0.5: Strawberry 1+4 = 5, Hamburger 1+2 = 3.  Pear (2) excluded ->
    # Orange 6 elected.  Hamburger excluded; Strawberry is the last continuing.
    e = make_election(
        ["Orange", "Pear", "Chocolate", "Strawberry", "Hamburger"],
        3,
        [
            (4, ["Orange"]),
            (2, ["Pear", "Orange"]),
            (8, ["Chocolate", "Strawberry"]),
            (4, ["Chocolate", "Hamburger"]),
            (1, ["Strawberry"]),
            (1, ["Hamburger"]),
        ],
    )
    r = count(e, "scottish-stv")
    assert r.elected == ["Chocolate", "Orange", "Strawberry"]
    assert r.quota == 6
    assert r.rounds[1]["action"]["transfer_values"] == [0.5]
    assert r.rounds[1]["votes"]["Strawberry"] == 5
    assert r.rounds[1]["votes"]["Hamburger"] == 3
    assert r.rounds[2]["action"] == {"excluded": "Pear", "elected": ["Orange"]}


def test_scottish_wigm_truncation_by_hand() -> None:
    # Hand computation, 21 papers, 3 seats: quota = floor(21/4) + 1 = 6.
    # Stage 1: A 13, B 4, C 2, D 2 -> A elected, surplus 7.
    # Stage 2: TV = 7 x 1 / 13 = 0.538461.. -> 0.53846 (truncated, rule 48(3)).
    #   B += 11 x 0.53846 = 5.92306 -> 9.92306 (elected); C += 2 x 0.53846 = 1.07692.
    #   Loss = 7 - 13 x 0.53846 = 0.00002.
    # Stage 3: B's surplus 3.92306 over total 9.92306, inclusive of all papers:
    #   B's own 4 papers (value 1):   3.92306 x 1       / 9.92306 = 0.395347.. -> 0.39534,
    #       no further preference -> non-transferable 4 x 0.39534 = 1.58136;
    #   the 11 from A (value 0.53846): 3.92306 x 0.53846 / 9.92306 = 0.212875.. -> 0.21287,
    #       next preference D: 11 x 0.21287 = 2.34157 -> D = 4.34157.
    #   Loss this stage = 3.92306 - 1.58136 - 2.34157 = 0.00013 (total 0.00015).
    # Stage 4: no surplus; C (3.07692) < D (4.34157) excluded; D is then the only
    #   continuing candidate for the last vacancy (rule 52).
    e = make_election("ABCD", 3, [(11, "ABD"), (2, "AC"), (4, "B"), (2, "C"), (2, "D")])
    r = count(e, "scottish-stv")
    assert r.elected == ["A", "B", "D"]
    s2, s3, s4 = r.rounds[1:]
    assert s2["action"]["transfer_values"] == [0.53846]
    assert s2["votes"] == {"A": 6, "B": 9.92306, "C": 3.07692, "D": 2}
    assert s2["loss"] == 0.00002
    assert s3["action"]["transfer_values"] == [0.39534, 0.21287]
    assert s3["votes"] == {"A": 6, "B": 6, "C": 3.07692, "D": 4.34157}
    assert s3["exhausted"] == 1.58136
    assert s3["loss"] == 0.00015
    assert s4["action"] == {"excluded": "C", "elected": ["D"], "elected_remaining": ["D"]}


# Hand-built: B and C tie at stage 2 (4 each) but differed at stage 1 (4 vs 3).
# The look-back rule (SSI 2007/42 r.51(2); our IRV rule) excludes C, whose papers
# elect B; excluding B instead would have given C the seat (4 + 4 = 8 = quota).
LOOKBACK = [(6, "A"), (4, "BC"), (3, "CB"), (1, "DC")]


def test_exclusion_tie_resolved_by_look_back() -> None:
    e = make_election("ABCD", 1, LOOKBACK)
    for method in ("scottish-stv", "irv", "meek-stv"):
        r = count(e, method, seed=123)
        assert r.elected == ["B"], method
        tb = next(row for row in r.rounds if "tiebreaks" in row)["tiebreaks"][0]
        assert tb["rule"] == "look-back" and tb["chosen"] == "C" and tb["round"] == 1
        assert tb["tied"] == ["B", "C"]


def test_tie_by_seeded_lot_is_reproducible_and_recorded() -> None:
    # A and B equal at every stage: only the lot can separate them.  The
    # documented draw: the tied candidates in ballot order, index
    # random.Random(seed).randrange(len(tied)) (the first draw of the count).
    e = make_election("AB", 1, [(2, "A"), (2, "B")])
    winners = set()
    for seed in range(12):
        first = count(e, "scottish-stv", seed=seed)
        again = count(e, "scottish-stv", seed=seed)
        assert first.to_json() == again.to_json()
        tb = first.rounds[1]["tiebreaks"][0]
        assert tb["rule"] == "lot" and tb["seed"] == seed and tb["drawn_from"] == ["A", "B"]
        expected_loser = ["A", "B"][random.Random(seed).randrange(2)]
        assert first.rounds[1]["action"]["excluded"] == expected_loser
        winners.update(first.elected)
    assert winners == {"A", "B"}  # the lot really decides


def test_surplus_tie_look_back_orders_transfers() -> None:
    # Hand-built, 25 papers, 4 seats: quota floor(25/5)+1 = 6.
    # Stage 1: X 12 (elected), A 5, B 3, C 3, E 2.
    # Stage 2: X's surplus 6 at TV 6/12 = 0.5: A 5 + 4 x 0.5 = 7, B 3 + 8 x 0.5 = 7.
    #   A and B are both elected with equal surpluses (1 each).  Rule 49(2): the
    #   one with more votes at the most recent stage where they differed (stage 1:
    #   A 5 > B 3) goes first - and is also listed first as elected.
    # Stage 3: A's surplus 1 over 7: A's own papers TV 1/7 = 0.14285 (truncated),
    #   5 x 0.14285 = 0.71425 to C; X's papers in A's hands (value 0.5) have no
    #   further preference.  Stage 4: B's surplus.  Stage 5: E excluded, C elected.
    e = make_election("XABCE", 4, [(4, "XA"), (8, "XB"), (5, "AC"), (3, "BE"), (3, "C"), (2, "E")])
    r = count(e, "scottish-stv")
    assert r.elected == ["X", "A", "B", "C"]
    order_tb = r.rounds[1]["tiebreaks"][0]
    assert order_tb["purpose"] == "order of election" and order_tb["chosen"] == "A"
    s3 = r.rounds[2]
    assert s3["action"]["surplus_of"] == "A"
    assert s3["tiebreaks"] == [
        {"purpose": "surplus", "tied": ["A", "B"], "rule": "look-back", "round": 1, "chosen": "A"}
    ]
    assert s3["votes"]["C"] == 3.71425
    assert r.rounds[3]["action"]["surplus_of"] == "B"
    assert r.rounds[4]["action"]["excluded"] == "E"


def test_meek_differs_from_scottish_stv() -> None:
    # Hand-built (2 seats, 100 papers): 50 "A C", 25 "B", 10 "C", 15 "D A B".
    # Scottish: quota 34; A elected, surplus 16 at TV 16/50 = 0.32 -> C 26.  D
    #   (15) excluded: A is no longer continuing, so D's papers skip A and reach
    #   B at full value: B = 40 >= 34.  Elected A, B.
    # Meek: D's papers go to A, which keeps only its keep value k and passes the
    #   rest on - A now needs fewer votes from its own voters, who therefore pass
    #   more on to C.  Converged: k = q / 65 with q = 100/3, so k = 0.51282..;
    #   C = 10 + 50 (1 - k) = 34.36 >= q; B = 25 + 15 (1 - k) = 32.31.  Elected A, C.
    # This is the textbook difference: Meek never skips an elected candidate, so
    # D's supporters are treated as A-voters and share A's quota.
    e = make_election("ABCD", 2, [(50, "AC"), (25, "B"), (10, "C"), (15, "DAB")])
    assert count(e, "scottish-stv").elected == ["A", "B"]
    meek = count(e, "meek-stv")
    assert meek.elected == ["A", "C"]
    last = meek.rounds[-1]
    assert abs(last["keep_values"]["A"] - (100 / 3) / 65) < 1e-4
    assert abs(last["votes"]["C"] - (10 + 50 * (1 - (100 / 3) / 65))) < 1e-4
    assert abs(last["votes"]["B"] - (25 + 15 * (1 - (100 / 3) / 65))) < 1e-4
    assert meek.rounds[0]["quota"] == 33.333333334  # 100/3 truncated to 9 d.p. + 10**-9


def test_meek_single_seat_is_majority_irv() -> None:
    # Wikipedia "Instant-runoff voting", Tennessee capital example: Memphis 42,
    # Nashville 26, Chattanooga 15, Knoxville 17; Knoxville wins 58-42 under IRV.
    # Meek with one seat has quota = half the continuing votes, so it is IRV.
    e = make_election(
        ["Memphis", "Nashville", "Chattanooga", "Knoxville"],
        1,
        [
            (42, ["Memphis", "Nashville", "Chattanooga", "Knoxville"]),
            (26, ["Nashville", "Chattanooga", "Knoxville", "Memphis"]),
            (15, ["Chattanooga", "Knoxville", "Nashville", "Memphis"]),
            (17, ["Knoxville", "Chattanooga", "Nashville", "Memphis"]),
        ],
    )
    assert count(e, "meek-stv").elected == ["Knoxville"]
    assert count(e, "scottish-stv").elected == ["Knoxville"]


def test_withdrawn_candidates_are_skipped() -> None:
    e = make_election("ABC", 1, [(3, "BA"), (2, "A"), (2, "C")])
    e.withdrawn = frozenset({1})
    for method in ("scottish-stv", "meek-stv", "irv", "fptp", "approval"):
        r = count(e, method)
        assert r.elected == ["A"], method
        assert "B" not in r.rounds[0]["votes"]

"""What Scottish and Meek STV share: candidates hopeful (the Scottish rules' "continuing"),
elected or excluded; first preferences filed by candidate; and the round loop."""

from __future__ import annotations

from .result import Count

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~2 ms at start-up)
if TYPE_CHECKING:
    from .blt import Election
    from .result import CountResult

HOPEFUL, ELECTED, EXCLUDED = 0, 1, 2


class STVCount(Count):
    """A count by single transferable vote: rounds (:meth:`step`) until the seats are filled,
    or until the hopefuls no more than fill the seats left and are all elected without a
    further round (SSI 2007/42 rule 52, Algorithm 123 step 7).  A method keeps ``quota``."""

    quota = 0

    def __init__(self, election: Election, seats: int | None, seed: int) -> None:
        super().__init__(election, seats, seed)
        self.status = status = [HOPEFUL] * len(self.names)
        for c in election.withdrawn:
            status[c] = EXCLUDED
        # ``firsts[c]`` holds c's first-preference ballots as given (weight, ranking): no
        # copying.  A ballot naming no valid candidate is not a vote.
        self.firsts: list[list[tuple[int, tuple[int, ...]]]] = [[] for _ in status]
        firsts = self.firsts
        if election.withdrawn:
            for ballot in election.ballots:
                for c in ballot[1]:
                    if status[c] == HOPEFUL:
                        firsts[c].append(ballot)
                        break
        else:
            for ballot in election.ballots:
                if ballot[1]:
                    firsts[ballot[1][0]].append(ballot)

    def run(self) -> CountResult:
        status, seats, elected = self.status, self.seats, self.elected
        while len(elected) < seats:
            hopeful = [c for c, s in enumerate(status) if s == HOPEFUL]
            if len(hopeful) + len(elected) <= seats:
                self.elect_remaining(hopeful)
                break
            self.step(hopeful)
        return self.result(self.num(self.quota))

    def step(self, hopeful: list[int]) -> None:
        """One round, ``hopeful`` being more than fill the seats left."""
        raise NotImplementedError

    def order_remaining(self, hopeful: list[int]) -> list[int]:
        """The order in which ``hopeful`` are elected."""
        raise NotImplementedError

    def elect_remaining(self, hopeful: list[int]) -> None:
        """Elect every hopeful, noted on the last round."""
        order = self.order_remaining(hopeful)
        if self.tiebreaks:
            self.rounds[-1].setdefault("tiebreaks", []).extend(self.tiebreaks)
        for c in order:
            self.status[c] = ELECTED
        self.elected += order
        named = [self.names[c] for c in order]
        action = self.rounds[-1]["action"]
        action["elected"] = action.get("elected", []) + named
        action["elected_remaining"] = named

"""``python -m node.ballots.counting FILE.blt --method ...`` runs the tally command."""

import sys

if __name__ == "__main__":  # pragma: no cover
    from .quick import run

    if not run(sys.argv[1:]):
        from .cli import tally

        tally(prog_name="python -m node.ballots.counting")

"""``python -m node.ballots.counting FILE.blt --method ...`` runs the tally command."""

from .cli import tally

if __name__ == "__main__":  # pragma: no cover
    tally(prog_name="python -m node.ballots.counting")

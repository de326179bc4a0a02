"""A small BLT ballot file shared by the ``tally`` tests (tests/counting/).

The Food election from the STV literature: five candidates, three seats, twenty ballots. The
command-line tests feed it as it is and, edited by ``str.replace``, as each kind of bad file.
"""

from __future__ import annotations

FOOD = """5 3
4 1 0
2 2 1 0
8 3 4 0
4 3 5 0
1 4 0
1 5 0
0
"Orange"
"Pear"
"Chocolate"
"Strawberry"
"Hamburger"
"Food"
"""

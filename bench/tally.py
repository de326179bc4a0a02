"""Benchmark the vote counter against PyPI's pyrankvote.

Run: ``.venv/bin/python bench/tally.py`` (add ``--quick`` for a 10k-ballot smoke run), or
``.venv/bin/python bench/tally.py --processes`` for whole processes (below).

It builds a synthetic 100,000-ballot, 15-candidate, 3-seat election with a fixed
seed, writes it as BLT to a temporary file, and times:

(a) our count alone (ballots already parsed and grouped): Scottish STV and Meek STV;
(b) our whole path: BLT file -> parse/group -> Scottish STV (and Meek) result;
(c) pyrankvote's ``single_transferable_vote`` alone (Ballot objects pre-built);
(d) pyrankvote building its Ballot objects from the raw rankings + counting.

Each timing is the best of several runs (less noise on a shared machine); peak
Python heap is measured separately with tracemalloc so it does not distort the
timings.  The voter model: 5 parties of 3 candidates with Zipf-like popularity;
a voter's first choice follows popularity, later choices stay with the same
party 60% of the time, and ranking length is short-biased (many plump for 1-3
candidates, a few rank all 15) - roughly the shape of Scottish council data.

``--processes`` times what a person at a shell waits for instead: ``commonground tally FILE``
against a small pyrankvote script reading the same BLT file (one ``Ballot`` per voter, as in
(d); pyrankvote has no weights), each as a fresh process, alternated over several rounds so
load on a shared machine falls on both; then ``commonground --help`` and ``--version`` against
``python -c pass`` (the interpreter's own start-up). It prints best and median and the ratios.
Every child gets a fresh private byte-code cache (``PYTHONPYCACHEPREFIX``, and
``PYTHONDONTWRITEBYTECODE`` unset), filled by the untimed first run: a default Python writes
one, a wheel install ships one, and without it our modules (an editable install's source
tree) would be compiled on every run while pyrankvote's came compiled from pip.
Each table is printed twice, wall time and CPU time (user + system) of the same runs: on a
shared machine CPU time is the steadier of the two. ``--against-tree DIR`` adds a third row: ``commonground tally`` from another checkout (e.g.
``git worktree add /tmp/old <commit>``), alternated with the other two.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.ballots.counting import count, read_blt_file, write_blt
from node.ballots.counting.blt import group_ballots

NCAND, SEATS, SEED = 15, 3, 20240601


def synthetic_ballots(n: int, seed: int = SEED) -> list[tuple[int, ...]]:
    """Return ``n`` raw (ungrouped) rankings of 0-based candidate indexes."""
    rng = random.Random(seed)
    party = [c // 3 for c in range(NCAND)]
    popularity = [1.0 / (1 + rank) ** 1.1 for rank in range(NCAND)]
    rng.shuffle(popularity)
    lengths = list(range(1, NCAND + 1))
    length_weights = [30, 22, 15, 10, 7, 5, 3, 2, 1.5, 1, 1, 0.8, 0.6, 0.5, 1.6]
    ballots = []
    for _ in range(n):
        length = rng.choices(lengths, length_weights)[0]
        left = list(range(NCAND))
        weights = list(popularity)
        ranking: list[int] = []
        while len(ranking) < length:
            if ranking and rng.random() < 0.6:
                same = [i for i, c in enumerate(left) if party[c] == party[ranking[-1]]]
                if same:
                    i = rng.choices(same, [weights[j] for j in same])[0]
                    ranking.append(left.pop(i))
                    weights.pop(i)
                    continue
            i = rng.choices(range(len(left)), weights)[0]
            ranking.append(left.pop(i))
            weights.pop(i)
        ballots.append(tuple(ranking))
    return ballots


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


# ----------------------------------------------------------------------------- whole processes
COMMONGROUND = str(Path(sys.executable).parent / "commonground")
PYRANKVOTE_SCRIPT = """\
import sys

import pyrankvote

with open(sys.argv[1], encoding="utf-8-sig") as fh:
    ncand, seats = map(int, fh.readline().split())
    rankings = []
    for line in fh:
        numbers = [int(token) for token in line.split()]
        if numbers == [0]:
            break
        rankings.append((numbers[0], numbers[1:-1]))
    names = [fh.readline().strip().strip('"') for _ in range(ncand)]
candidates = [pyrankvote.Candidate(name) for name in names]
ballots = [
    pyrankvote.Ballot(ranked_candidates=[candidates[p - 1] for p in prefs])
    for weight, prefs in rankings
    for _ in range(weight)
]
result = pyrankvote.single_transferable_vote(candidates, ballots, seats)
print("elected:", ", ".join(c.name for c in result.get_winners()))
"""


CHILD_ENV: dict[str, str] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_process(argv: list[str]) -> tuple[float, float, str]:
    """Wall and CPU (user + system) time of one whole process (start-up, imports, work, exit),
    and its output. CPU time is the steadier figure on a shared machine: waiting for a core
    other processes hold is wall time only."""
    cpu0, t0 = _children_cpu(), time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=CHILD_ENV or None)
    elapsed, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if done.returncode:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr}")
    return elapsed, cpu, done.stdout


Times = dict[str, list[float]]
KINDS = ("wall", "CPU (user + system)")


def alternate(commands: dict[str, list[str]], rounds: int) -> tuple[Times, Times]:
    """Run each command once untimed (byte-code and page caches), then ``rounds`` timed rounds,
    reversing the order every other round so neither side always runs first.
    Returns wall times and CPU times."""
    names = list(commands)
    for name in names:
        run_process(commands[name])
    wall: Times = {name: [] for name in names}
    cpu: Times = {name: [] for name in names}
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            elapsed, used, _ = run_process(commands[name])
            wall[name].append(elapsed)
            cpu[name].append(used)
    return wall, cpu


def report(times: Times, title: str = "wall") -> None:
    print(f"{title:44}{'best':>10}{'median':>10}")
    for name, values in times.items():
        best, median = min(values) * 1000, statistics.median(values) * 1000
        print(f"{name:44}{best:>8.1f}ms{median:>8.1f}ms")


def ratio(times: dict[str, list[float]], slow: str, fast: str) -> str:
    med = statistics.median(times[slow]) / statistics.median(times[fast])
    best = min(times[slow]) / min(times[fast])
    return f"{med:5.1f}x (medians), {best:5.1f}x (bests)"


def tree_launcher(tree: str) -> list[str]:
    """``commonground`` from another checkout: the console script's two lines, run with -c."""
    code = (
        f"import sys; sys.path.insert(0, {str(Path(tree).resolve())!r}); "
        "sys.argv[0] = 'commonground'; from node.cli import main; sys.exit(main())"
    )
    return [sys.executable, "-c", code]


def processes(n: int, rounds: int, against: str | None = None, cache: bool = True) -> None:
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    raw = synthetic_ballots(n)
    names = [f"Candidate {chr(65 + c)}" for c in range(NCAND)]
    grouped = group_ballots((1, r) for r in raw)
    with tempfile.TemporaryDirectory() as tmp:
        if cache:
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            CHILD_ENV.update(env, PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"))
        path = Path(tmp) / "bench.blt"
        path.write_text(write_blt(names, SEATS, grouped, "Synthetic benchmark"))
        script = Path(tmp) / "pyrankvote_tally.py"
        script.write_text(PYRANKVOTE_SCRIPT)
        ours = [COMMONGROUND, "tally", str(path), "--method", "scottish-stv"]
        theirs = [sys.executable, str(script), str(path)]
        ours_name = "commonground tally (Scottish STV)"
        tally = {ours_name: ours, "pyrankvote script (its STV)": theirs}
        print(f"{n:,} ballots ({len(grouped):,} distinct rankings), {rounds} alternated rounds")
        print("  ours:       commonground tally FILE --method scottish-stv")
        print("  pyrankvote: python pyrankvote_tally.py FILE (script in bench/tally.py)")
        if against:
            print(f"  tree:       the same tally from the checkout {against}")
            tally[f"commonground tally, tree {Path(against).name}"] = [
                *tree_launcher(against),
                *ours[1:],
            ]
        if cache:
            print("  children:   a private byte-code cache, filled by one untimed run each")
        else:
            print("  children:   this environment's byte-code settings (--no-bytecode-cache)")
        print()
        for title, times in zip(KINDS, alternate(tally, rounds), strict=True):
            report(times, title)
            print(f"ratio pyrankvote/ours, whole process: {ratio(times, *list(tally)[1::-1])}")
            if against:
                other = ratio(times, list(tally)[2], ours_name)
                print(f"ratio other tree/ours, whole process: {other}")
            print()
        elected = [line.split(". ", 1)[1] for line in run_process(ours)[2].splitlines()[1:4]]
        print("elected, ours:       " + ", ".join(elected))
        print("elected, pyrankvote: " + run_process(theirs)[2].strip().removeprefix("elected: "))
        print()
        start = {
            "commonground --help": [COMMONGROUND, "--help"],
            "commonground --version": [COMMONGROUND, "--version"],
            "python -c pass": [sys.executable, "-c", "pass"],
        }
        for title, times in zip(KINDS, alternate(start, rounds * 3), strict=True):
            report(times, title)
            print(f"ratio commonground --help / python -c pass: {ratio(times, *list(start)[::2])}")
            print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 ballots, fewer repeats")
    parser.add_argument(
        "--processes", action="store_true", help="time whole processes (tally and --help)"
    )
    parser.add_argument("--rounds", type=int, default=9, help="rounds for --processes")
    parser.add_argument(
        "--against-tree", metavar="DIR", help="with --processes: also time tally from DIR"
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="with --processes: keep this environment's PYTHONDONTWRITEBYTECODE and cache paths",
    )
    args = parser.parse_args()
    n = 10_000 if args.quick else args.ballots
    if args.processes:
        rounds = 3 if args.quick else args.rounds
        processes(n, rounds, args.against_tree, cache=not args.no_bytecode_cache)
        return
    repeat_ours, repeat_theirs = (3, 1) if args.quick else (7, 3)

    import pyrankvote

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    t0 = time.perf_counter()
    raw = synthetic_ballots(n)
    names = [f"Candidate {chr(65 + c)}" for c in range(NCAND)]
    grouped = group_ballots((1, r) for r in raw)
    print(
        f"generated {n:,} ballots, {NCAND} candidates, {SEATS} seats in "
        f"{time.perf_counter() - t0:.1f}s; {len(grouped):,} distinct rankings, "
        f"mean length {sum(map(len, raw)) / n:.2f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.blt"
        path.write_text(write_blt(names, SEATS, grouped, "Synthetic benchmark"))
        print(f"BLT file: {path.stat().st_size / 1024:.0f} KiB")
        election = read_blt_file(path)

        t_parse, _ = best_of(lambda: read_blt_file(path), repeat_ours)
        t_sc, r_sc = best_of(lambda: count(election, "scottish-stv"), repeat_ours)
        t_mk, r_mk = best_of(lambda: count(election, "meek-stv"), repeat_ours)
        t_sc_all, _ = best_of(lambda: count(read_blt_file(path), "scottish-stv"), repeat_ours)
        t_mk_all, _ = best_of(lambda: count(read_blt_file(path), "meek-stv"), repeat_ours)
        mem_sc = peak_mib(lambda: count(read_blt_file(path), "scottish-stv"))
        mem_mk = peak_mib(lambda: count(read_blt_file(path), "meek-stv"))

    cands = [pyrankvote.Candidate(name) for name in names]

    def build() -> list:
        return [pyrankvote.Ballot(ranked_candidates=[cands[c] for c in r]) for r in raw]

    prv_ballots = build()
    t_prv, r_prv = best_of(
        lambda: pyrankvote.single_transferable_vote(cands, prv_ballots, SEATS), repeat_theirs
    )
    t_prv_all, _ = best_of(
        lambda: pyrankvote.single_transferable_vote(cands, build(), SEATS), repeat_theirs
    )
    mem_prv = peak_mib(lambda: pyrankvote.single_transferable_vote(cands, build(), SEATS))
    prv_elected = [c.name for c in r_prv.get_winners()]

    ms = 1000.0
    print()
    print(f"{'':44}{'time':>10}")
    print(f"{'(a) ours, Scottish STV, count only':44}{t_sc * ms:>8.1f}ms")
    print(f"{'(a) ours, Meek STV, count only':44}{t_mk * ms:>8.1f}ms")
    print(f"{'    ours, BLT parse + group only':44}{t_parse * ms:>8.1f}ms")
    print(f"{'(b) ours, BLT file -> Scottish STV result':44}{t_sc_all * ms:>8.1f}ms")
    print(f"{'(b) ours, BLT file -> Meek STV result':44}{t_mk_all * ms:>8.1f}ms")
    print(f"{'(c) pyrankvote STV, count only':44}{t_prv * ms:>8.1f}ms")
    print(f"{'(d) pyrankvote STV, build ballots + count':44}{t_prv_all * ms:>8.1f}ms")
    print()
    print(f"ratio pyrankvote/ours, count only (c/a, Scottish):   {t_prv / t_sc:6.1f}x")
    print(f"ratio pyrankvote/ours, whole path (d/b, Scottish):   {t_prv_all / t_sc_all:6.1f}x")
    print(f"ratio pyrankvote/ours, count only (c/a, Meek):       {t_prv / t_mk:6.1f}x")
    print(f"ratio Meek/Scottish, count only:                     {t_mk / t_sc:6.1f}x")
    print()
    print(
        f"peak traced Python memory: ours Scottish {mem_sc:.1f} MiB, ours Meek {mem_mk:.1f} MiB, "
        f"pyrankvote {mem_prv:.1f} MiB"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS (whole run, incl. generation): {rss:.0f} MiB")
    print()
    print(f"elected, Scottish STV: {r_sc.elected}")
    print(f"elected, Meek STV:     {r_mk.elected}")
    print(f"elected, pyrankvote:   {prv_elected} (its own STV rules, not SSI 2007/42)")


if __name__ == "__main__":
    main()

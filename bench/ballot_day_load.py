"""The voters of bench/ballot_day.py: processes of threads, each voter doing what a browser does.

A voter GETs their link (the ballot paper: a CSRF token, the receipt code offered and its
check, one ``<select>`` per candidate), POSTs the paper with "Check my vote" (``step=review``),
then POSTs the review's hidden fields with "Cast my vote" (``confirm=yes``). The vote is
accepted when that answers 201 with the receipt code the paper offered. Each voter has their own
``requests.Session`` (their own cookie, so their own CSRF token), as separate phones would.
A thread also GETs ``/healthz`` every ``healthz_every`` voters, on a session of its own, so the
probe figures come from the same moments of the same load.

The processes are spawned (not forked), so they carry nothing of the bench's own app.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import random
import statistics
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser

import requests

CANDIDATES = ("Ada", "Bea", "Cal", "Dee", "Eve")
TIMEOUT = 120  # seconds: a request slower than this is an error, not a figure


@dataclass
class Outcome:
    """One voter: accepted or why not, their receipt code and first choice, and the seconds each
    of their three requests took."""

    voter: int
    accepted: bool = False
    error: str = ""
    receipt: str = ""
    first_choice: str = ""
    page: float = 0.0
    review: float = 0.0
    cast: float = 0.0


class FormPage(HTMLParser):
    """What a browser would submit from a page's POST form, and the texts a voter reads."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.selects: list[str] = []
        self.labels: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self._label_for: str | None = None
        self._text_id: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self.selects.append(a["name"])
        elif tag == "label" and a.get("for"):
            self._label_for = a["for"]
        elif tag in ("strong", "code") and a.get("id"):  # a code shown: <strong><code id=…>
            self._text_id = a["id"]

    def handle_data(self, data: str) -> None:
        if self._label_for:
            self.labels[self._label_for] = self.labels.get(self._label_for, "") + data.strip()
        if self._text_id:
            self.texts[self._text_id] = self.texts.get(self._text_id, "") + data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_for = None
        elif tag in ("strong", "code"):
            self._text_id = None


def timed(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    response = call(*args, timeout=TIMEOUT, **kwargs)
    return response, time.perf_counter() - began


def vote(base_url: str, voter: int, path: str) -> Outcome:
    """One voter's three requests; any surprise is recorded as the voter's error."""
    outcome = Outcome(voter)
    rng = random.Random(voter)
    with requests.Session() as browser:
        try:
            page, outcome.page = timed(browser.get, base_url + path)
            if page.status_code != 200:
                outcome.error = f"paper {page.status_code}"
                return outcome
            paper = FormPage(page.text)
            offered = paper.texts.get("offered-receipt", "")
            names = [paper.labels.get(select, select) for select in paper.selects]
            ranked = rng.sample(range(len(names)), k=rng.randint(1, len(names)))
            form = {**paper.fields, **dict.fromkeys(paper.selects, ""), "step": "review"}
            for rank, index in enumerate(ranked, 1):
                form[paper.selects[index]] = str(rank)
            outcome.first_choice = names[ranked[0]]
            review, outcome.review = timed(browser.post, base_url + path, data=form)
            if review.status_code != 200 or "Check your vote" not in review.text:
                outcome.error = f"review {review.status_code}"
                return outcome
            confirm = {**FormPage(review.text).fields, "confirm": "yes"}
            cast, outcome.cast = timed(browser.post, base_url + path, data=confirm)
            outcome.receipt = FormPage(cast.text).texts.get("receipt-code", "")
            if cast.status_code != 201:
                outcome.error = f"cast {cast.status_code}"
            elif not offered or outcome.receipt != offered:
                outcome.error = "cast 201 without the offered receipt"
            else:
                outcome.accepted = True
        except requests.RequestException as exc:
            outcome.error = exc.__class__.__name__
    return outcome


def probe(base_url: str) -> tuple[float, str]:
    """Seconds a ``/healthz`` took on a new connection (as a monitor's probe), or -1 and why
    it failed. (A connection kept from the thread's last probe would often have been closed by
    the server's 5 s keep-alive by then: a browser retries that silently, ``requests`` does not.)"""
    try:
        with requests.Session() as session:
            response, seconds = timed(session.get, base_url + "/healthz")
    except requests.RequestException as exc:
        return -1.0, exc.__class__.__name__
    return (
        (seconds, "") if response.status_code == 200 else (-1.0, f"/healthz {response.status_code}")
    )


def run_process(
    base_url: str, work: list[tuple[int, str]], threads: int, healthz_every: int
) -> tuple[list[Outcome], list[tuple[float, str]]]:
    """One load process: ``threads`` threads voting through ``work``, probing as they go."""
    todo: queue.Queue[tuple[int, str]] = queue.Queue()
    for item in work:
        todo.put(item)
    outcomes: list[Outcome] = []
    health: list[tuple[float, str]] = []
    lock = threading.Lock()

    def voter_thread() -> None:
        done = 0
        while True:
            try:
                voter, path = todo.get_nowait()
            except queue.Empty:
                return
            outcome = vote(base_url, voter, path)
            done += 1
            probed = probe(base_url) if done % healthz_every == 0 else None
            with lock:
                outcomes.append(outcome)
                if probed is not None:
                    health.append(probed)

    pool = [threading.Thread(target=voter_thread) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return outcomes, health


def load(
    base_url: str, paths: list[str], processes: int, threads: int, healthz_every: int
) -> tuple[list[Outcome], list[tuple[float, str]]]:
    """Every path voted once, by ``processes`` × ``threads`` voters at a time."""
    work = list(enumerate(paths))
    shares = [work[n::processes] for n in range(processes)]
    with mp.get_context("spawn").Pool(processes) as pool:
        parts = pool.starmap(
            run_process, [(base_url, share, threads, healthz_every) for share in shares]
        )
    outcomes = [o for part, _ in parts for o in part]
    health = [h for _, part in parts for h in part]
    return outcomes, health


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 (0s when there is nothing to measure)."""
    if len(values) < 2:
        return (values[0],) * 3 if values else (0.0, 0.0, 0.0)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]

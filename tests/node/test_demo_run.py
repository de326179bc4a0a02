"""``make run`` (``commonground demo-federation``), ``demo`` and ``serve`` from a person's side:
a busy port is one sentence and nothing is seeded; a failed or cut-short seeding does not block
the next run; a second run reuses the data; Ctrl-C stops every child process.

No test sleeps: children are awaited by their output (select with a deadline) and their exit.
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "commonground"
FAIL_AT = "COMMONGROUND_TEST_DEMO_FAIL_AT"
SLUGS = ("hub", "walton", "anfield")


def run(
    instance: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args], env=environment(instance, env), text=True, capture_output=True,
        timeout=300,
    )  # fmt: skip


def environment(instance: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "COMMONGROUND_INSTANCE_PATH": str(instance), **(extra or {})}
    env.pop("COMMONGROUND_DATABASE_URL", None)
    env.pop("COMMONGROUND_DEMO_PORT", None)
    env.pop(FAIL_AT, None)
    env.update(extra or {})
    return env


def free_base(count: int = 3) -> int:
    """A port with the next ``count - 1`` ports free as well (checked by binding them)."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        held: list[socket.socket] = []
        try:
            for port in range(base, base + count):
                held.append(socket.socket())
                held[-1].bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
    raise AssertionError("no run of free ports")


def assert_one_sentence_about(result: subprocess.CompletedProcess[str], port: int) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: port {port} on 127.0.0.1 is already in use by another ")
    assert "--port N" in lines[0] and lines[0].endswith(".")


@pytest.mark.parametrize(
    "command", [["demo-federation"], ["demo-federation", "--seed-only"], ["demo"], ["serve"]]
)
def test_a_busy_port_is_one_sentence_and_nothing_is_created(
    tmp_path: Path, command: list[str]
) -> None:
    var = tmp_path / "var"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(var, *command, "--port", str(port))
    assert_one_sentence_about(result, port)
    assert not var.exists(), "nothing may be created or seeded before the ports are checked"


def test_a_busy_group_port_is_named_and_the_others_are_released(tmp_path: Path) -> None:
    var = tmp_path / "var"
    base = free_base()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", base + 2))  # anfield's port; the hub's and walton's are free
        busy.listen()
        result = run(var, "demo-federation", env={"COMMONGROUND_DEMO_PORT": str(base)})
    assert_one_sentence_about(result, base + 2)
    assert "COMMONGROUND_DEMO_PORT=N make run" in result.stderr
    assert not var.exists()
    for port in (base, base + 1):  # bound by the demo before it found the busy one, then closed
        with socket.socket() as again:
            again.bind(("127.0.0.1", port))


def read_until(process: subprocess.Popen[bytes], text: str, deadline: float = 300) -> str:
    """The child's stdout until it holds ``text`` (fails after ``deadline`` seconds). Raw reads
    of the pipe: a buffered reader could hold the line while select sees nothing new."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    seen = b""
    end = time.monotonic() + deadline
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while text.encode() not in seen:
            if not selector.select(timeout=max(0.0, end - time.monotonic())):
                raise AssertionError(f"no {text!r} within {deadline}s; got:\n{seen.decode()}")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(f"exited {process.wait()} before {text!r}:\n{seen.decode()}")
            seen += chunk
    return seen.decode()


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


@pytest.mark.slow
def test_seeding_failed_or_cut_short_is_redone_then_reused_and_ctrl_c_stops_all(
    tmp_path: Path,
) -> None:
    from node.demo import federation as demo

    var = tmp_path / "var"
    base = free_base()
    port = ["--port", str(base)]

    failed = run(var, "demo-federation", "--seed-only", *port, env={FAIL_AT: "enrolled:walton"})
    assert failed.returncode == 1
    assert "failing on purpose" in failed.stderr
    assert "The unfinished seeding was removed" in failed.stderr
    assert not any((var / slug).exists() for slug in SLUGS), "a failed seeding cleans up"

    # What a seeding cut short by kill -9 or a power cut leaves: markers and one site's data.
    sites = demo.sites(var, ports=(base, base + 1, base + 2))
    demo.mark_seeding(sites)
    demo.create_sites(sites[:1])
    assert demo.state(sites) == "unfinished"
    redone = run(var, "demo-federation", "--seed-only", *port)
    assert redone.returncode == 0, redone.stderr
    assert "Removing an unfinished seeding" in redone.stdout
    assert "Seeded: two groups enrolled" in redone.stdout
    assert demo.state(sites) == "seeded"

    again = run(var, "demo-federation", "--seed-only", *port)
    assert (again.returncode, again.stdout) == (0, f"Already seeded in {var}; nothing to do.\n")

    process = subprocess.Popen(
        [str(BIN), "demo-federation", *port], env=environment(var),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        shown = read_until(process, "sign in as officer@example.org")
        assert "Seeded" not in shown, "a second run reuses the seeded data"
        spawned = children(process.pid)
        assert len(spawned) == 6, "three servers and three workers"
        process.send_signal(signal.SIGINT)  # Ctrl-C (to the demo alone: it must stop the rest)
        assert process.wait(timeout=120) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    assert [pid for pid in spawned if Path(f"/proc/{pid}").exists()] == []
    assert demo.state(sites) == "seeded"

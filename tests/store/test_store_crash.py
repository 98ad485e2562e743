"""A process killed (SIGKILL) mid-command loses no acknowledged command and leaves nothing partial."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import store_world as world
from sqlalchemy import create_engine, select

from matchweek.soap import event_to_dict, replay
from matchweek.store import Store, schema

CHILD = Path(__file__).with_name("store_crash_child.py")


@pytest.fixture(scope="module")
def reference() -> world.ReferenceRun:
    return world.reference_run()


def run_child_and_kill(url: str, kill_after: int) -> int:
    """Start the child on ``url``, SIGKILL it once it acknowledged command ``kill_after``;
    return the last command index it acknowledged."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=CHILD.parent,
    )
    watchdog = threading.Timer(120, child.kill)  # never leave a runaway process behind
    watchdog.start()
    acknowledged = -1
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "open":
                continue
            acknowledged = int(line)
            if acknowledged >= kill_after:
                os.kill(child.pid, signal.SIGKILL)
                break
        # Acknowledgements already in the pipe count too: their commands were committed.
        for line in child.stdout:
            acknowledged = max(acknowledged, int(line))
        child.wait(timeout=30)
    finally:
        watchdog.cancel()
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""
    return acknowledged


@pytest.mark.parametrize("fraction", [0.1, 0.45, 0.8])
def test_a_killed_process_loses_no_acknowledged_command_and_leaves_nothing_partial(
    url: str, reference: world.ReferenceRun, fraction: float
) -> None:
    acknowledged = run_child_and_kill(url, int(len(reference.commands) * fraction))
    boundaries = reference.boundaries()

    with Store(url) as store:
        log = store.events()
        kept = len(log)
        # Whole commands only: the log ends where some command's events end...
        assert kept in boundaries, kept
        commands_kept = boundaries.index(kept)
        # ...and every command the killed process heard back about is there.
        assert commands_kept >= acknowledged + 1
        assert commands_kept < len(reference.commands)
        assert [event_to_dict(s.event) for s in log] == [event_to_dict(e) for e in reference.log[:kept]]
        assert store.state() == replay(s.event for s in log)
        assert store.verify_read_models() == []
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(select(schema.log_head.c.last_seq)).scalar_one() == kept
        engine.dispose()

        # The SOAP goes on from where it stopped and ends exactly as if nothing had happened.
        for command in reference.commands[commands_kept:]:
            store.execute(command, actor="after-restart")
        assert store.state() == reference.state
    with Store(url) as reopened:
        assert reopened.state() == reference.state

"""The clearinghouse clock and the schedule it drives: every step fires once, in order, on time."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import store_world as world

from matchweek.model import WeekTime
from matchweek.soap import (
    CertifyPreferenceList,
    OpenRound,
    PublishUnfilledList,
    ReleaseStatus,
    RoundClosed,
    RoundOpened,
    SoapEnded,
    StatusReleased,
    UnfilledListPublished,
)
from matchweek.store import StepKind, Store, StoreError, WeekClock

START = datetime(2025, 3, 17, 12, 0, tzinfo=UTC)


class Wall:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def t(text: str) -> WeekTime:
    return WeekTime.parse(text)


# --- the clock ------------------------------------------------------------------------------------


def test_the_clock_runs_at_its_speed_from_its_start() -> None:
    wall = Wall()
    clock = WeekClock(t("Mon 09:00"), speed=60, started_at=START, wall_clock=wall)
    assert clock.now() == t("Mon 09:00")
    wall.now = START + timedelta(seconds=90)
    assert clock.now() == t("Mon 10:30")  # 90 wall seconds at an hour a minute
    wall.now = START + timedelta(seconds=90.99)
    assert clock.now() == t("Mon 10:30")  # whole minutes only
    assert clock.speed == 60.0


def test_the_clock_is_moved_forward_never_back() -> None:
    wall = Wall()
    clock = WeekClock(t("Mon 09:00"), speed=2, started_at=START, wall_clock=wall)
    clock.set(t("Thu 08:00"))
    assert clock.now() == t("Thu 08:00")
    wall.now += timedelta(minutes=30)
    assert clock.now() == t("Thu 09:00")
    with pytest.raises(StoreError, match="never goes back"):
        clock.set(t("Thu 08:59"))
    clock.set(t("Thu 09:00"))
    assert clock.now() == t("Thu 09:00")


def test_the_clock_tells_when_a_week_time_comes_on_the_wall_clock() -> None:
    wall = Wall()
    clock = WeekClock(t("Thu 09:00"), speed=60, started_at=START, wall_clock=wall)
    assert clock.wall_time_of(t("Thu 11:00")) == START + timedelta(minutes=2)
    assert clock.wall_time_of(t("Thu 08:00")) == START - timedelta(minutes=1)
    real_time = WeekClock(t("Thu 09:00"), started_at=START, wall_clock=wall)
    assert real_time.wall_time_of(t("Thu 11:00")) == START + timedelta(hours=2)


@pytest.mark.parametrize("speed", [0, -1, float("nan"), float("inf")])
def test_the_clock_refuses_a_speed_that_is_not_positive(speed: float) -> None:
    with pytest.raises(StoreError, match="positive"):
        WeekClock(t("Mon 00:00"), speed=speed)


def test_a_naive_start_moment_is_taken_as_utc() -> None:
    wall = Wall()
    clock = WeekClock(t("Mon 00:00"), started_at=START.replace(tzinfo=None), wall_clock=wall)
    assert clock.now() == t("Mon 00:00")


# --- the schedule -----------------------------------------------------------------------------------


def fired(events: list) -> list[tuple[str, int]]:
    return [(type(s.event).__name__, s.event.at.minutes) for s in events if hasattr(s.event, "at")]


def test_tick_fires_each_step_once_at_its_time(url: str) -> None:
    wall = Wall()
    clock = WeekClock(t("Mon 09:00"), speed=1, started_at=START, wall_clock=wall)
    with Store(url, clock=clock) as store:
        assert store.tick() == []  # nothing before SOAP starts
        assert store.schedule() == ()
        store.execute(world.start_command(), actor="operator")
        assert store.tick() == []  # status goes out at 10:00

        clock.set(t("Mon 10:00"))
        assert fired(store.tick()) == [("StatusReleased", t("Mon 10:00").minutes)]
        assert store.tick() == []

        clock.set(t("Thu 09:30"))
        events = store.tick()
        assert fired(events) == [
            ("UnfilledListPublished", t("Mon 11:00").minutes),
            ("RoundOpened", t("Thu 09:00").minutes),
        ]
        assert all(s.actor == "clock" for s in events)
        assert store.tick() == []
        steps = {(s.kind, s.round): s.done for s in store.schedule()}
        assert steps[(StepKind.REVIEW_START, None)] and steps[(StepKind.ROUND_OPENS, 1)]
        assert not steps[(StepKind.ROUND_CLOSES, 1)] and not steps[(StepKind.SOAP_END, None)]

        clock.set(t("Fri 08:00"))
        rest = store.tick(actor="timer")
        assert [name for name, _ in fired(rest)] == [
            "RoundClosed",
            "RoundOpened",
            "RoundClosed",
            "RoundOpened",
            "RoundClosed",
            "RoundOpened",
            "RoundClosed",
            "SoapEnded",
        ]
        r1, r2, r3, r4 = world.ROUNDS
        assert [at for _, at in fired(rest)] == [
            w.minutes
            for w in (r1.closes, r2.opens, r2.closes, r3.opens, r3.closes, r4.opens, r4.closes, world.END_AT)
        ]
        assert {s.actor for s in rest} == {"timer"}
        assert store.tick() == []
        assert all(step.done for step in store.schedule())
        counts = Counter(type(s.event) for s in store.events())
        assert counts[StatusReleased] == counts[UnfilledListPublished] == counts[SoapEnded] == 1
        assert counts[RoundOpened] == counts[RoundClosed] == 4


def test_a_step_taken_by_hand_is_not_taken_again(url: str) -> None:
    wall = Wall()
    clock = WeekClock(t("Mon 10:05"), speed=1, started_at=START, wall_clock=wall)
    with Store(url, clock=clock) as store:
        store.execute(world.start_command(), actor="operator")
        store.execute(ReleaseStatus(t("Mon 10:05")), actor="operator")
        store.execute(PublishUnfilledList(t("Mon 10:05").plus(55)), actor="operator")
        assert store.tick() == []
        clock.set(t("Thu 09:00"))
        store.execute(OpenRound(t("Thu 09:00"), 1), actor="operator")
        clock.set(t("Thu 11:00"))
        assert [type(s.event) for s in store.tick()] == [RoundClosed]
        assert sum(isinstance(s.event, RoundOpened) for s in store.events()) == 1


def test_ticks_from_many_threads_fire_each_step_once(url: str) -> None:
    wall = Wall()
    clock = WeekClock(t("Mon 09:00"), speed=1, started_at=START, wall_clock=wall)
    with Store(url, clock=clock) as store:
        store.execute(world.start_command(), actor="operator")
        clock.set(t("Thu 16:00"))  # status, list, rounds 1 and 2, round 3 opening all due
        barrier = threading.Barrier(8)
        errors: list[BaseException] = []

        def tick() -> None:
            barrier.wait()
            try:
                store.tick()
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=tick) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        kinds = [type(s.event).__name__ for s in store.events()]
        assert kinds == [
            "SoapStarted",
            "StatusReleased",
            "UnfilledListPublished",
            "RoundOpened",
            "RoundClosed",
            "RoundOpened",
            "RoundClosed",
            "RoundOpened",
        ]


def test_a_whole_week_runs_in_seconds_on_a_fast_clock(url: str) -> None:
    # 300,000 week minutes per wall minute: Monday 09:59 to Thursday 21:00 in about a second.
    clock = WeekClock(t("Mon 09:59"), speed=300_000)
    with Store(url, clock=clock) as store:
        store.execute(world.start_command(), actor="operator")
        deadline = time.monotonic() + 30
        while not store.state().ended and time.monotonic() < deadline:
            store.tick()
            time.sleep(0.005)
        assert store.state().ended
        kinds = [type(s.event) for s in store.events()]
        assert kinds.count(RoundOpened) == kinds.count(RoundClosed) == 4
        closing = [s.event.at for s in store.events() if isinstance(s.event, RoundClosed)]
        assert closing == [r.closes for r in world.ROUNDS]


def test_a_clock_behind_the_log_is_moved_up_to_it_on_start(url: str) -> None:
    wall = Wall()
    with Store(url, clock=WeekClock(t("Thu 10:00"), started_at=START, wall_clock=wall)) as store:
        store.execute(world.start_command(), actor="operator")
        store.tick()
    behind = WeekClock(t("Mon 00:00"), started_at=START, wall_clock=wall)
    with Store(url, clock=behind) as store:
        assert behind.now() == t("Thu 09:00")  # the last recorded time: round 1 opened
        assert store.state().round_open


def test_a_schedule_the_rules_no_longer_allow_is_refused_clearly(url: str) -> None:
    wall = Wall()
    clock = WeekClock(t("Mon 09:00"), speed=1, started_at=START, wall_clock=wall)
    with Store(url, clock=clock) as store:
        store.execute(world.start_command(), actor="operator")
        clock.set(t("Mon 11:00"))
        store.tick()
        # A list certified after round 1 was due to close, with round 1 never opened.
        store.execute(CertifyPreferenceList(t("Thu 11:30"), "P01", ()), actor="program-P01")
        clock.set(t("Thu 11:30"))
        with pytest.raises(StoreError, match=r"schedule cannot go on at Thu 11:30: .*round_too_late"):
            store.tick()


def test_steps_are_stamped_no_earlier_than_the_last_recorded_time(url: str) -> None:
    wall = Wall()
    clock = WeekClock(t("Mon 09:00"), speed=1, started_at=START, wall_clock=wall)
    with Store(url, clock=clock) as store:
        store.execute(world.start_command(), actor="operator")
        clock.set(t("Mon 11:00"))
        store.tick()
        store.execute(CertifyPreferenceList(t("Thu 09:10"), "P01", ()), actor="program-P01")
        clock.set(t("Thu 11:00"))
        events = [s.event for s in store.tick()]
        assert [(type(e), e.at) for e in events if hasattr(e, "at")] == [
            (RoundOpened, t("Thu 09:10")),
            (RoundClosed, t("Thu 11:00")),
        ]

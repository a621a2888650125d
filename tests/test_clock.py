from datetime import UTC, datetime

import pytest

from mockswarms.clock import Clock, ClockState, format_timestamp, parse_instant


class FakeWall:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_frozen_clock_stays_put_and_advances_on_request() -> None:
    wall = FakeWall(1000.0)
    clock = Clock(parse_instant("2026-03-01T12:00:00Z"), wall=wall)
    wall.t += 500
    assert clock.isoformat() == "2026-03-01T12:00:00.000000+00:00"
    clock.advance(61.5)
    assert clock.isoformat() == "2026-03-01T12:01:01.500000+00:00"
    assert clock.frozen


def test_running_clock_follows_wall_plus_offset() -> None:
    wall = FakeWall(1_000_000.0)
    clock = Clock(wall=wall)
    clock.advance(10)
    wall.t += 5
    assert clock.timestamp() == 1_000_015.0
    clock.set(datetime(2026, 1, 1, tzinfo=UTC))
    wall.t += 2
    assert clock.timestamp() == datetime(2026, 1, 1, tzinfo=UTC).timestamp() + 2


def test_freeze_unfreeze_and_reset() -> None:
    wall = FakeWall(100.0)
    start = parse_instant("2026-01-01T00:00:00Z")
    clock = Clock(start, wall=wall)
    clock.advance(30)
    clock.unfreeze()
    wall.t += 10
    assert clock.timestamp() == start.timestamp() + 40
    clock.freeze()
    wall.t += 10
    assert clock.timestamp() == start.timestamp() + 40
    clock.reset()
    assert clock.now() == start


def test_clock_refuses_to_go_backwards() -> None:
    with pytest.raises(ValueError):
        Clock(wall=FakeWall(0)).advance(-1)


def test_state_round_trips_through_json() -> None:
    clock = Clock(parse_instant("2026-05-05T05:05:05Z"), wall=FakeWall(0))
    other = Clock(wall=FakeWall(0))
    other.load(ClockState.from_json(clock.state.to_json()))
    assert other.now() == clock.now()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T12:00:00Z", "2026-03-01T12:00:00.000000+00:00"),
        ("2026-03-01T12:00:00", "2026-03-01T12:00:00.000000+00:00"),
        ("2026-03-01T04:00:00-08:00", "2026-03-01T12:00:00.000000+00:00"),
    ],
)
def test_parse_instant_normalises_to_utc(text: str, expected: str) -> None:
    assert format_timestamp(parse_instant(text)) == expected


def test_parse_instant_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        parse_instant("yesterday")


def test_isoformat_spells_each_instant_as_datetime_does() -> None:
    """The per-second cached spelling equals ``format_timestamp(datetime.fromtimestamp(t, UTC))``,
    microsecond rounding (half to even, carried into the seconds) included."""
    import random
    from datetime import UTC, datetime

    from mockswarms.clock import _isoformat, format_timestamp

    rng = random.Random(7)
    instants = [rng.uniform(-2e9, 4e9) for _ in range(50_000)]
    instants += [rng.randint(0, 2_000_000_000) + f for f in (0.0, 0.5e-6, 1.5e-6, 0.9999995, 0.9999996)]
    instants += [-1.5, -0.0000005, 0.0]
    for instant in instants:
        assert _isoformat(instant) == format_timestamp(datetime.fromtimestamp(instant, tz=UTC)), instant


def test_a_running_clock_reads_a_new_instant_each_time() -> None:
    from mockswarms.clock import Clock

    ticks = iter([100.0, 100.25, 100.25, 101.0])
    clock = Clock(wall=lambda: next(ticks))
    assert clock.isoformat() == "1970-01-01T00:01:40.000000+00:00"
    assert clock.isoformat() == "1970-01-01T00:01:40.250000+00:00"
    assert clock.now().isoformat() == "1970-01-01T00:01:40.250000+00:00"
    assert clock.naive_isoformat() == "1970-01-01T00:01:41.000000"

"""Edges of the core that the Home Assistant tests do not reach on their own."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.in_home_delivery.core import lockout as lockout_module
from custom_components.in_home_delivery.core.codes import CodesUsedUpError, code_hash, new_secret, trivial
from custom_components.in_home_delivery.core.guests import Guest, Schedule, ScheduleError, schedule_error
from custom_components.in_home_delivery.core.lockout import Lockout
from custom_components.in_home_delivery.core.openings import StreetDoorOpenings, opening_key
from custom_components.in_home_delivery.core.passes import Delivery, PassDenial

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def test_delivery_too_late_after_the_grace() -> None:
    """A courier an hour late with 15 minutes of grace is refused as too late."""
    delivery = Delivery(
        pass_id="d", token_hash="h", window_start=NOW - timedelta(hours=3), window_end=NOW - timedelta(hours=1)
    )
    assert delivery.denial(NOW, timedelta(minutes=15)) is PassDenial.TOO_LATE
    assert delivery.denial(NOW, timedelta(hours=2)) is None


def test_rrule_window_ending_where_the_range_starts_is_left_out() -> None:
    """A window that ends exactly when the asked range starts does not overlap it."""
    schedule = Schedule(
        rrule="FREQ=DAILY;BYHOUR=9", duration=timedelta(hours=1), anchor=datetime(2026, 1, 1, tzinfo=BERLIN)
    )
    start = datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN)
    windows = list(schedule.windows(BERLIN, start, start + timedelta(hours=23, minutes=30)))
    assert windows == [
        (
            datetime(2026, 11, 25, 9, 0, tzinfo=BERLIN).astimezone(UTC),
            datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN).astimezone(UTC),
        )
    ]


def test_rule_sets_are_refused() -> None:
    """Only a single RRULE is a schedule; a set with EXDATE is a clear error."""
    schedule = Schedule(rrule="RRULE:FREQ=DAILY\nEXDATE:20261201T090000", duration=timedelta(hours=1))
    assert schedule_error(schedule, BERLIN, NOW, None, None) is ScheduleError.BAD_RRULE


def test_windows_are_clipped_to_the_validity() -> None:
    """A pass valid from 10:30 shows the 9-12 window from 10:30."""
    guest = Guest(
        pass_id="g",
        token_hash="h",
        name="Maria",
        schedule=Schedule(weekdays=("tue",), start_time=time(9), end_time=time(12)),
        valid_from=datetime(2026, 11, 24, 10, 30, tzinfo=BERLIN),
    )
    ((start, end),) = guest.windows(
        BERLIN, datetime(2026, 11, 24, tzinfo=BERLIN), datetime(2026, 11, 25, tzinfo=BERLIN)
    )
    assert start == datetime(2026, 11, 24, 10, 30, tzinfo=BERLIN)
    assert end == datetime(2026, 11, 24, 12, tzinfo=BERLIN)


def test_lockout_expires_and_memory_stays_bounded(monkeypatch) -> None:
    """A block ends after 15 minutes; a flood from very many addresses keeps a bounded table."""
    monkeypatch.setattr(lockout_module, "MAX_TRACKED_ADDRESSES", 100)
    lockout = Lockout()
    for _ in range(10):
        lockout.record_failure("192.0.2.1", NOW)
    assert lockout.is_blocked("192.0.2.1", NOW + timedelta(minutes=14))
    assert not lockout.is_blocked("192.0.2.1", NOW + timedelta(minutes=16))
    assert "192.0.2.1" not in lockout.blocked_until
    for _ in range(10):
        lockout.record_failure("192.0.2.2", NOW)
        lockout.record_failure("192.0.2.3", NOW + timedelta(minutes=19))
    for number in range(1000):
        lockout.record_failure(f"10.0.{number // 256}.{number % 256}", NOW + timedelta(minutes=20))
    assert len(lockout.failures) <= 100
    assert "10.0.3.231" in lockout.failures  # the most recent stays
    assert "192.0.2.2" not in lockout.blocked_until  # its block ran out long ago
    assert lockout.is_blocked("192.0.2.3", NOW + timedelta(minutes=20))  # this one still holds


def test_lockout_stays_within_its_caps_in_a_huge_flood() -> None:
    """300,000 failures from 30,000 addresses in ten minutes: every table stays within its cap.

    Half the addresses fail ten times in a row (each is blocked), half take turns (each is tracked).
    """
    lockout = Lockout()
    largest = (0, 0, 0)
    for step in range(150_000):
        when = NOW + timedelta(milliseconds=step * 4)
        burst = f"10.1.{step // 10 // 256}.{step // 10 % 256}"
        lockout.record_failure(burst, when)
        turn = f"10.2.{step % 15_000 // 256}.{step % 15_000 % 256}"
        lockout.record_failure(turn, when)
        if step % 1000 == 0:
            largest = tuple(max(pair) for pair in zip(largest, lockout.size, strict=True))
    failures, blocked, buckets = largest
    assert failures == lockout_module.MAX_TRACKED_ADDRESSES
    assert blocked == lockout_module.MAX_BLOCKED_ADDRESSES
    assert buckets <= 11
    assert all(len(attempts) < lockout_module.MAX_FAILURES for attempts in lockout.failures.values())
    assert lockout.is_blocked("10.1.58.151", NOW + timedelta(minutes=10))  # the newest blocks hold


def test_old_failures_are_forgotten() -> None:
    """Nine failures, a quiet quarter of an hour, one more: no block."""
    lockout = Lockout()
    for _ in range(9):
        lockout.record_failure("192.0.2.9", NOW)
    lockout.record_failure("192.0.2.9", NOW + timedelta(minutes=15))
    assert not lockout.is_blocked("192.0.2.9", NOW + timedelta(minutes=15))


def test_street_door_counts_per_window_forget_windows_long_over() -> None:
    """Each window of a pass counts apart; a window a day past its end is forgotten; the store round trips."""
    today = (NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    tomorrow = (today[0] + timedelta(days=1), today[1] + timedelta(days=1))
    openings = StreetDoorOpenings()
    assert openings.add(opening_key("g", today), today, NOW) == 1
    assert openings.add(opening_key("g", today), today, NOW) == 2
    assert openings.count(opening_key("g", tomorrow)) == 0
    assert StreetDoorOpenings.from_dict(openings.as_dict()) == openings
    openings.add(opening_key("g", tomorrow), tomorrow, tomorrow[1] + timedelta(hours=2))
    assert openings.count(opening_key("g", today)) == 0
    assert openings.count(opening_key("g", tomorrow)) == 1


def test_codes_of_a_length_run_out_with_an_error() -> None:
    """Once every code of the length was given, asking for one more is an error, never an endless search."""
    every = {code_hash(f"{number:04d}") for number in range(10_000)}
    with pytest.raises(CodesUsedUpError):
        new_secret(4, taken=(), issued=every)
    half = {code_hash(f"{number:04d}") for number in range(5_000)}
    fresh = new_secret(4, taken=(), issued=half)
    assert int(fresh) >= 5_000
    assert not trivial(fresh)

"""Property: for random weekly schedules and instants, a guest pass opens exactly inside its windows.

The oracle reads the instant on the home's wall clock (weekday and time of day), independently of how
the core expands windows. Instants within two hours of a daylight-saving change are left out: there
the wall clock repeats or skips, and the examples in test_guests.py pin the behaviour down instead.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings, strategies as st

from custom_components.in_home_delivery.core.guests import WEEKDAYS, Guest, Schedule
from custom_components.in_home_delivery.core.passes import PassDenial

ZONES = [ZoneInfo(name) for name in ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC")]
times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)).map(  # noqa: DTZ001
    lambda naive: naive.replace(tzinfo=UTC)
)


def in_window_on_the_wall_clock(instant: datetime, zone: ZoneInfo, days: set[int], start: time, end: time) -> bool:
    """Whether the home's clock shows a time inside one of the weekly windows."""
    local = instant.astimezone(zone)
    now, weekday = local.time(), local.weekday()
    if start < end:
        return weekday in days and start <= now < end
    return (weekday in days and now >= start) or ((weekday - 1) % 7 in days and now < end)


@settings(max_examples=3000, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    days=st.sets(st.integers(0, 6), min_size=1),
    start=times,
    end=times,
    instant=instants,
)
def test_valid_exactly_inside_the_windows(
    zone: ZoneInfo, days: set[int], start: time, end: time, instant: datetime
) -> None:
    """denial() is None exactly when the wall clock is inside a window."""
    assume(start != end)
    assume(
        (instant - timedelta(hours=2)).astimezone(zone).utcoffset()
        == (instant + timedelta(hours=2)).astimezone(zone).utcoffset()
    )
    guest = Guest(
        pass_id="g",
        token_hash="h",
        name="Guest",
        schedule=Schedule(weekdays=tuple(WEEKDAYS[day] for day in sorted(days)), start_time=start, end_time=end),
    )
    expected = in_window_on_the_wall_clock(instant, zone, days, start, end)
    denial = guest.denial(instant, zone)
    assert (denial is None) == expected
    if not expected:
        assert denial is PassDenial.OUTSIDE_WINDOW
    windows = list(guest.windows(zone, instant - timedelta(days=8), instant + timedelta(days=8)))
    assert any(window_start <= instant < window_end for window_start, window_end in windows) == expected

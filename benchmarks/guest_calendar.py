"""How long the guest_access calendar takes to answer a month across 200 guests.

Run: .venv/bin/python benchmarks/guest_calendar.py
It builds 200 guests (half weekly with several weekdays, a quarter overnight, a quarter RRULE), then
asks the calendar's expansion for November 2026 in Europe/Berlin, many times, and prints the figures.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
import statistics
import sys
import time as clock
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.in_home_delivery.calendar import guest_events
from custom_components.in_home_delivery.core.guests import WEEKDAYS, Guest, Schedule
from homeassistant.util import dt as dt_util

ZONE = ZoneInfo("Europe/Berlin")
GUESTS = 200
RUNS = 50


def make_guests() -> list[Guest]:
    """A household with many helpers."""
    guests = []
    for number in range(GUESTS):
        if number % 4 == 3:
            schedule = Schedule(
                rrule=f"FREQ=WEEKLY;INTERVAL={1 + number % 3};BYDAY={WEEKDAYS[number % 7][:2].upper()};BYHOUR=9",
                duration=timedelta(hours=3),
                anchor=datetime(2026, 1, 1, tzinfo=ZONE),
            )
        elif number % 4 == 2:
            schedule = Schedule(weekdays=("fri", "sat"), start_time=time(22), end_time=time(6))
        else:
            days = tuple(WEEKDAYS[(number + offset) % 7] for offset in range(1 + number % 5))
            schedule = Schedule(weekdays=days, start_time=time(8 + number % 8), end_time=time(12 + number % 8))
        guests.append(Guest(pass_id=f"guest{number}", token_hash="x", name=f"Guest {number}", schedule=schedule))
    return guests


def main() -> None:
    """Time the month query."""
    dt_util.set_default_time_zone(ZONE)
    guests = make_guests()
    start, end = datetime(2026, 11, 1, tzinfo=ZONE), datetime(2026, 12, 1, tzinfo=ZONE)
    events = guest_events(guests, start, end)
    timings = []
    for _ in range(RUNS):
        began = clock.perf_counter()
        guest_events(guests, start, end)
        timings.append((clock.perf_counter() - began) * 1000)
    timings.sort()
    print(f"guests: {GUESTS}, events in November 2026: {len(events)}, runs: {RUNS}")
    print(
        f"median: {statistics.median(timings):.1f} ms, p95: {timings[int(RUNS * 0.95) - 1]:.1f} ms, max: {timings[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()

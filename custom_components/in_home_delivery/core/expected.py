"""Expected deliveries read from the sources people already run: calendars, package trackers, counters.

Each source entity is read into the deliveries it expects now, each under a key of its own
(`<entity_id>|<item>`), so that reading it again updates, adds and cancels exactly its deliveries.
Nothing here touches Home Assistant: the data is read, checked, and turned into windows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property
import math
from typing import Protocol

from .guests import WEEKDAYS, Schedule, local

DEFAULT_DELIVERY_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat")
DEFAULT_DELIVERY_FROM = time(8)
DEFAULT_DELIVERY_UNTIL = time(20)
# At most this many trackings are read from one reading; the rest is not read (and said once).
MAX_ITEMS = 100
MAX_TEXT = 200  # a tracking number, name or carrier longer than this is no parcel's
# AfterShip's tag for a parcel on the van (its sensor passes the tag on as `status`).
OUT_FOR_DELIVERY = frozenset({"outfordelivery", "out_for_delivery", "out for delivery"})
# AfterShip's tags for a parcel that no driver brings today: delivered, failed, held, returned or lost.
NO_DRIVER = frozenset({"delivered", "exception", "expired", "availableforpickup", "attemptfail"})
# AfterShip's tags for a parcel on its way: expected on the day it is due. Any other status is not
# understood: its tracking is skipped, and keeps what it had.
ON_ITS_WAY = frozenset({"", "pending", "inforeceived", "intransit"})


@dataclass(frozen=True, kw_only=True)
class Expected:
    """A delivery a source expects."""

    key: str
    carrier: str | None
    window_start: datetime
    window_end: datetime
    tracking_number: str | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class Reading:
    """What one reading of a source says: the deliveries it expects now, and what became of the others.

    A source's delivery that is not expected any more is gone from the source (and cancelled unless
    used), except where the reading could not say: an item it could not read keeps what it had
    (kept), and a reading that was not read to its end (complete False) takes away only what it
    says no driver brings (settled).
    """

    expected: list[Expected]
    kept: frozenset[str] = frozenset()
    settled: frozenset[str] = frozenset()
    complete: bool = True
    problems: list[str] = field(default_factory=list)

    @cached_property
    def expected_keys(self) -> frozenset[str]:
        """The keys of what the source expects."""
        return frozenset(item.key for item in self.expected)

    def is_gone(self, key: str) -> bool:
        """Whether the source's delivery under this key has left the source."""
        if key in self.kept or key in self.expected_keys:
            return False
        return self.complete or key in self.settled


def delivery_hours(days: Iterable[str] | None, start: time | None, end: time | None) -> Schedule:
    """The entrance's delivery hours (Mon to Sat, 08:00 to 20:00 unless set)."""
    chosen = tuple(day for day in (days or DEFAULT_DELIVERY_DAYS) if day in WEEKDAYS)
    return Schedule(
        weekdays=chosen or DEFAULT_DELIVERY_DAYS,
        start_time=start or DEFAULT_DELIVERY_FROM,
        end_time=end or DEFAULT_DELIVERY_UNTIL,
    )


def hours_on(hours: Schedule, day: date, tz: tzinfo, *, any_weekday: bool = False) -> tuple[datetime, datetime]:
    """The delivery hours of one day (whatever its weekday where any_weekday), as UTC instants."""
    assert hours.start_time is not None  # noqa: S101 - delivery hours always have both times
    assert hours.end_time is not None  # noqa: S101
    if not any_weekday:
        start_of_day = local(day, time(0), tz)
        for window in hours.windows(tz, start_of_day, local(day + timedelta(days=1), time(0), tz)):
            if window[0].astimezone(tz).date() == day:
                return window
        raise LookupError(day)
    end_day = day + timedelta(days=1) if hours.end_time <= hours.start_time else day
    return local(day, hours.start_time, tz), local(end_day, hours.end_time, tz)


def today_window(hours: Schedule, now: datetime, tz: tzinfo) -> tuple[datetime, datetime] | None:
    """Today's delivery hours while they have not ended; None on a day without deliveries or after them."""
    try:
        start, end = hours_on(hours, now.astimezone(tz).date(), tz)
    except LookupError:
        return None
    return (start, end) if end > now else None


def parcel_count(state: str) -> float:
    """A counting sensor's state as a count of parcels.

    Raises ValueError, with what is wrong, for text, nan, infinity or a count below zero: such a
    reading says nothing (the caller keeps what the sensor expected, and logs once).
    """
    try:
        count = float(state)
    except ValueError:
        raise ValueError(f"its state {state[:20]!r} is not a number") from None
    if math.isnan(count):
        raise ValueError(f"its state {state[:20]!r} is not a number")
    if math.isinf(count):
        raise ValueError(f"its state {state[:20]!r} is not a count of parcels")
    if count < 0:
        raise ValueError("its state is below zero")
    return count


def from_counter(entity_id: str, state: str, carrier: str, hours: Schedule, now: datetime, tz: tzinfo) -> Reading:
    """A sensor counting parcels out for delivery: one delivery of its carrier today while above zero.

    Raises ValueError for a state that is no count (the caller keeps what it had and logs once).
    """
    count = parcel_count(state)
    window = today_window(hours, now, tz)
    if count == 0 or window is None:
        return Reading(expected=[])
    day = now.astimezone(tz).date().isoformat()
    return Reading(
        expected=[
            Expected(key=f"{entity_id}|{day}", carrier=carrier or None, window_start=window[0], window_end=window[1])
        ]
    )


def from_trackings(entity_id: str, trackings: object, hours: Schedule, now: datetime, tz: tzinfo) -> Reading:
    """An AfterShip-shaped `trackings` list: every parcel out for delivery (or due today) today.

    Raises ValueError when trackings is not a list (the caller keeps what it had and logs once). Of
    a list, the first MAX_ITEMS items are read. The problems are those of items that were skipped: no
    tracking number, a status AfterShip does not know, a date that is not one, not a mapping; an item
    with a tracking number that could not be read keeps what it had, as do the items not read.
    """
    if not isinstance(trackings, list):
        raise ValueError("trackings is not a list")
    today = now.astimezone(tz).date()
    window = today_window(hours, now, tz)
    found: list[Expected] = []
    kept: set[str] = set()
    settled: set[str] = set()
    problems: list[str] = []
    if len(trackings) > MAX_ITEMS:
        problems.append(f"more than {MAX_ITEMS} trackings, only the first {MAX_ITEMS} are read")
    for item in trackings[:MAX_ITEMS]:
        number = _text(item.get("tracking_number")) if isinstance(item, Mapping) else None
        if not isinstance(item, Mapping) or not number:
            problems.append("a tracking without a tracking number")
            continue
        key = f"{entity_id}|{number}|{today.isoformat()}"
        status = (_text(item.get("status")) or "").casefold()
        if status in NO_DRIVER:
            settled.add(key)
            continue
        if status not in OUT_FOR_DELIVERY and status not in ON_ITS_WAY:
            problems.append(f"tracking {number[-4:]}: unknown status {status[:20]!r}")
            kept.add(key)
            continue
        due = _date(item.get("expected_delivery"), tz)
        if due is False:
            problems.append(f"tracking {number[-4:]}: expected_delivery is not a date")
            if status not in OUT_FOR_DELIVERY:
                kept.add(key)  # it might be due today: whatever it had stays
                continue
        if (status in OUT_FOR_DELIVERY or due == today) and window is not None:
            slug, name = _text(item.get("slug")), _text(item.get("name"))
            found.append(
                Expected(
                    key=key,
                    carrier=slug.upper() if slug else None,
                    window_start=window[0],
                    window_end=window[1],
                    tracking_number=number,
                    description=name if name and name != number else None,
                )
            )
    return Reading(
        expected=found,
        kept=frozenset(kept),
        settled=frozenset(settled),
        complete=len(trackings) <= MAX_ITEMS,
        problems=problems,
    )


def _text(value: object) -> str | None:
    """A short text field of a tracking (a number stands for its digits); None for anything else."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text if 0 < len(text) <= MAX_TEXT else None


def _date(value: object, tz: tzinfo) -> date | None | bool:
    """A tracking's expected delivery as a local date; None when it has none, False when unreadable.

    Unreadable is also a date at the edge of the calendar that has no local date (year 1 or 9999).
    """
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.astimezone(tz).date() if parsed.tzinfo else parsed.date()
    except ValueError, OverflowError:
        return False


class CalendarItem(Protocol):
    """A calendar's event, as Home Assistant's calendars give it."""

    @property
    def uid(self) -> str | None:
        """The event's id in its calendar."""

    @property
    def recurrence_id(self) -> str | None:
        """Which of a recurring event's instances it is."""

    @property
    def summary(self) -> str:
        """Its title: the carrier."""

    @property
    def description(self) -> str | None:
        """Its notes."""

    @property
    def start(self) -> datetime | date:
        """When it starts (a date: all day)."""

    @property
    def end(self) -> datetime | date:
        """When it ends."""


def from_calendar_events(entity_id: str, events: Sequence[CalendarItem], hours: Schedule, tz: tzinfo) -> Reading:
    """A calendar's events, each a delivery (the first MAX_ITEMS of them read); those that cannot be are skipped.

    An event without a title names no carrier and expects nothing; one whose times cannot be read
    (at the edge of the calendar) keeps what it had, as do the events after the first MAX_ITEMS.
    """
    found: list[Expected] = []
    kept: set[str] = set()
    problems: list[str] = []
    if len(events) > MAX_ITEMS:
        problems.append(f"more than {MAX_ITEMS} events, only the first {MAX_ITEMS} are read")
    for event in events[:MAX_ITEMS]:
        if not event.summary:
            problems.append("an event without a title (the carrier)")
            continue
        try:
            found.append(from_calendar_event(entity_id, event, hours, tz))
        except ValueError, OverflowError:
            problems.append("an event whose times are not dates")
            if key := _uid_key(entity_id, event):
                kept.add(key)
    return Reading(expected=found, kept=frozenset(kept), complete=len(events) <= MAX_ITEMS, problems=problems)


def from_calendar_event(entity_id: str, event: CalendarItem, hours: Schedule, tz: tzinfo) -> Expected:
    """A calendar event: summary as carrier, its times as window (an all-day event: that day's delivery hours).

    Raises OverflowError (or ValueError) for times that have no place on the calendar in UTC.
    """
    start, end = event.start, event.end
    if isinstance(start, datetime):
        assert isinstance(end, datetime)  # noqa: S101 - a timed event ends at a time
        window_start, window_end = start.astimezone(UTC), end.astimezone(UTC)
    else:
        window_start, window_end = hours_on(hours, start, tz, any_weekday=True)
    return Expected(
        key=_uid_key(entity_id, event) or f"{entity_id}|{event.summary}|{window_start.isoformat()}",
        carrier=event.summary.strip() or None,
        window_start=window_start,
        window_end=window_end,
        description=event.description or None,
    )


def _uid_key(entity_id: str, event: CalendarItem) -> str | None:
    """An event's key by its uid (and instance); None for an event without uid (keyed by title and start)."""
    return f"{entity_id}|{event.uid}|{event.recurrence_id or ''}" if event.uid else None

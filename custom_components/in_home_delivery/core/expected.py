"""Expected deliveries read from the sources people already run: calendars, package trackers, counters.

Each source entity is read into the deliveries it expects now, each under a key of its own
(`<entity_id>|<item>`), so that reading it again updates, adds and cancels exactly its deliveries.
Nothing here touches Home Assistant: the data is read, checked, and turned into windows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from .guests import WEEKDAYS, Schedule, local

DEFAULT_DELIVERY_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat")
DEFAULT_DELIVERY_FROM = time(8)
DEFAULT_DELIVERY_UNTIL = time(20)
# AfterShip's tag for a parcel on the van (its sensor passes the tag on as `status`).
OUT_FOR_DELIVERY = frozenset({"outfordelivery", "out_for_delivery", "out for delivery"})
DELIVERED = frozenset({"delivered"})
# AfterShip's other tags; a status that is none of these is not understood, and its tracking is skipped.
OTHER_STATUSES = frozenset(
    {"", "pending", "inforeceived", "intransit", "attemptfail", "availableforpickup", "exception", "expired"}
)


@dataclass(frozen=True, kw_only=True)
class Expected:
    """A delivery a source expects."""

    key: str
    carrier: str | None
    window_start: datetime
    window_end: datetime
    tracking_number: str | None = None
    description: str | None = None


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


def from_counter(
    entity_id: str, state: str, carrier: str, hours: Schedule, now: datetime, tz: tzinfo
) -> list[Expected]:
    """A sensor counting parcels out for delivery: one delivery of its carrier today while above zero.

    Raises ValueError for a state that is not a number (the caller keeps what it had and logs once).
    """
    count = float(state)
    window = today_window(hours, now, tz)
    if count <= 0 or window is None:
        return []
    day = now.astimezone(tz).date().isoformat()
    return [Expected(key=f"{entity_id}|{day}", carrier=carrier or None, window_start=window[0], window_end=window[1])]


def from_trackings(
    entity_id: str, trackings: object, hours: Schedule, now: datetime, tz: tzinfo
) -> tuple[list[Expected], list[str]]:
    """An AfterShip-shaped `trackings` list: every parcel out for delivery (or due today) today.

    Returns the deliveries and the problems of items that were skipped (no tracking number, a status
    AfterShip does not know, a date that is not one, not a mapping).
    """
    if not isinstance(trackings, list):
        return [], ["trackings is not a list"]
    today = now.astimezone(tz).date()
    window = today_window(hours, now, tz)
    found: list[Expected] = []
    problems: list[str] = []
    for item in trackings:
        if not isinstance(item, Mapping) or not (number := str(item.get("tracking_number") or "").strip()):
            problems.append("a tracking without a tracking number")
            continue
        status = str(item.get("status") or "").strip().casefold()
        if status in DELIVERED:
            continue
        if status not in OUT_FOR_DELIVERY and status not in OTHER_STATUSES:
            problems.append(f"tracking {number[-4:]}: unknown status {status[:20]!r}")
            continue
        due = _date(item.get("expected_delivery"), tz)
        if due is False:
            problems.append(f"tracking {number[-4:]}: expected_delivery is not a date")
        if (status in OUT_FOR_DELIVERY or due == today) and window is not None:
            slug = item.get("slug")
            found.append(
                Expected(
                    key=f"{entity_id}|{number}|{today.isoformat()}",
                    carrier=str(slug).upper() if slug else None,
                    window_start=window[0],
                    window_end=window[1],
                    tracking_number=number,
                    description=str(item["name"]) if item.get("name") and item.get("name") != number else None,
                )
            )
    return found, problems


def _date(value: object, tz: tzinfo) -> date | None | bool:
    """A tracking's expected delivery as a local date; None when it has none, False when unreadable."""
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return False
    return parsed.astimezone(tz).date() if parsed.tzinfo else parsed.date()


def from_calendar_event(
    entity_id: str,
    *,
    uid: str | None,
    recurrence_id: str | None,
    summary: str,
    description: str | None,
    start: datetime | date,
    end: datetime | date,
    hours: Schedule,
    tz: tzinfo,
) -> Expected:
    """A calendar event: summary as carrier, its times as window (an all-day event: that day's delivery hours)."""
    if isinstance(start, datetime):
        assert isinstance(end, datetime)  # noqa: S101 - a timed event ends at a time
        window_start, window_end = start.astimezone(UTC), end.astimezone(UTC)
    else:
        window_start, window_end = hours_on(hours, start, tz, any_weekday=True)
    item = f"{uid}|{recurrence_id or ''}" if uid else f"{summary}|{window_start.isoformat()}"
    return Expected(
        key=f"{entity_id}|{item}",
        carrier=summary.strip() or None,
        window_start=window_start,
        window_end=window_end,
        description=description or None,
    )

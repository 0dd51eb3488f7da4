"""Guest passes: a named person with recurring windows in the home's local time.

A schedule is either weekdays with a start and end time (an end at or before the start runs overnight
into the next day) or an RFC 5545 RRULE with a duration. Windows are expanded on demand, never stored.
Local wall-clock times stay right across daylight-saving changes because each window is built from a
local date and time in the home's zone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from dateutil.rrule import rrule, rrulestr

from .passes import PassDenial

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DURATION = timedelta(days=7)


class GuestStatus(StrEnum):
    """Where a guest pass stands."""

    ACTIVE = "active"
    SUSPENDED = "suspended"  # paused by the owner: opens nothing until resumed
    EXPIRED = "expired"
    REVOKED = "revoked"


class ScheduleError(StrEnum):
    """Why a guest's schedule is refused; each is a translated error."""

    NO_SCHEDULE = "guest_no_schedule"
    TWO_SCHEDULES = "guest_two_schedules"
    UNKNOWN_WEEKDAY = "guest_unknown_weekday"
    EMPTY_WINDOW = "guest_empty_window"
    BAD_RRULE = "guest_bad_rrule"
    TOO_OFTEN = "guest_rrule_too_often"  # windows more often than hourly: too many to expand
    NEVER_OCCURS = "guest_never_occurs"
    BAD_DURATION = "guest_bad_duration"
    VALIDITY_REVERSED = "guest_validity_reversed"


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """When a guest may come: weekly (weekdays, start, end) or by RRULE with a duration."""

    weekdays: tuple[str, ...] = ()
    start_time: time | None = None
    end_time: time | None = None
    rrule: str | None = None
    duration: timedelta | None = None
    anchor: datetime | None = None  # DTSTART of the RRULE, in the home's zone

    def windows(self, tz: tzinfo, range_start: datetime, range_end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Every window that overlaps [range_start, range_end), in order, as UTC instants."""
        if self.rrule is not None:
            yield from self._rrule_windows(tz, range_start, range_end)
        else:
            yield from self._weekly_windows(tz, range_start, range_end)

    def _weekly_windows(
        self, tz: tzinfo, range_start: datetime, range_end: datetime
    ) -> Iterator[tuple[datetime, datetime]]:
        if self.start_time is None or self.end_time is None:
            return  # never stored so (schedule_error refuses it); a damaged row opens nothing
        days = {WEEKDAYS.index(day) for day in self.weekdays}
        overnight = self.end_time <= self.start_time
        day = range_start.astimezone(tz).date() - timedelta(days=1)
        last = range_end.astimezone(tz).date()
        while day <= last:
            if day.weekday() in days:
                start = local(day, self.start_time, tz)
                end = local(day + timedelta(days=1) if overnight else day, self.end_time, tz)
                if end > range_start and start < range_end:
                    yield start, end
            day += timedelta(days=1)

    def _rrule_windows(
        self, tz: tzinfo, range_start: datetime, range_end: datetime
    ) -> Iterator[tuple[datetime, datetime]]:
        if self.duration is None:
            return  # never stored so (schedule_error refuses it); a damaged row opens nothing
        rule = parse_rrule(self, tz)
        # The rule runs in local wall-clock time (naive), so 09:00 stays 09:00 across DST changes.
        after = (range_start - self.duration).astimezone(tz).replace(tzinfo=None)
        before = range_end.astimezone(tz).replace(tzinfo=None)
        for occurrence in rule.between(after, before, inc=True):
            start = occurrence.replace(tzinfo=tz).astimezone(UTC)
            end = (occurrence + self.duration).replace(tzinfo=tz).astimezone(UTC)
            if end > range_start and start < range_end:
                yield start, end


def local(day: date, at: time, tz: tzinfo) -> datetime:
    """A local wall-clock time as a UTC instant; a time skipped by a DST change moves forward by the gap."""
    # Through UTC and back: a time that does not exist (spring forward) becomes the real instant after the gap.
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def parse_rrule(schedule: Schedule, tz: tzinfo) -> rrule:
    """The schedule's RRULE, anchored at its DTSTART in local wall-clock time."""
    anchor = (schedule.anchor or datetime(2000, 1, 1, tzinfo=tz)).astimezone(tz).replace(tzinfo=None)
    # UNTIL is read as the home's wall-clock time too (a trailing Z is ignored).
    rule = rrulestr(str(schedule.rrule).removeprefix("RRULE:"), dtstart=anchor, forceset=False, ignoretz=True)
    if not isinstance(rule, rrule):
        raise TypeError("not a single RRULE")
    return rule


def schedule_error(
    schedule: Schedule, tz: tzinfo, now: datetime, valid_from: datetime | None, valid_until: datetime | None
) -> ScheduleError | None:
    """Check a schedule before it is stored."""
    weekly = bool(schedule.weekdays) or schedule.start_time is not None or schedule.end_time is not None
    if weekly and schedule.rrule is not None:
        return ScheduleError.TWO_SCHEDULES
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        return ScheduleError.VALIDITY_REVERSED
    if schedule.rrule is None:
        if not schedule.weekdays or schedule.start_time is None or schedule.end_time is None:
            return ScheduleError.NO_SCHEDULE
        if any(day not in WEEKDAYS for day in schedule.weekdays):
            return ScheduleError.UNKNOWN_WEEKDAY
        if schedule.start_time == schedule.end_time:
            return ScheduleError.EMPTY_WINDOW
        return _never_occurs(schedule, tz, now, valid_from, valid_until)
    if schedule.duration is None or not timedelta(0) < schedule.duration <= MAX_DURATION:
        return ScheduleError.BAD_DURATION
    try:
        rule = parse_rrule(schedule, tz)
    except ValueError, TypeError:
        return ScheduleError.BAD_RRULE
    if any(f"FREQ={often}" in str(rule) for often in ("MINUTELY", "SECONDLY")):
        return ScheduleError.TOO_OFTEN
    return _never_occurs(schedule, tz, now, valid_from, valid_until)


def _never_occurs(
    schedule: Schedule, tz: tzinfo, now: datetime, valid_from: datetime | None, valid_until: datetime | None
) -> ScheduleError | None:
    """NEVER_OCCURS where no window opens from now (or valid_from) until valid_until (or five years on)."""
    horizon = valid_until or now + timedelta(days=366 * 5)
    if next(schedule.windows(tz, max(now, valid_from or now), horizon), None) is None:
        return ScheduleError.NEVER_OCCURS
    return None


@dataclass(frozen=True, kw_only=True)
class GuestTerms:
    """What the owner sets for a guest: a name, when they may come, and the limits."""

    name: str
    schedule: Schedule
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    max_uses: int | None = None
    max_visit: timedelta | None = None


@dataclass(frozen=True, kw_only=True)
class Guest:
    """A person the household trusts with recurring access."""

    pass_id: str
    token_hash: str
    name: str
    schedule: Schedule
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    max_uses: int | None = None
    uses: int = 0
    max_visit: timedelta | None = None
    revoked: bool = False
    suspended: bool = False  # paused by the owner (the switch): kept, but opens nothing
    last_used: datetime | None = None  # when a visit of the guest last began
    listed: bool = False  # shown as a subentry of the entrance once; gone from there means removed

    kind = "guest"

    @property
    def label(self) -> str:
        """The guest's name."""
        return self.name

    def status(self, now: datetime) -> GuestStatus:
        """Active, suspended, expired (over, or all uses spent) or revoked."""
        if self.revoked:
            return GuestStatus.REVOKED
        if (self.valid_until is not None and now >= self.valid_until) or (
            self.max_uses is not None and self.uses >= self.max_uses
        ):
            return GuestStatus.EXPIRED
        return GuestStatus.SUSPENDED if self.suspended else GuestStatus.ACTIVE

    def open_for_use(self, now: datetime) -> bool:
        """Whether the pass can still be used or renewed (a suspended one: once resumed)."""
        return self.status(now) in (GuestStatus.ACTIVE, GuestStatus.SUSPENDED)

    def windows(self, tz: tzinfo, range_start: datetime, range_end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The guest's windows in a range, clipped to the pass's validity."""
        start = max(range_start, self.valid_from) if self.valid_from else range_start
        end = min(range_end, self.valid_until) if self.valid_until else range_end
        if start >= end:
            return
        for window_start, window_end in self.schedule.windows(tz, start, end):
            # Each window overlaps [start, end), so clipping it to the validity leaves it non-empty.
            yield max(window_start, self.valid_from or window_start), min(window_end, self.valid_until or window_end)

    def current_or_next_window(self, now: datetime, tz: tzinfo) -> tuple[datetime, datetime] | None:
        """The window open now, else the next one within a year."""
        return next(self.windows(tz, now, now + timedelta(days=366)), None)

    # The interface every kind of pass has (see passindex.Pass).
    recurring = True  # a guest's page greets the guest by name
    detail = None

    def open_at(self, now: datetime) -> bool:
        """Whether the pass can still be used or renewed."""
        return self.open_for_use(now)

    def status_at(self, now: datetime) -> str:
        """The status as list_passes shows it."""
        return self.status(now).value

    def window_at(self, now: datetime, tz: tzinfo) -> tuple[datetime, datetime] | None:
        """The window open now, else the next one: what the page shows."""
        return self.current_or_next_window(now, tz)

    def started(self) -> Guest:
        """A visit began: a use is counted only when it ends."""
        return self

    def after_visit(self, *, entered: bool, unlock_failed: bool) -> Guest:
        """Its visit ended: a visit in which the guest went in counts as one use."""
        return guest_after_visit(self, entered=entered)

    def closed(self) -> Guest:
        """Revoked."""
        return replace(self, revoked=True)

    def used(self, now: datetime) -> Guest:
        """A visit of the guest began now."""
        return replace(self, last_used=now)

    def forgettable(self, horizon: datetime) -> bool:
        """Guests are kept until removed by hand."""
        return False

    def as_dict(self) -> dict[str, object]:
        """As the pass database keeps it."""
        return guest_as_dict(self)

    def denial(self, now: datetime, tz: tzinfo) -> PassDenial | None:
        """Why the pass does not open the door now, or None when it does."""
        status = self.status(now)
        if status is GuestStatus.REVOKED:
            return PassDenial.REVOKED
        if status is GuestStatus.EXPIRED:
            return PassDenial.USED if self.valid_until is None or now < self.valid_until else PassDenial.TOO_LATE
        if status is GuestStatus.SUSPENDED:
            return PassDenial.SUSPENDED
        if self.valid_from is not None and now < self.valid_from:
            return PassDenial.TOO_EARLY
        if next(self.windows(tz, now, now + timedelta(microseconds=1)), None) is None:
            return PassDenial.OUTSIDE_WINDOW
        return None


def guest_after_visit(guest: Guest, *, entered: bool) -> Guest:
    """A visit in which the guest went in counts as one use."""
    return replace(guest, uses=guest.uses + 1) if entered else guest


def guest_as_dict(guest: Guest) -> dict[str, object]:
    """Return the guest as JSON-ready data for the store (the token only as its hash)."""
    schedule = guest.schedule

    def iso(value: datetime | time | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "kind": guest.kind,
        "pass_id": guest.pass_id,
        "token_hash": guest.token_hash,
        "name": guest.name,
        "weekdays": list(schedule.weekdays),
        "start_time": iso(schedule.start_time),
        "end_time": iso(schedule.end_time),
        "rrule": schedule.rrule,
        "duration": schedule.duration.total_seconds() if schedule.duration else None,
        "anchor": iso(schedule.anchor),
        "valid_from": iso(guest.valid_from),
        "valid_until": iso(guest.valid_until),
        "max_uses": guest.max_uses,
        "uses": guest.uses,
        "max_visit": guest.max_visit.total_seconds() if guest.max_visit else None,
        "revoked": guest.revoked,
        "suspended": guest.suspended,
        "last_used": iso(guest.last_used),
        "listed": guest.listed,
    }


def guest_from_dict(data: Mapping[str, object]) -> Guest:
    """Read a guest back from the store."""

    def when(key: str) -> datetime | None:
        value = data.get(key)
        return datetime.fromisoformat(value) if isinstance(value, str) else None

    def at(key: str) -> time | None:
        value = data.get(key)
        return time.fromisoformat(value) if isinstance(value, str) else None

    def seconds(key: str) -> timedelta | None:
        value = data.get(key)
        return timedelta(seconds=float(value)) if isinstance(value, int | float) else None

    weekdays = data.get("weekdays")
    max_uses = data.get("max_uses")
    return Guest(
        pass_id=str(data["pass_id"]),
        token_hash=str(data["token_hash"]),
        name=str(data["name"]),
        schedule=Schedule(
            weekdays=tuple(str(day) for day in weekdays) if isinstance(weekdays, list) else (),
            start_time=at("start_time"),
            end_time=at("end_time"),
            rrule=None if data.get("rrule") is None else str(data["rrule"]),
            duration=seconds("duration"),
            anchor=when("anchor"),
        ),
        valid_from=when("valid_from"),
        valid_until=when("valid_until"),
        max_uses=max_uses if isinstance(max_uses, int) else None,
        uses=int(str(data.get("uses", 0))),
        max_visit=seconds("max_visit"),
        revoked=bool(data.get("revoked")),
        suspended=bool(data.get("suspended")),
        last_used=when("last_used"),
        listed=bool(data.get("listed")),
    )

"""Carrier passes: one standing link per carrier, opening only for a delivery expected from it.

A carrier pass has no window of its own. It stands for the deliveries expected from its carrier
(matched by name, case-insensitive; `*` for any carrier): while one of them has its window open, the
link opens the door once for it, and the visit is that delivery's. Optional hours narrow it further.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum

from .guests import Schedule
from .passes import PassDenial

ANY_CARRIER = "*"


class CarrierStatus(StrEnum):
    """Where a carrier pass stands."""

    ACTIVE = "active"
    SUSPENDED = "suspended"  # paused by the owner: opens nothing until resumed
    REVOKED = "revoked"


@dataclass(frozen=True, kw_only=True)
class Carrier:
    """A standing link for one carrier's drivers."""

    pass_id: str
    token_hash: str
    name: str
    hours: Schedule | None = None  # weekly; None: whenever a delivery is expected
    revoked: bool = False
    suspended: bool = False  # paused by the owner (the switch): kept, but opens nothing
    uses: int = 0  # visits it let in
    last_used: datetime | None = None  # when a visit it let in last began
    listed: bool = False  # shown as a subentry of the entrance once; gone from there means removed

    kind = "carrier"

    @property
    def label(self) -> str:
        """How the pass is named to the owner."""
        return self.name

    @property
    def status(self) -> CarrierStatus:
        """Active until removed; suspended while the owner pauses it."""
        if self.revoked:
            return CarrierStatus.REVOKED
        return CarrierStatus.SUSPENDED if self.suspended else CarrierStatus.ACTIVE

    @property
    def open_for_use(self) -> bool:
        """Whether the link can still be used or renewed."""
        return not self.revoked

    # The interface every kind of pass has (see passindex.Pass).
    recurring = False
    detail = None

    @property
    def max_visit(self) -> timedelta | None:
        """No visit of it is shorter than the entrance's maximum."""
        return None

    def open_at(self, now: datetime) -> bool:
        """Whether the link can still be used or renewed."""
        return self.open_for_use

    def status_at(self, now: datetime) -> str:
        """The status as list_passes shows it."""
        return self.status.value

    def window_at(self, now: datetime, tz: tzinfo) -> tuple[datetime, datetime] | None:
        """A carrier's link has no window of its own: it serves the deliveries of its carrier."""
        return None

    def started(self) -> Carrier:
        """A visit it let in is the delivery's: the link itself does not change."""
        return self

    def after_visit(self, *, entered: bool, unlock_failed: bool) -> Carrier:
        """The same: the delivery's pass changes, not the link."""
        return self

    def closed(self) -> Carrier:
        """Revoked."""
        return replace(self, revoked=True)

    def used(self, now: datetime) -> Carrier:
        """It let a delivery's visit in now."""
        return replace(self, uses=self.uses + 1, last_used=now)

    def forgettable(self, horizon: datetime) -> bool:
        """Carrier links are kept until removed by hand."""
        return False

    def as_dict(self) -> dict[str, object]:
        """As the pass database keeps it."""
        return carrier_as_dict(self)

    def matches(self, carrier: str | None) -> bool:
        """Whether a delivery of this carrier (as named by its source) is one this link stands for."""
        if self.name.strip() == ANY_CARRIER:
            return True
        return carrier is not None and carrier.strip().casefold() == self.name.strip().casefold()

    def denial(self, now: datetime, tz: tzinfo) -> PassDenial | None:
        """Why the link opens nothing now, whatever is expected (None: it may, for an expected delivery)."""
        if self.revoked:
            return PassDenial.REVOKED
        if self.suspended:
            return PassDenial.SUSPENDED
        if self.hours is not None and next(self.hours.windows(tz, now, now + timedelta(microseconds=1)), None) is None:
            return PassDenial.OUTSIDE_WINDOW
        return None


def carrier_as_dict(carrier: Carrier) -> dict[str, object]:
    """Return the carrier pass as JSON-ready data for the store (the token only as its hash)."""
    hours = carrier.hours
    return {
        "kind": carrier.kind,
        "pass_id": carrier.pass_id,
        "token_hash": carrier.token_hash,
        "name": carrier.name,
        "weekdays": list(hours.weekdays) if hours else None,
        "start_time": hours.start_time.isoformat() if hours and hours.start_time else None,
        "end_time": hours.end_time.isoformat() if hours and hours.end_time else None,
        "revoked": carrier.revoked,
        "suspended": carrier.suspended,
        "uses": carrier.uses,
        "last_used": carrier.last_used.isoformat() if carrier.last_used else None,
        "listed": carrier.listed,
    }


def carrier_from_dict(data: Mapping[str, object]) -> Carrier:
    """Read a carrier pass back from the store."""
    weekdays, start, end = data.get("weekdays"), data.get("start_time"), data.get("end_time")
    hours = None
    if isinstance(weekdays, list) and isinstance(start, str) and isinstance(end, str):
        hours = Schedule(
            weekdays=tuple(str(day) for day in weekdays),
            start_time=time.fromisoformat(start),
            end_time=time.fromisoformat(end),
        )
    return Carrier(
        pass_id=str(data["pass_id"]),
        token_hash=str(data["token_hash"]),
        name=str(data["name"]),
        hours=hours,
        revoked=bool(data.get("revoked")),
        suspended=bool(data.get("suspended")),
        uses=int(str(data.get("uses") or 0)),
        last_used=datetime.fromisoformat(last_used) if isinstance(last_used := data.get("last_used"), str) else None,
        listed=bool(data.get("listed")),
    )

"""Where a guest's or carrier's access stands now: what its device shows the owner.

A guest is `in_window` while one of its windows is open, else `outside_window`. A carrier's link has
no window of its own: it is `in_window` while a delivery of that carrier can be let in now, else
`active` (waiting for one). Any of them may instead be `suspended` (paused by the owner), `expired`
(over, or every use spent) or `revoked`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from .carriers import Carrier, CarrierStatus
from .door import pass_denial
from .guests import Guest, GuestStatus
from .passes import Delivery


class Standing(StrEnum):
    """The state of a guest's or carrier's access sensor."""

    ACTIVE = "active"
    IN_WINDOW = "in_window"
    OUTSIDE_WINDOW = "outside_window"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUSPENDED = "suspended"


def standing(item: Guest | Carrier, now: datetime, grace: timedelta, tz: tzinfo, delivery: Delivery | None) -> Standing:
    """Where the access stands now; delivery is the one a carrier's link would serve now (None: none)."""
    status = item.status(now) if isinstance(item, Guest) else item.status
    match status:
        case GuestStatus.REVOKED | CarrierStatus.REVOKED:
            return Standing.REVOKED
        case GuestStatus.EXPIRED:
            return Standing.EXPIRED
        case GuestStatus.SUSPENDED | CarrierStatus.SUSPENDED:
            return Standing.SUSPENDED
    opens = pass_denial(item, now, grace, tz, delivery) is None
    if isinstance(item, Carrier):
        return Standing.IN_WINDOW if opens else Standing.ACTIVE
    return Standing.IN_WINDOW if opens else Standing.OUTSIDE_WINDOW


@dataclass(frozen=True, kw_only=True)
class PassStanding:
    """What a guest's or carrier's device shows: where its access stands, its uses, its last use."""

    state: Standing
    uses: int
    last_used: datetime | None
    suspended: bool

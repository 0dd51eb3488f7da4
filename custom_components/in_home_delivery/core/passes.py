"""Passes: what lets someone in. Deliveries here; guests in guests.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

MAX_DELIVERY_WINDOW = timedelta(hours=24)


class DeliveryStatus(StrEnum):
    """Where a delivery stands."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    MISSED = "missed"
    CANCELLED = "cancelled"
    FAILED = "failed"


class PassDenial(StrEnum):
    """Why a valid token still does not open the door now (HTTP 403)."""

    TOO_EARLY = "too_early"
    TOO_LATE = "too_late"
    USED = "used"
    REVOKED = "revoked"
    OUTSIDE_WINDOW = "outside_window"
    NO_DELIVERY_EXPECTED = "no_delivery_expected"  # a carrier link while nothing is expected from it
    SUSPENDED = "suspended"  # a guest's or carrier's link the owner paused


class WindowError(StrEnum):
    """Why a delivery window is refused; each is a translated error."""

    END_BEFORE_START = "window_end_before_start"
    OVER = "window_over"
    TOO_LONG = "window_too_long"


def window_error(start: datetime, end: datetime, now: datetime) -> WindowError | None:
    """Check a delivery window before it is stored."""
    if end <= start:
        return WindowError.END_BEFORE_START
    if end <= now:
        return WindowError.OVER
    if end - start > MAX_DELIVERY_WINDOW:
        return WindowError.TOO_LONG
    return None


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """A one-time pass for a courier, valid inside its window plus the grace period."""

    pass_id: str
    token_hash: str
    window_start: datetime
    window_end: datetime
    carrier: str | None = None
    description: str | None = None
    tracking_number: str | None = None
    status: DeliveryStatus = DeliveryStatus.SCHEDULED
    source: str | None = None  # what made it: "<entity_id>|<key>" for an expected-delivery source

    kind = "delivery"

    @property
    def title(self) -> str:
        """The carrier, else the description (a calendar event's title)."""
        return self.carrier or self.description or "Delivery"

    @property
    def label(self) -> str:
        """How the pass is named to the owner and on the bus: "DHL, parcel 00340…" where it has a number."""
        return f"{self.title}, parcel {self.tracking_number}" if self.tracking_number else self.title

    @property
    def open_for_use(self) -> bool:
        """Whether the delivery can still be used or changed."""
        return self.status in (DeliveryStatus.SCHEDULED, DeliveryStatus.IN_PROGRESS)

    def denial(self, now: datetime, grace: timedelta) -> PassDenial | None:
        """Why the pass does not open the door now, or None when it does."""
        if self.status is DeliveryStatus.CANCELLED:
            return PassDenial.REVOKED
        if self.status is not DeliveryStatus.SCHEDULED:
            return PassDenial.USED
        if now < self.window_start - grace:
            return PassDenial.TOO_EARLY
        if now > self.window_end + grace:
            return PassDenial.TOO_LATE
        return None

    # The interface every kind of pass has (see passindex.Pass); the shell never asks which kind it holds.
    recurring = False  # a delivery's page names the entrance, not a person

    @property
    def max_visit(self) -> timedelta | None:
        """No visit of it is shorter than the entrance's maximum."""
        return None

    @property
    def detail(self) -> str | None:
        """What the courier's page shows under the title: the carrier."""
        return self.carrier

    def open_at(self, now: datetime) -> bool:
        """Whether the delivery can still be used, changed or renewed."""
        return self.open_for_use

    def status_at(self, now: datetime) -> str:
        """The status as list_passes shows it."""
        return self.status.value

    def window_at(self, now: datetime, tz: tzinfo) -> tuple[datetime, datetime] | None:
        """The window its page shows."""
        return self.window_start, self.window_end

    def started(self) -> Delivery:
        """A visit of it began (from scheduled only: a cancelled one stays cancelled)."""
        return replace(self, status=DeliveryStatus.IN_PROGRESS) if self.status is DeliveryStatus.SCHEDULED else self

    def after_visit(self, *, entered: bool, unlock_failed: bool) -> Delivery:
        """Its visit ended."""
        return delivery_after_visit(self, entered=entered, unlock_failed=unlock_failed)

    def closed(self) -> Delivery:
        """Cancelled: its link opens nothing any more."""
        return replace(self, status=DeliveryStatus.CANCELLED)

    def used(self, now: datetime) -> Delivery:
        """A visit of it began: its status tells (started)."""
        return self

    def forgettable(self, horizon: datetime) -> bool:
        """Whether it ended (used, missed, cancelled, failed) before the horizon and may be forgotten."""
        return self.status in FINISHED_STATUSES and self.window_end < horizon

    def as_dict(self) -> dict[str, object]:
        """As the pass database keeps it."""
        return delivery_as_dict(self)


FINISHED_STATUSES = frozenset(
    {DeliveryStatus.COMPLETED, DeliveryStatus.MISSED, DeliveryStatus.CANCELLED, DeliveryStatus.FAILED}
)


def delivery_as_dict(delivery: Delivery) -> dict[str, object]:
    """Return the delivery as JSON-ready data for the store (the token only as its hash)."""
    return {
        "kind": delivery.kind,
        "pass_id": delivery.pass_id,
        "token_hash": delivery.token_hash,
        "window_start": delivery.window_start.isoformat(),
        "window_end": delivery.window_end.isoformat(),
        "carrier": delivery.carrier,
        "description": delivery.description,
        "tracking_number": delivery.tracking_number,
        "status": delivery.status.value,
        "source": delivery.source,
    }


def delivery_from_dict(data: Mapping[str, object]) -> Delivery:
    """Read a delivery back from the store."""

    def text(key: str) -> str | None:
        value = data.get(key)
        return None if value is None else str(value)

    return Delivery(
        pass_id=str(data["pass_id"]),
        token_hash=str(data["token_hash"]),
        window_start=datetime.fromisoformat(str(data["window_start"])),
        window_end=datetime.fromisoformat(str(data["window_end"])),
        carrier=text("carrier"),
        description=text("description"),
        tracking_number=text("tracking_number"),
        status=DeliveryStatus(str(data["status"])),
        source=text("source"),
    )


def delivery_after_visit(delivery: Delivery, *, entered: bool, unlock_failed: bool) -> Delivery:
    """The delivery once its visit ended: used when someone went in, usable again when nobody did.

    Only a delivery whose visit is under way changes: one cancelled meanwhile stays cancelled, one
    already used stays used (a visit resumed after a restart never makes it usable again).
    """
    if delivery.status is not DeliveryStatus.IN_PROGRESS:
        return delivery
    if unlock_failed:
        return replace(delivery, status=DeliveryStatus.FAILED)
    if entered:
        return replace(delivery, status=DeliveryStatus.COMPLETED)
    return replace(delivery, status=DeliveryStatus.SCHEDULED)

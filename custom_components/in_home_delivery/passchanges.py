"""What the owner changes in the pass book: deliveries, guests and carrier links made, changed or revoked.

Each change is on disk before the owner is answered (a token only then).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .const import DOMAIN
from .core.carriers import Carrier
from .core.guests import MAX_DURATION, Guest, GuestTerms, Schedule, schedule_error
from .core.passes import (
    Delivery,
    DeliveryStatus,
    window_error,
)
from .core.passindex import Pass, PassIndex
from .core.tokens import hash_token, new_token
from .entrance import Announcer

MAX_NAME = 200  # a guest's or carrier's name


def validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    """A translated error for bad input."""
    return ServiceValidationError(translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders)


class PassBookParts:
    """What the pass book's parts share; declared for the type checker, set up by PassBook."""

    hass: HomeAssistant
    entry: ConfigEntry
    entrance: Announcer
    grace: timedelta
    _index: PassIndex
    _unsub_missed: CALLBACK_TYPE | None

    if TYPE_CHECKING:

        def get(self, pass_id: str) -> Pass:
            """Return a pass, or raise a translated error."""

        async def _async_store(self, item: Pass) -> None:
            """Write a new or changed pass before answering."""

        def _keep(self, *items: Pass, removed: tuple[str, ...] = ()) -> None:
            """Change passes now; each opens nothing until its change is on disk."""

        def _schedule_missed_check(self) -> None:
            """Look for missed windows at the next scheduled end."""


class OwnerChanges(PassBookParts):
    """The owner's changes of passes; a part of PassBook."""

    async def async_schedule_delivery(
        self,
        *,
        window_start: datetime,
        window_end: datetime,
        carrier: str | None = None,
        description: str | None = None,
        tracking_number: str | None = None,
        source: str | None = None,
    ) -> tuple[Delivery, str | None]:
        """Create a delivery; return it and its token (shown this once).

        Idempotent per tracking number: a delivery with the same tracking number is updated instead
        (a missed one is expected again in its new window) and returned without a token, so any
        automation may call this on every shipping e-mail. One already delivered stays as it is.
        """
        window_start, window_end = dt_util.as_utc(window_start), dt_util.as_utc(window_end)
        tracking_number = (tracking_number or "").strip() or None
        if error := window_error(window_start, window_end, dt_util.utcnow()):
            raise validation_error(error.value)
        if tracking_number and (known := self._index.by_tracking(tracking_number)) is not None:
            return await self._async_expect_again(
                known, window_start, window_end, carrier=carrier or None, description=description or None
            ), None
        token = new_token()
        delivery = Delivery(
            pass_id=ulid_now(),
            token_hash=hash_token(token),
            window_start=window_start,
            window_end=window_end,
            carrier=carrier or None,
            description=description or None,
            tracking_number=tracking_number,
            source=source,
        )
        await self._async_store(delivery)
        return delivery, token

    async def _async_expect_again(
        self, known: Delivery, window_start: datetime, window_end: datetime, **fields: str | None
    ) -> Delivery:
        """The same parcel announced again: a new window for a delivery not used yet."""
        if known.status not in (DeliveryStatus.SCHEDULED, DeliveryStatus.MISSED, DeliveryStatus.FAILED):
            return known  # in progress, delivered, or cancelled by the owner: nothing changes
        updated = replace(
            known,
            window_start=window_start,
            window_end=window_end,
            status=DeliveryStatus.SCHEDULED,
            **{key: value for key, value in fields.items() if value is not None},
        )
        if updated != known:
            await self._async_store(updated)
        return updated

    async def async_add_carrier(
        self, *, name: str, hours: Schedule | None = None, listed: bool = False
    ) -> tuple[Carrier, str]:
        """Create a carrier's standing link; return it and its token (shown this once).

        listed: it already has a subentry (made again from one); else it is listed once it is on disk.
        """
        token = new_token()
        carrier = self._checked_carrier(
            Carrier(pass_id=ulid_now(), token_hash=hash_token(token), name=name, listed=listed), hours
        )
        await self._async_store(carrier)
        return carrier, token

    async def async_change_carrier(self, pass_id: str, *, name: str, hours: Schedule | None = None) -> Carrier:
        """Change which carrier a link stands for, or its hours; the link stays the same."""
        if (carrier := self._index.carrier(pass_id)) is None or carrier.revoked:
            raise validation_error("unknown_pass", pass_id=pass_id)
        changed = self._checked_carrier(replace(carrier, name=name), hours)
        if changed != carrier:
            await self._async_store(changed)
        return changed

    @staticmethod
    def _checked_carrier(carrier: Carrier, hours: Schedule | None) -> Carrier:
        """The carrier's link with these hours, or a translated error."""
        name = carrier.name.strip()
        if not name:
            raise validation_error("carrier_name_missing")
        if len(name) > MAX_NAME:
            raise validation_error("name_too_long", max=str(MAX_NAME))
        if hours is not None and (
            error := schedule_error(hours, dt_util.get_default_time_zone(), dt_util.utcnow(), None, None)
        ):
            raise validation_error(error.value)
        return replace(carrier, name=name, hours=hours)

    async def async_suspend(self, pass_id: str, suspended: bool) -> None:
        """Pause a guest's or carrier's access without removing it (suspended), or resume it."""
        item: Guest | Carrier | None = self._index.guest(pass_id) or self._index.carrier(pass_id)
        if item is None or item.revoked:
            raise validation_error("unknown_pass", pass_id=pass_id)
        if item.suspended != suspended:
            await self._async_store(replace(item, suspended=suspended))

    async def async_remove_carrier(self, pass_id: str) -> None:
        """Revoke a carrier's link at once; a visit already running still ends locked as usual."""
        if (carrier := self._index.carrier(pass_id)) is None:
            raise validation_error("unknown_pass", pass_id=pass_id)
        await self._async_store(carrier.closed())

    async def async_update_delivery(self, pass_id: str, **changes: Any) -> Delivery:
        """Change a delivery that has not been used yet."""
        delivery = self._open_delivery(pass_id)
        for key in ("window_start", "window_end"):
            if changes.get(key) is not None:
                changes[key] = dt_util.as_utc(changes[key])
        updated = replace(delivery, **{key: value for key, value in changes.items() if value is not None})
        if (updated.window_start, updated.window_end) != (delivery.window_start, delivery.window_end) and (
            error := window_error(updated.window_start, updated.window_end, dt_util.utcnow())
        ):
            raise validation_error(error.value)
        await self._async_store(updated)
        return updated

    async def async_cancel_delivery(self, pass_id: str) -> None:
        """Cancel a delivery: its link stops working at once."""
        delivery = self._open_delivery(pass_id)
        await self._async_store(replace(delivery, status=DeliveryStatus.CANCELLED))

    async def async_renew_link(self, pass_id: str) -> tuple[Pass, str]:
        """Give a pass a new token; the old link stops working."""
        found = self.get(pass_id)
        if not found.open_at(dt_util.utcnow()):
            raise validation_error("pass_closed", pass_id=pass_id)
        token = new_token()
        renewed = replace(found, token_hash=hash_token(token))
        await self._async_store(renewed)
        return renewed, token

    async def async_add_guest(self, terms: GuestTerms, *, listed: bool = False) -> tuple[Guest, str]:
        """Create a guest pass; return it and its token (shown this once).

        listed: it already has a subentry (made again from one); else it is listed once it is on disk.
        """
        token = new_token()
        guest = Guest(
            pass_id=ulid_now(), token_hash=hash_token(token), name=terms.name, schedule=terms.schedule, listed=listed
        )
        guest = self._checked_guest(guest, terms)
        await self._async_store(guest)
        return guest, token

    async def async_change_guest(self, pass_id: str, terms: GuestTerms) -> Guest:
        """Change a guest's name, times and limits; the link stays the same, a running visit runs on."""
        guest = self._guest(pass_id)
        changed = self._checked_guest(guest, terms)
        if changed != guest:
            await self._async_store(changed)
        return changed

    def _checked_guest(self, guest: Guest, terms: GuestTerms) -> Guest:
        """The guest on these terms, or a translated error for a name or times that cannot be."""
        now = dt_util.utcnow()
        name = terms.name.strip()
        if not name:
            raise validation_error("guest_name_missing")
        if len(name) > MAX_NAME:
            raise validation_error("name_too_long", max=str(MAX_NAME))
        if terms.max_visit is not None and not timedelta(0) < terms.max_visit <= MAX_DURATION:
            raise validation_error("guest_bad_max_visit")  # else its visit's end overflows the calendar
        try:
            valid_from = dt_util.as_utc(terms.valid_from) if terms.valid_from else None
            valid_until = dt_util.as_utc(terms.valid_until) if terms.valid_until else None
        except OverflowError:  # year 1 or 9999 in another zone: beyond the calendar
            raise validation_error("date_out_of_range") from None
        schedule = terms.schedule
        if schedule.rrule is not None and schedule.anchor is None:
            anchor = dt_util.as_local(valid_from or now).replace(hour=0, minute=0, second=0, microsecond=0)
            schedule = replace(schedule, anchor=anchor)
        if error := schedule_error(schedule, dt_util.get_default_time_zone(), now, valid_from, valid_until):
            raise validation_error(error.value)
        return replace(
            guest,
            name=name,
            schedule=schedule,
            valid_from=valid_from,
            valid_until=valid_until,
            max_uses=terms.max_uses,
            max_visit=terms.max_visit,
        )

    async def async_remove_guest(self, pass_id: str) -> None:
        """Revoke a guest at once; a visit already running still ends locked as usual."""
        if (guest := self._index.guest(pass_id)) is None:
            raise validation_error("unknown_pass", pass_id=pass_id)
        await self._async_store(guest.closed())

    def _guest(self, pass_id: str) -> Guest:
        """A guest not revoked, or a translated error."""
        if (guest := self._index.guest(pass_id)) is None or guest.revoked:
            raise validation_error("unknown_pass", pass_id=pass_id)
        return guest

    def _open_delivery(self, pass_id: str) -> Delivery:
        if (delivery := self._index.delivery(pass_id)) is None:
            raise validation_error("unknown_pass", pass_id=pass_id)
        if delivery.status is not DeliveryStatus.SCHEDULED:
            raise validation_error("pass_closed", pass_id=pass_id)
        return delivery

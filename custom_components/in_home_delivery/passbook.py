"""The entrance's passes: scheduling, changing, cancelling, links, and a missed window.

Tokens are returned once, to the caller that created or renewed the pass, and kept only as hashes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .const import CONF_GRACE, DEFAULT_OPTIONS, DOMAIN
from .core.commands import EventType, Message
from .core.guests import Guest, Schedule, guest_after_visit, guest_as_dict, guest_from_dict, schedule_error
from .core.passes import (
    Delivery,
    DeliveryStatus,
    PassDenial,
    delivery_after_visit,
    delivery_as_dict,
    delivery_from_dict,
    window_error,
)
from .core.tokens import find_by_token, hash_token, new_token
from .core.visit import Visit

if TYPE_CHECKING:
    from .controller import EntranceController

type Pass = Delivery | Guest

KEEP_FINISHED_DELIVERIES = timedelta(days=90)
FINISHED_DELIVERY_STATUSES = frozenset(
    {DeliveryStatus.COMPLETED, DeliveryStatus.MISSED, DeliveryStatus.CANCELLED, DeliveryStatus.FAILED}
)


def pass_from_dict(data: dict[str, Any]) -> Pass:
    """Read a stored pass of either kind."""
    return guest_from_dict(data) if data.get("kind") == "guest" else delivery_from_dict(data)


def pass_as_dict(item: Pass) -> dict[str, Any]:
    """Store a pass of either kind."""
    return guest_as_dict(item) if isinstance(item, Guest) else delivery_as_dict(item)


def validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    """A translated error for bad input."""
    return ServiceValidationError(translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders)


class PassBook:
    """Holds an entrance's passes and keeps them in its store."""

    def __init__(self, controller: EntranceController) -> None:
        """Belong to one entrance."""
        self.controller = controller
        self.passes: dict[str, Pass] = {}
        self.webhook_id = ""
        self._unsub_missed: CALLBACK_TYPE | None = None

    @property
    def grace(self) -> timedelta:
        """The grace period around delivery windows."""
        return timedelta(seconds=int(self.controller.entry.options.get(CONF_GRACE, DEFAULT_OPTIONS[CONF_GRACE])))

    async def async_load(self, stored: dict[str, Any]) -> None:
        """Read the passes back; a new entrance gets its random webhook id."""
        self.passes = {data["pass_id"]: pass_from_dict(data) for data in stored.get("passes", [])}
        self.webhook_id = stored.get("webhook_id") or webhook.async_generate_id()
        if not stored.get("webhook_id"):
            await self.controller.store.async_save_now()
        self.controller.entry.async_on_unload(self._cancel_missed_timer)
        self._schedule_missed_check()

    def as_store_data(self) -> dict[str, Any]:
        """The passes as the store keeps them."""
        return {"webhook_id": self.webhook_id, "passes": [pass_as_dict(item) for item in self.passes.values()]}

    def denial(self, item: Pass, now: datetime) -> PassDenial | None:
        """Why a pass's link does not open the door now, or None when it does."""
        if isinstance(item, Guest):
            return item.denial(now, dt_util.get_default_time_zone())
        return item.denial(now, self.grace)

    def is_open(self, item: Pass, now: datetime) -> bool:
        """Whether a pass can still be used, changed or renewed."""
        return item.open_for_use(now) if isinstance(item, Guest) else item.open_for_use

    def window(self, item: Pass, now: datetime) -> tuple[datetime, datetime] | None:
        """The window to show on the link's page: a delivery's, or a guest's current or next one."""
        if isinstance(item, Guest):
            return item.current_or_next_window(now, dt_util.get_default_time_zone())
        return item.window_start, item.window_end

    def guests(self) -> list[Guest]:
        """Every guest pass."""
        return [item for item in self.passes.values() if isinstance(item, Guest)]

    def get(self, pass_id: str) -> Pass:
        """Return a pass, or raise a translated error."""
        if (found := self.passes.get(pass_id)) is None:
            raise validation_error("unknown_pass", pass_id=pass_id)
        return found

    def find(self, token: str) -> Pass | None:
        """The pass a link's token belongs to (constant time over every pass)."""
        return find_by_token(token, ((item.token_hash, item) for item in self.passes.values()))

    async def _async_changed(self) -> None:
        """Persist at once (a pass must never be lost) and refresh everything that shows passes."""
        await self.controller.store.async_save_now()
        self._schedule_missed_check()
        self.controller.notify_listeners()

    async def async_schedule_delivery(
        self,
        *,
        window_start: datetime,
        window_end: datetime,
        carrier: str | None = None,
        description: str | None = None,
        tracking_number: str | None = None,
    ) -> tuple[Delivery, str]:
        """Create a delivery; return it and its token (shown this once)."""
        window_start, window_end = dt_util.as_utc(window_start), dt_util.as_utc(window_end)
        if error := window_error(window_start, window_end, dt_util.utcnow()):
            raise validation_error(error.value)
        token = new_token()
        delivery = Delivery(
            pass_id=ulid_now(),
            token_hash=hash_token(token),
            window_start=window_start,
            window_end=window_end,
            carrier=carrier or None,
            description=description or None,
            tracking_number=tracking_number or None,
        )
        self.passes[delivery.pass_id] = delivery
        await self._async_changed()
        return delivery, token

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
        self.passes[pass_id] = updated
        await self._async_changed()
        return updated

    async def async_cancel_delivery(self, pass_id: str) -> None:
        """Cancel a delivery: its link stops working at once."""
        delivery = self._open_delivery(pass_id)
        self.passes[pass_id] = replace(delivery, status=DeliveryStatus.CANCELLED)
        await self._async_changed()

    async def async_renew_link(self, pass_id: str) -> tuple[Pass, str]:
        """Give a pass a new token; the old link stops working."""
        found = self.get(pass_id)
        if not self.is_open(found, dt_util.utcnow()):
            raise validation_error("pass_closed", pass_id=pass_id)
        token = new_token()
        renewed = replace(found, token_hash=hash_token(token))
        self.passes[pass_id] = renewed
        await self._async_changed()
        return renewed, token

    async def async_add_guest(
        self,
        *,
        name: str,
        schedule: Schedule,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        max_uses: int | None = None,
        max_visit: timedelta | None = None,
    ) -> tuple[Guest, str]:
        """Create a guest pass; return it and its token (shown this once)."""
        now = dt_util.utcnow()
        valid_from = dt_util.as_utc(valid_from) if valid_from else None
        valid_until = dt_util.as_utc(valid_until) if valid_until else None
        tz = dt_util.get_default_time_zone()
        if schedule.rrule is not None and schedule.anchor is None:
            anchor = dt_util.as_local(valid_from or now).replace(hour=0, minute=0, second=0, microsecond=0)
            schedule = replace(schedule, anchor=anchor)
        if error := schedule_error(schedule, tz, now, valid_from, valid_until):
            raise validation_error(error.value)
        token = new_token()
        guest = Guest(
            pass_id=ulid_now(),
            token_hash=hash_token(token),
            name=name.strip(),
            schedule=schedule,
            valid_from=valid_from,
            valid_until=valid_until,
            max_uses=max_uses,
            max_visit=max_visit,
        )
        self.passes[guest.pass_id] = guest
        await self._async_changed()
        return guest, token

    async def async_remove_guest(self, pass_id: str) -> None:
        """Revoke a guest at once; a visit already running still ends locked as usual."""
        guest = self.get(pass_id)
        if not isinstance(guest, Guest):
            raise validation_error("unknown_pass", pass_id=pass_id)
        self.passes[pass_id] = replace(guest, revoked=True)
        await self._async_changed()

    def _open_delivery(self, pass_id: str) -> Delivery:
        delivery = self.get(pass_id)
        if not isinstance(delivery, Delivery):
            raise validation_error("unknown_pass", pass_id=pass_id)
        if delivery.status is not DeliveryStatus.SCHEDULED:
            raise validation_error("pass_closed", pass_id=pass_id)
        return delivery

    def upcoming(self, now: datetime) -> list[Delivery]:
        """Scheduled deliveries whose window has not ended, soonest first."""
        return sorted(
            (item for item in self.deliveries() if item.status is DeliveryStatus.SCHEDULED and item.window_end > now),
            key=lambda item: item.window_start,
        )

    def next_delivery(self, now: datetime) -> Delivery | None:
        """The scheduled delivery whose window is open now or comes next."""
        return next(iter(self.upcoming(now)), None)

    def deliveries(self) -> list[Delivery]:
        """Every delivery."""
        return [item for item in self.passes.values() if isinstance(item, Delivery)]

    def open_window(self, now: datetime) -> Delivery | None:
        """A scheduled delivery whose window (with grace) is open now."""
        return next((item for item in self.upcoming(now - self.grace) if item.denial(now, self.grace) is None), None)

    def admission(
        self, pass_id: str, now: datetime, *, by_owner: bool, token_hash: str | None = None
    ) -> tuple[Pass, PassDenial | None]:
        """The pass as it is now, and why it may not start a visit (None: it may).

        Callers ask again after anything they awaited, so that a cancel, renewal, change or removal
        made meanwhile stands. A link's request carries the token hash it was found by: once the pass
        is renewed, the old token admits nothing, whatever was in flight.
        """
        current = self.get(pass_id)
        if token_hash is not None and current.token_hash != token_hash:
            return current, PassDenial.REVOKED
        if by_owner:
            return current, None if self.is_open(current, now) else PassDenial.USED
        return current, self.denial(current, now)

    @callback
    def mark_in_progress(self, pass_id: str) -> None:
        """A visit of the pass started: only the status of the pass as it is now changes."""
        if isinstance(found := self.passes.get(pass_id), Delivery):
            self.passes[pass_id] = replace(found, status=DeliveryStatus.IN_PROGRESS)

    @callback
    def visit_finished(self, visit: Visit) -> None:
        """Update the pass of a finished visit."""
        if visit.pass_id is None or (found := self.passes.get(visit.pass_id)) is None:
            return
        entered = visit.entered is not None
        self.passes[found.pass_id] = (
            guest_after_visit(found, entered=entered)
            if isinstance(found, Guest)
            else delivery_after_visit(found, entered=entered, unlock_failed=visit.unlock_failed)
        )
        self._schedule_missed_check()

    @callback
    def _schedule_missed_check(self) -> None:
        self._cancel_missed_timer()
        due = [item.missed_at(self.grace) for item in self.deliveries() if item.status is DeliveryStatus.SCHEDULED]
        if due:
            self._unsub_missed = async_track_point_in_utc_time(self.controller.hass, self._on_missed_check, min(due))

    @callback
    def _cancel_missed_timer(self) -> None:
        if self._unsub_missed is not None:
            self._unsub_missed()
            self._unsub_missed = None

    @callback
    def _on_missed_check(self, now: datetime) -> None:
        self._unsub_missed = None
        for delivery in self.deliveries():
            if delivery.status is DeliveryStatus.SCHEDULED and delivery.missed_at(self.grace) <= now:
                self.passes[delivery.pass_id] = replace(delivery, status=DeliveryStatus.MISSED)
                self.controller.emit(
                    EventType.MISSED,
                    None,
                    pass_id=delivery.pass_id,
                    pass_kind=delivery.kind,
                    pass_label=delivery.label,
                )
                self.controller.notify_owner(Message.MISSED, who=delivery.label)
        self.controller.store.async_schedule_save()
        self._schedule_missed_check()
        self.controller.notify_listeners()

    @callback
    def prune(self, now: datetime) -> bool:
        """Forget deliveries that ended (used, missed, cancelled, failed) more than 90 days ago."""
        horizon = now - KEEP_FINISHED_DELIVERIES
        old = [
            item.pass_id
            for item in self.deliveries()
            if item.status in FINISHED_DELIVERY_STATUSES and item.window_end < horizon
        ]
        for pass_id in old:
            del self.passes[pass_id]
        return bool(old)

    def describe(self, item: Pass) -> dict[str, Any]:
        """A pass as list_passes answers it: everything but the token."""
        data = pass_as_dict(item)
        del data["token_hash"]
        if isinstance(item, Guest):
            data["status"] = item.status(dt_util.utcnow()).value
        return data

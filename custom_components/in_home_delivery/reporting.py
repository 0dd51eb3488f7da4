"""The entrance made public: its snapshot, its bus events and what the owner is told."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util

from .const import (
    DOMAIN,
    EVENT_IN_HOME_DELIVERY,
)
from .coordinator import EntranceSnapshot
from .core.commands import (
    EventType,
    Message,
)
from .core.visit import shown_phase
from .entrance_parts import EntranceParts
from .store import (
    HISTORY_KEYS,
)

_LOGGER = logging.getLogger(__name__)

RETENTION_INTERVAL = timedelta(days=1)
REFUSALS_QUIET = timedelta(minutes=10)
MAX_QUIET_KEYS = 1000


def own_lock_entity_id(hass: HomeAssistant, entry_id: str) -> str | None:
    """The entrance's own lock entity (which mirrors its access point), found by its unique id."""
    return er.async_get(hass).async_get_entity_id("lock", DOMAIN, f"{entry_id}_lock")


class Reporting(EntranceParts):
    """Publishes the entrance: its snapshot, its bus events, the owner's messages; a part of EntranceController."""

    @callback
    def journal_changed(self) -> None:
        """The pass changes waiting for the database changed: the visit store keeps them."""
        self.visit_store.async_schedule_save()

    def snapshot(self) -> EntranceSnapshot:
        """The entrance as its entities show it, now."""
        now = dt_util.utcnow()
        visit = self.visit if self.visit is not None and self.visit.running else None
        return EntranceSnapshot(
            taken=now,
            phase=shown_phase(visit),
            visit_running=visit is not None,
            accepting=self.accepting,
            last_visit=self._last_visit(),
            next_delivery=next((item for item in self.passes.upcoming(now) if item.window_start > now), None),
            expected_today=tuple(self.passes.expected_today(now)),
            last_picture=self.media.last,
            visit=visit,
            last_finished=self.last_finished,
        )

    def _last_visit(self) -> dict[str, Any] | None:
        """The newest finished visit as the last-visit sensor shows it, with its pictures' media ids."""
        if not self.history:
            return None
        record = self.history[-1]
        files = record.get("files") or []
        return {key: record.get(key) for key in (*HISTORY_KEYS, "ended")} | {
            "pictures": [self.media.media_id(record["visit_id"], name) for name in files if name.endswith(".jpg")],
            "recording": next(
                (self.media.media_id(record["visit_id"], name) for name in files if not name.endswith(".jpg")), None
            ),
        }

    @callback
    def file_kept(self, visit_id: str, name: str) -> None:
        """A picture or recording of a visit was written: list it in the visit's history record and show it."""
        files = self.media.remember(visit_id, name, dt_util.utcnow())
        for record in reversed(self.history[-5:]):
            if record["visit_id"] == visit_id:
                record["files"] = files
        self.store.async_schedule_save()
        self.notify_listeners()

    @callback
    def files_removed(self, visit_ids: set[str]) -> None:
        """The files of these visits were deleted (retention): the history keeps its records, without files."""
        for record in self.history:
            if record["visit_id"] in visit_ids:
                record["files"] = []
        self.media.forget(visit_ids)
        self.store.async_schedule_save()
        self.notify_listeners()

    @callback
    def set_accepting(self, accepting: bool) -> None:
        """Accept visits (the "deliveries allowed" switch), or turn them away; the owner may still admit."""
        self.accepting = accepting
        if self.keypad is not None:
            self.keypad.request()  # no managed code is on the lock while visits are turned away
        self.notify_listeners()

    async def async_read_picture(self, visit_id: str, name: str) -> bytes | None:
        """A picture of a visit."""
        return await self.media.async_read(visit_id, name)

    @callback
    def notify_listeners(self) -> None:
        """Tell every entity that the entrance changed: a new snapshot is published."""
        self.coordinator.publish()
        self.standings.follow()
        if self.keypad is not None and self.keypad.revision != self.passes.revision:
            self.keypad.revision = self.passes.revision  # a pass changed: its code may have to go, or come
            self.keypad.request()

    @callback
    def notify_owner(
        self, message: Message, *, critical: bool = False, live_picture: bool = False, **placeholders: str
    ) -> None:
        """Tell the owner something that is not a step of the running visit."""
        self.runner.notify_owner(message, critical=critical, live_picture=live_picture, **placeholders)

    @callback
    def notify_owner_once(
        self, key: str, message: Message, *, who: str, reason: str = "", critical: bool = False
    ) -> None:
        """Tell the owner, unless the same was told within REFUSALS_QUIET (a link pressed again and again)."""
        now = dt_util.utcnow()
        if (told := self._told.get(key)) is not None and now - told < REFUSALS_QUIET:
            return
        if len(self._told) >= MAX_QUIET_KEYS:
            self._told = {name: when for name, when in self._told.items() if now - when < REFUSALS_QUIET}
        self._told[key] = now
        self.notify_owner(message, critical=critical, who=who, reason=reason)

    @callback
    def emit(
        self,
        event_type: EventType,
        reason: str | None,
        *,
        pass_id: str | None,
        pass_kind: str,
        pass_label: str,
        visit_id: str | None = None,
        admitted_by: str | None = None,
        duration: int | None = None,
        resumed: bool | None = None,
    ) -> None:
        """Fire the public bus event; the `visit` event entity, device triggers and the logbook use it.

        Beyond the fields the README lists under *Automations* (`config_entry_id`, `type`, `visit_id`,
        `pass_id`, `pass_kind`, `pass_label`, `reason`) it says how the visit was admitted (`admitted_by`), which device and
        lock entity it belongs to (`device_id`, `entity_id`: the logbook links it to both), and for
        `completed` its length in whole seconds (`duration`, rounded as the owner's message rounds it) and
        whether Home Assistant restarted during it (`resumed`: the length then includes the downtime).
        """
        data: dict[str, Any] = {
            "config_entry_id": self.entry.entry_id,
            "type": event_type.value,
            "visit_id": visit_id,
            "pass_id": pass_id,
            "pass_kind": pass_kind,
            "pass_label": pass_label,
            "reason": reason,
            "admitted_by": admitted_by,
            "device_id": self.device_id,
            # The entrance's own lock entity: a logbook card of it shows the visits beside its states.
            "entity_id": own_lock_entity_id(self.hass, self.entry.entry_id),
        }
        if duration is not None:
            data["duration"] = duration
        if resumed is not None:
            data["resumed"] = resumed
        self.hass.bus.async_fire(EVENT_IN_HOME_DELIVERY, data)

    @property
    def device_id(self) -> str | None:
        """The entrance's device in the device registry."""
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, self.entry.entry_id), self.entry.entry_id
        )
        return device.id if device else None

"""One entrance's deliveries, watched for the `delivery_expected` trigger: each window that opens is told once.

A window opens when its start comes, or when a delivery is scheduled (or moved) with its window already
open. The watch wakes at the next window's start, and when the entrance publishes a snapshot whose
expected deliveries differ from the last it saw; it follows the entrance over reloads. Windows already
open when the automation started are not told (the moment passed before it existed).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from homeassistant.config_entries import SIGNAL_CONFIG_ENTRY_CHANGED, ConfigEntry, ConfigEntryChange, ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.trigger import TriggerActionRunner
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .core.passes import Delivery

if TYPE_CHECKING:
    from .data import InHomeDeliveryConfigEntry


class DeliveryWatch:
    """Tells an automation of each delivery window of one entrance as it opens."""

    def __init__(self, hass: HomeAssistant, entry_id: str, run_action: TriggerActionRunner) -> None:
        """Watch the entrance of entry_id for run_action."""
        self._hass = hass
        self._entry_id = entry_id
        self._run_action = run_action
        self._since = dt_util.utcnow()  # windows that opened before this were not the automation's
        self._told: set[str] = set()  # deliveries whose window is open and was told (or open at the start)
        self._looked = False  # the first look takes the windows open then as told
        self._seen: object = None  # the expected deliveries of the last snapshot looked at
        self._unsub_entry: CALLBACK_TYPE | None = None
        self._unsub_snapshots: CALLBACK_TYPE | None = None
        self._unsub_timer: CALLBACK_TYPE | None = None

    @callback
    def start(self) -> None:
        """Follow the entrance: now if it runs, and each time it is set up again."""
        self._unsub_entry = async_dispatcher_connect(self._hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._on_entry_changed)
        if (entry := self._hass.config_entries.async_get_entry(self._entry_id)) is not None:
            self._follow(entry)

    @callback
    def stop(self) -> None:
        """The automation is turned off or removed."""
        if self._unsub_entry is not None:
            self._unsub_entry()
        self._unfollow()

    @callback
    def _on_entry_changed(self, change: ConfigEntryChange, entry: ConfigEntry) -> None:
        if entry.entry_id == self._entry_id:
            self._follow(entry)

    @callback
    def _follow(self, entry: ConfigEntry) -> None:
        self._unfollow()
        if entry.state is not ConfigEntryState.LOADED:
            return
        coordinator = cast("InHomeDeliveryConfigEntry", entry).runtime_data.coordinator
        self._unsub_snapshots = coordinator.async_add_listener(self._on_snapshot)
        self._seen = None
        self._on_snapshot()

    @callback
    def _unfollow(self) -> None:
        if self._unsub_snapshots is not None:
            self._unsub_snapshots()
            self._unsub_snapshots = None
        self._cancel_timer()

    @callback
    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    @callback
    def _on_snapshot(self) -> None:
        """The entrance published a snapshot: look again where its expected deliveries changed."""
        entry = cast("InHomeDeliveryConfigEntry", self._hass.config_entries.async_get_entry(self._entry_id))
        snapshot = entry.runtime_data.coordinator.data
        seen = (snapshot.next_delivery, snapshot.expected_today) if snapshot is not None else None
        if seen is not None and seen == self._seen:
            return
        self._seen = seen
        self._look(entry)

    @callback
    def _on_time(self, now: datetime) -> None:
        """The next window's start came."""
        self._unsub_timer = None
        if (entry := self._hass.config_entries.async_get_entry(self._entry_id)) is not None:
            self._look(cast("InHomeDeliveryConfigEntry", entry))

    @callback
    def _look(self, entry: InHomeDeliveryConfigEntry) -> None:
        """Tell each window open now and not told yet; wake again when the next one starts."""
        now = dt_util.utcnow()
        open_now: list[Delivery] = []
        next_start: datetime | None = None
        for delivery in entry.runtime_data.passes.upcoming(now):  # scheduled, by window start
            if delivery.window_start > now:
                next_start = delivery.window_start
                break
            open_now.append(delivery)
        fresh = [
            delivery
            for delivery in open_now
            if delivery.pass_id not in self._told and (self._looked or delivery.window_start >= self._since)
        ]
        self._told = {delivery.pass_id for delivery in open_now}
        self._looked = True
        self._cancel_timer()
        if next_start is not None:
            self._unsub_timer = async_track_point_in_utc_time(self._hass, self._on_time, next_start)
        for delivery in fresh:
            self._tell(entry, delivery)

    @callback
    def _tell(self, entry: ConfigEntry, delivery: Delivery) -> None:
        device = dr.async_get(self._hass).async_get_device_by_identifier((DOMAIN, entry.entry_id), entry.entry_id)
        variables: dict[str, Any] = {
            "config_entry_id": entry.entry_id,
            "device_id": device.id if device else None,
            "delivery_id": delivery.pass_id,
            "pass_label": delivery.label,
            "carrier": delivery.carrier,
            "delivery_description": delivery.description,  # `description` is the trigger's own
            "tracking_number": delivery.tracking_number,
            "window_start": dt_util.as_local(delivery.window_start),
            "window_end": dt_util.as_local(delivery.window_end),
        }
        self._run_action(variables, f"delivery expected at {entry.title}")

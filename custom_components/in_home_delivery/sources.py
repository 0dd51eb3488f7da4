"""Follows the entrance's expected-delivery sources and keeps their deliveries in the pass book.

Counting sensors and package trackers are read whenever their state changes; calendars when their
state changes and every 15 minutes (as Home Assistant's own calendar trigger reads them); everything
again just after midnight, when "today" moves on. All through Home Assistant's event helpers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.components.calendar import CalendarEntity
from homeassistant.components.calendar.const import DATA_COMPONENT as CALENDARS
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_time_change,
    async_track_time_interval,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .const import (
    DOMAIN,
)
from .core.expected import Reading, from_calendar_events, from_counter, from_trackings
from .passbook import PassBook
from .settings import EntranceSettings

_LOGGER = logging.getLogger(__name__)

CALENDAR_INTERVAL = timedelta(minutes=15)
CALENDAR_BEHIND = timedelta(days=1)
CALENDAR_AHEAD = timedelta(days=7)
MAX_PROBLEMS = 200


def is_own_entity(hass: HomeAssistant, entity_id: str) -> bool:
    """Whether an entity is In-Home Delivery's own.

    Its Deliveries calendars show what the sources made, and are never read back as a source.
    """
    entry = er.async_get(hass).async_get(entity_id)
    return entry is not None and entry.platform == DOMAIN


class ExpectedDeliveries:
    """One entrance's sources, followed."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, passes: PassBook, settings: EntranceSettings) -> None:
        """Read the sources from the entrance's settings."""
        self.hass = hass
        self.entry = entry
        self.passes = passes
        self.hours = settings.delivery_hours
        self.calendars: list[str] = [
            entity_id for entity_id in settings.source_calendars if not is_own_entity(hass, entity_id)
        ]
        self.trackers: list[str] = list(settings.source_trackers)
        self.counters: dict[str, str] = dict(settings.source_counters)
        self._told: set[str] = set()
        # The deliveries the sources cancelled themselves, which come back when expected again the same
        # day (a count back above zero). In memory: after a restart none comes back by itself.
        self._cancelled: set[str] = set()

    @callback
    def async_start(self) -> None:
        """Follow every source; read them all once Home Assistant has started."""
        sensors = [*self.trackers, *self.counters]
        on_unload = self.entry.async_on_unload
        # Just after midnight "today" moves on: sources are read again and the entities show the new day.
        on_unload(async_track_time_change(self.hass, self._async_new_day, hour=0, minute=0, second=5))
        if not sensors and not self.calendars:
            return
        if sensors:
            on_unload(async_track_state_change_event(self.hass, sensors, self._on_sensor))
        if self.calendars:
            on_unload(async_track_state_change_event(self.hass, self.calendars, self._on_calendar))
            on_unload(async_track_time_interval(self.hass, self._async_read_calendars, CALENDAR_INTERVAL))
        on_unload(async_at_started(self.hass, self._async_read_all))

    async def _async_new_day(self, _now: Any = None) -> None:
        await self._async_read_all()
        self.passes.entrance.notify_listeners()

    async def _async_read_all(self, _now: Any = None) -> None:
        for entity_id in [*self.trackers, *self.counters]:
            self._read_sensor(entity_id)
        await self._async_read_calendars()

    @callback
    def _on_sensor(self, event: Event[EventStateChangedData]) -> None:
        self._read_sensor(event.data["entity_id"])

    @callback
    def _on_calendar(self, event: Event[EventStateChangedData]) -> None:
        self.entry.async_create_task(
            self.hass, self._async_read_calendar(event.data["entity_id"]), f"{DOMAIN} calendar source"
        )

    @callback
    def _read_sensor(self, entity_id: str) -> None:
        """Read a tracker or counter as it is now; an unreadable one keeps what it had."""
        state = self.hass.states.get(entity_id)
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            return  # gone (the repair says so) or not ready: what it expected stays expected
        now, tz = dt_util.utcnow(), dt_util.get_default_time_zone()
        try:
            if entity_id in self.counters:
                reading = from_counter(entity_id, state.state, self.counters[entity_id], self.hours, now, tz)
            else:
                reading = from_trackings(entity_id, state.attributes.get("trackings"), self.hours, now, tz)
        except ValueError as err:
            self._tell_once(entity_id, str(err))
            return  # a reading that says nothing: what it expected stays expected
        self._expect(entity_id, reading)

    async def _async_read_calendars(self, _now: Any = None) -> None:
        for entity_id in self.calendars:
            await self._async_read_calendar(entity_id)

    async def _async_read_calendar(self, entity_id: str) -> None:
        """Read a calendar's events around now; each becomes a delivery, moved or cancelled with its event."""
        component = self.hass.data.get(CALENDARS)
        entity = component.get_entity(entity_id) if component else None
        if not isinstance(entity, CalendarEntity):
            return
        now, tz = dt_util.utcnow(), dt_util.get_default_time_zone()
        start, end = now - CALENDAR_BEHIND, now + CALENDAR_AHEAD
        try:
            events = await entity.async_get_events(self.hass, start, end)
        except HomeAssistantError as err:
            self._tell_once(entity_id, f"its events could not be read: {err}")
            return
        self._expect(entity_id, from_calendar_events(entity_id, events, self.hours, tz), within=(start, end))

    def _expect(self, entity_id: str, reading: Reading, within: tuple[datetime, datetime] | None = None) -> None:
        """What a reading says goes to the pass book; what it could not read is said once."""
        for problem in reading.problems:
            self._tell_once(entity_id, problem)
        self.passes.expect(entity_id, reading, within=within, cancelled=self._cancelled)

    def _tell_once(self, entity_id: str, problem: str) -> None:
        """Bad source data is skipped, and said once in the log (never raised)."""
        key = f"{entity_id}: {problem}"
        if key in self._told or len(self._told) >= MAX_PROBLEMS:
            return
        self._told.add(key)
        _LOGGER.warning("%s: skipped from %s, %s", self.passes.entrance.name, entity_id, problem)

    def watched(self) -> list[str]:
        """The source entities, for the missing-entity repair."""
        return [*self.calendars, *self.trackers, *self.counters]

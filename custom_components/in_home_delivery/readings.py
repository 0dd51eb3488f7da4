"""The entrance's hardware read in the core's words: the access point, the door, the camera rule."""

from __future__ import annotations

from datetime import timedelta
import logging

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import State

from .entrance_parts import EntranceParts

_LOGGER = logging.getLogger(__name__)

RETENTION_INTERVAL = timedelta(days=1)
REFUSALS_QUIET = timedelta(minutes=10)
MAX_QUIET_KEYS = 1000


def door_input(state: str | None) -> bool | None:
    """The door sensor's state as the core reads it: open, closed, or None when it reports nothing."""
    return {"on": True, "off": False}.get(state or "")


class Readings(EntranceParts):
    """Reads the entrance's hardware in the core's words; a part of EntranceController."""

    @property
    def lock_state(self) -> str | None:
        """The access point's trusted state, in the lock's words (a closed garage door is locked)."""
        return self._read_access(self.hass.states.get(self.lock_entity))

    def _read_access(self, state: State | None) -> str | None:
        """The access point's reading; a garage door with its own sensor is closed only when both say so.

        Closed by the cover but open by the sensor reads as open; with the sensor silent, as unknown.
        """
        reading = self.access.read(state)
        if reading != "locked" or self.garage_sensor is None:
            return reading
        sensor = self.hass.states.get(self.garage_sensor)
        opened = door_input(sensor.state if sensor else None)
        if opened is None:
            return None
        return "unlocked" if opened else reading

    @property
    def reported_lock_state(self) -> str:
        """The access point's state as the courier's page reads it (`unavailable` where it is missing).

        A lock's state exactly as it reports it; a garage door's in the lock's words.
        """
        state = self.hass.states.get(self.lock_entity)
        if state is None:
            return STATE_UNAVAILABLE
        if self.access.own_door:
            return self._read_access(state) or state.state
        return state.state

    def door_open(self) -> bool | None:
        """The door sensor's state: None without a sensor or while it reports nothing."""
        if not self.door_sensor or (state := self.hass.states.get(self.door_sensor)) is None:
            return None
        return door_input(state.state)

    @property
    def camera_required(self) -> bool:
        """Whether visits need a working camera."""
        return bool(self.camera and self.options.require_camera)

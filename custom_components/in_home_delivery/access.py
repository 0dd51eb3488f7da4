"""What opens an entrance, one small adapter per kind of hardware.

The access point is a `lock` (a door) or a `cover` of class garage or gate (a garage door). The visit
core reads either in the lock's words: `locked` (secured), `unlocked`/`open` (not secured),
`locking`/`unlocking` (in between), `jammed`, and None for a state that cannot be trusted. A garage
door is its own door: closed is locked, open is unlocked, and closing it is how it is secured.

A street door opener (a building's intercom) comes ahead of the access point: a `button` is pressed,
a `lock` that supports open is opened, a `switch` is turned on and off again after a pulse (relay.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from homeassistant.components.cover import CoverEntityFeature
from homeassistant.const import ATTR_ENTITY_ID, ATTR_SUPPORTED_FEATURES, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import State

from .const import CONF_GARAGE_DOOR, CONF_LOCK, CONF_STREET_DOOR

type Call = tuple[str, str, dict[str, Any]]

COVER_WORDS = {"closed": "locked", "open": "unlocked", "opening": "unlocking", "closing": "locking"}
DEFAULT_PULSE = timedelta(seconds=2)


def lock_input(state: str | None) -> str | None:
    """A lock's state as the core reads it: None when it cannot be trusted."""
    return None if state in (None, STATE_UNAVAILABLE, STATE_UNKNOWN) else state


@dataclass(frozen=True, kw_only=True)
class LockAccess:
    """A door's smart lock."""

    entity_id: str
    domain = "lock"
    own_door = False  # the door has its own sensor (or none); the lock says nothing about it

    def read(self, state: State | None) -> str | None:
        """The lock's state in the core's words."""
        return lock_input(state.state if state else None)

    def open_call(self, state: State | None, *, parcel: bool) -> Call:
        """The action that lets someone in."""
        return "lock", "unlock", {ATTR_ENTITY_ID: self.entity_id}

    def secure_call(self) -> Call:
        """The action that secures the entrance again."""
        return "lock", "lock", {ATTR_ENTITY_ID: self.entity_id}


@dataclass(frozen=True, kw_only=True)
class CoverAccess:
    """A garage door or gate: open = unlocked, closed = locked, and it is its own door sensor."""

    entity_id: str
    opening_height: int | None = None  # percent, for parcels, where the cover takes a position
    domain = "cover"
    own_door = True

    def read(self, state: State | None) -> str | None:
        """The cover's state in the core's words: closed is locked, a cover that moves is in between."""
        return COVER_WORDS.get(state.state) if state else None

    def open_call(self, state: State | None, *, parcel: bool) -> Call:
        """Open fully, or to the opening height for a parcel where the cover takes a position."""
        features = int(state.attributes.get(ATTR_SUPPORTED_FEATURES, 0)) if state else 0
        if parcel and self.opening_height and features & CoverEntityFeature.SET_POSITION:
            return "cover", "set_cover_position", {ATTR_ENTITY_ID: self.entity_id, "position": self.opening_height}
        return "cover", "open_cover", {ATTR_ENTITY_ID: self.entity_id}

    def secure_call(self) -> Call:
        """Close the cover."""
        return "cover", "close_cover", {ATTR_ENTITY_ID: self.entity_id}


type AccessPoint = LockAccess | CoverAccess


def access_point(data: Mapping[str, Any], opening_height: int | None) -> AccessPoint:
    """The entrance's access point from its entry: a garage door where one is set, else the lock."""
    if garage := data.get(CONF_GARAGE_DOOR):
        return CoverAccess(entity_id=garage, opening_height=opening_height)
    return LockAccess(entity_id=data[CONF_LOCK])


@dataclass(frozen=True, kw_only=True)
class StreetDoorOpener:
    """The building's street door: pressed, opened or pulsed, never left open by us."""

    entity_id: str
    pulse: timedelta = DEFAULT_PULSE

    @property
    def domain(self) -> str:
        """button, lock or switch."""
        return self.entity_id.partition(".")[0]

    @property
    def relay(self) -> bool:
        """A switch: turned on for the pulse, then off again until it reports off (relay.py)."""
        return self.domain == "switch"

    def ready(self, state: State | None) -> bool:
        """Whether it can open now: Home Assistant skips an action on an unavailable entity without an error.

        A button that was never pressed reports `unknown`: that is its normal state.
        """
        if state is None or state.state == STATE_UNAVAILABLE:
            return False
        return self.domain == "button" or state.state != STATE_UNKNOWN

    def open_call(self) -> Call:
        """The action that opens the street door (switches a relay on)."""
        target = {ATTR_ENTITY_ID: self.entity_id}
        match self.domain:
            case "button":
                return "button", "press", target
            case "lock":
                return "lock", "open", target
            case _:
                return "switch", "turn_on", target

    def off_call(self) -> Call:
        """The action that ends a relay's pulse."""
        return "switch", "turn_off", {ATTR_ENTITY_ID: self.entity_id}


def street_door_opener(data: Mapping[str, Any], pulse: timedelta) -> StreetDoorOpener | None:
    """The entrance's street door opener, where one is set (a switch is held on for pulse)."""
    if not (entity_id := data.get(CONF_STREET_DOOR)):
        return None
    return StreetDoorOpener(entity_id=entity_id, pulse=pulse)

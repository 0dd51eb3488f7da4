"""What the core asks the shell to do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventType(StrEnum):
    """The `type` of an `in_home_delivery_event`, of device triggers and of the `visit` entity."""

    ARRIVED = "arrived"
    ADMITTED = "admitted"
    DENIED = "denied"
    UNLOCKED = "unlocked"
    DOOR_OPENED = "door_opened"
    DOOR_CLOSED = "door_closed"
    DOOR_LEFT_OPEN = "door_left_open"
    LOCKED = "locked"
    RELOCK_FAILED = "relock_failed"
    COMPLETED = "completed"
    MISSED = "missed"
    CAMERA_LOST = "camera_lost"
    STREET_DOOR_OPENED = "street_door_opened"
    CODE_USED = "code_used"  # a managed keypad code opened the lock


class Message(StrEnum):
    """What the owner is told; the shell turns each into translated text."""

    ADMITTED = "admitted"
    ENTERED = "entered"
    COMPLETED = "completed"
    UNLOCK_FAILED = "unlock_failed"
    DOOR_LEFT_OPEN = "door_left_open"
    RELOCK_FAILED = "relock_failed"
    MAX_VISIT = "max_visit"
    RESUMED = "resumed"
    DENIED = "denied"
    ALARM_REARM_FAILED = "alarm_rearm_failed"
    ARRIVED = "arrived"
    MISSED = "missed"
    FLOOD = "flood"
    DOORBELL = "doorbell"
    LINK_CREATED = "link_created"
    WAITING_FOR_DOOR = "waiting_for_door"
    DOOR_SENSOR_LOST = "door_sensor_lost"
    CAMERA_LOST = "camera_lost"
    REVERSED = "reversed"
    STREET_DOOR_OPENED = "street_door_opened"
    STREET_DOOR_RELAY_ON = "street_door_relay_on"  # the street door's relay does not turn off
    CARRIER_TRIED = "carrier_tried"
    STORAGE_FAILED = "storage_failed"  # what a visit changed could not be written to disk
    CODE_NOT_CLEARED = "code_not_cleared"  # a keypad code that must go stays on the lock
    CODE_NOT_WRITTEN = "code_not_written"  # a keypad code could not be put on the lock for its time
    CODE_REFUSED = "code_refused"  # a keypad code opened the lock outside its time: it locks again
    WRONG_CODES = "wrong_codes"  # wrong codes at the keypad: the managed codes are off for a while


class Spoken(StrEnum):
    """What the speakers at the door say to the visitor; the shell turns each into the visitor's words.

    The option `speak_moments` names the moments: `asked` belongs to `arrived` (a doorbell press that
    asked the owner).
    """

    ARRIVED = "arrived"  # a courier whose delivery is expected now is at the door
    ASKED = "asked"  # the doorbell rang while a delivery is expected, and the owner was asked
    UNLOCKED = "unlocked"  # the door is unlocked (the garage door opens) for the visit
    CLOSING_SOON = "closing_soon"  # the garage door closes by itself in a minute
    CANNOT_LOCK = "cannot_lock"  # the door is open (or will not lock): it cannot lock until it is closed


class Repair(StrEnum):
    """The repair issues a visit can raise."""

    RELOCK_FAILED = "relock_failed"
    DOOR_SENSOR = "door_sensor_lost"


@dataclass(frozen=True)
class Unlock:
    """Unlock the wrapped lock."""


@dataclass(frozen=True)
class Lock:
    """Lock the wrapped lock."""


@dataclass(frozen=True)
class LightsOn:
    """Turn the entrance's lights on, remembering which were off."""


@dataclass(frozen=True)
class LightsRestore:
    """Turn off again the lights that were off before the visit."""


@dataclass(frozen=True)
class AlarmDisarm:
    """Disarm the alarm panel, remembering its mode."""


@dataclass(frozen=True)
class AlarmRearm:
    """Arm the alarm panel again in the mode it had before the visit."""


@dataclass(frozen=True)
class Snapshot:
    """Take a picture with the entrance's camera."""

    moment: str


@dataclass(frozen=True)
class Notify:
    """Tell the owner something."""

    message: Message
    critical: bool = False


@dataclass(frozen=True)
class Speak:
    """Say something to the visitor through the entrance's speakers (never holds up the visit)."""

    moment: Spoken


@dataclass(frozen=True)
class Emit:
    """Fire an `in_home_delivery_event` (and the `visit` event entity)."""

    event_type: EventType
    reason: str | None = None


@dataclass(frozen=True)
class RaiseRepair:
    """Open a repair issue: the door could not be locked, or the door sensor reports nothing."""

    repair: Repair = Repair.RELOCK_FAILED


@dataclass(frozen=True)
class ClearRepair:
    """Close the repair issue: the lock reports locked again, or the door sensor is back."""

    repair: Repair = Repair.RELOCK_FAILED


@dataclass(frozen=True)
class Finish:
    """The visit is over: record it in the history."""


type Command = (
    Unlock
    | Lock
    | LightsOn
    | LightsRestore
    | AlarmDisarm
    | AlarmRearm
    | Snapshot
    | Notify
    | Speak
    | Emit
    | RaiseRepair
    | ClearRepair
    | Finish
)

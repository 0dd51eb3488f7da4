"""Whether a request to enter may become a visit."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

UNAVAILABLE_LOCK_STATES = frozenset({None, "unavailable", "unknown"})


class DenyReason(StrEnum):
    """Why a request to enter was refused; also the `reason` of a `denied` event."""

    NOT_ACCEPTING = "not_accepting"
    STREET_DOOR_LIMIT = "street_door_limit"  # the street door was opened as often as a pass may
    NO_STREET_DOOR = "no_street_door"  # the entrance has no street door opener
    STREET_DOOR_FAILED = "street_door_failed"  # the opener did not take the command
    STREET_DOOR_UNAVAILABLE = "street_door_unavailable"  # the opener is unavailable, unknown or missing
    VISIT_RUNNING = "visit_running"
    LOCK_UNAVAILABLE = "lock_unavailable"
    LOCK_JAMMED = "lock_jammed"
    DOOR_OPEN = "door_open"
    DOOR_UNKNOWN = "door_unknown"
    CAMERA_UNAVAILABLE = "camera_unavailable"
    SOMEONE_HOME = "someone_home"
    NOT_STORED = "not_stored"  # what the request depends on could not be written to disk
    NOT_ADMIN = "not_admin"  # the owner's acts are for administrators
    NOT_ISSUED_FOR = "not_issued_for"  # a phone button used for something it was not issued for
    NO_VISIT = "no_visit"  # no visit (of this pass, or of this button) is running
    CODE_UNKNOWN = "code_unknown"  # a keypad use whose code cannot be told (the lock does not say which)


@dataclass(frozen=True, kw_only=True)
class Conditions:
    """What the entrance looks like at the moment someone asks to enter."""

    accepting: bool  # the "deliveries allowed" switch
    visit_running: bool
    lock_state: str | None
    has_door_sensor: bool
    door_open: bool | None
    camera_required: bool = False
    camera_ok: bool = True
    only_when_away: bool = False
    someone_home: bool = False


def admission_denial(conditions: Conditions, *, owner: bool) -> DenyReason | None:
    """Return why the request is refused, or None when it may be admitted.

    The owner's word stands over "deliveries allowed" and "only when nobody is home". The order
    matters: the first reason that applies is the one the owner and the courier see.
    """
    if conditions.visit_running:
        return DenyReason.VISIT_RUNNING
    if not owner and not conditions.accepting:
        return DenyReason.NOT_ACCEPTING
    if conditions.lock_state in UNAVAILABLE_LOCK_STATES:
        return DenyReason.LOCK_UNAVAILABLE
    if conditions.lock_state == "jammed":
        return DenyReason.LOCK_JAMMED
    if conditions.has_door_sensor and conditions.door_open is None:
        return DenyReason.DOOR_UNKNOWN
    if conditions.door_open:
        return DenyReason.DOOR_OPEN
    if conditions.camera_required and not conditions.camera_ok:
        return DenyReason.CAMERA_UNAVAILABLE
    if not owner and conditions.only_when_away and conditions.someone_home:
        return DenyReason.SOMEONE_HOME
    return None

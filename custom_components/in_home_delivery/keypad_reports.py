"""What a lock reports of its keypad, in each family's own event: a code used (by slot), or a wrong code.

- Z-Wave JS: `zwave_js_notification`, Notification CC (113), Access Control (type 6): event 6 "Keypad
  unlock operation" with `parameters.userId`; wrong codes: Access Control event 19 ("user code entered
  too often") and Home Security (type 7) event 4 ("Tampering, invalid code").
- ZHA: `zha_event` `operation_event_notification` with `args` `source`, `operation`, `code_slot`.
- Matter: the lock's `changed_by` becomes `Keypad` on its unlock (Matter does not say which user).
- script: nothing is reported; an unlock while a managed code is on the lock is taken as its use.
The event must come from the wrapped lock's device.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.core import Event, HomeAssistant, State, callback
from homeassistant.helpers import entity_registry as er

ZWAVE_EVENT = "zwave_js_notification"
ZHA_EVENT = "zha_event"
NOTIFICATION_CC = 113
ACCESS_CONTROL = 6
HOME_SECURITY = 7
KEYPAD_UNLOCK = 6
CODE_LIMIT_EXCEEDED = 19
TAMPERING_INVALID_CODE = 4
ZHA_WRONG = ("UnlockFailure_invalid_pin_or_ID", "LockFailure_invalid_pin_or_ID")
NO_SLOT = -1  # a use reported without its slot (Matter, script)


@dataclass(frozen=True, kw_only=True)
class KeypadReport:
    """A code used at the keypad (slot NO_SLOT: unknown which), or a wrong code typed."""

    slot: int = NO_SLOT
    wrong: bool = False


def zwave_report(data: Mapping[str, Any]) -> KeypadReport | None:
    """A Z-Wave JS notification as a keypad report, if it is one."""
    if data.get("command_class") != NOTIFICATION_CC:
        return None
    kind, event = data.get("type"), data.get("event")
    if kind == ACCESS_CONTROL and event == KEYPAD_UNLOCK:
        user = (data.get("parameters") or {}).get("userId")
        return KeypadReport(slot=int(user)) if isinstance(user, int) else None
    if (kind, event) in ((ACCESS_CONTROL, CODE_LIMIT_EXCEEDED), (HOME_SECURITY, TAMPERING_INVALID_CODE)):
        return KeypadReport(wrong=True)
    return None


def zha_report(data: Mapping[str, Any]) -> KeypadReport | None:
    """A ZHA lock's operation event as a keypad report, if it is one."""
    if data.get("command") != "operation_event_notification":
        return None
    args = data.get("args") or {}
    if args.get("operation") in ZHA_WRONG:
        return KeypadReport(wrong=True)
    slot = args.get("code_slot")
    if args.get("source") == "Keypad" and args.get("operation") == "Unlock" and isinstance(slot, int):
        return KeypadReport(slot=slot)
    return None


def unlock_is_code(provider: str, new_state: State | None) -> bool:
    """Whether an unlock outside a visit is a code's, where the lock's family does not send an event."""
    if new_state is None or new_state.state != "unlocked":
        return False
    if provider == "matter":
        return new_state.attributes.get("changed_by") == "Keypad"
    return provider == "script"


@callback
def async_follow_keypad(
    hass: HomeAssistant, provider: str, lock: str, on_report: Callable[[KeypadReport], None]
) -> Callable[[], None] | None:
    """Listen for the lock family's keypad events, from the wrapped lock's device only."""
    parse = {"zwave_js": (ZWAVE_EVENT, zwave_report), "zha": (ZHA_EVENT, zha_report)}.get(provider)
    if parse is None:
        return None
    event_type, read = parse

    @callback
    def _on_event(event: Event[Mapping[str, Any]]) -> None:
        entry = er.async_get(hass).async_get(lock)
        if entry is None or entry.device_id is None or event.data.get("device_id") != entry.device_id:
            return
        if (report := read(event.data)) is not None:
            on_report(report)

    return hass.bus.async_listen(event_type, _on_event)

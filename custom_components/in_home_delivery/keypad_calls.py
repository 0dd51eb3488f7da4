"""Writing and clearing a code slot, in each lock family's own actions.

A code is a secret: an action called through the bus is fired as a `call_service` event with its data,
which the recorder keeps and every event subscriber sees. So the action's handler is run directly,
with the action's own schema, and the code never travels on the bus.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceNotFound

from .core.codes import Keypad

type Action = tuple[str, str, dict[str, Any]]


def set_action(keypad: Keypad, lock: str, slot: int, secret: str) -> Action:
    """The action that writes the code to the slot."""
    match keypad.provider:
        case "zwave_js":
            return "zwave_js", "set_lock_usercode", {ATTR_ENTITY_ID: lock, "code_slot": slot, "usercode": secret}
        case "zha":
            return "zha", "set_lock_user_code", {ATTR_ENTITY_ID: lock, "code_slot": slot, "user_code": secret}
        case "matter":
            data = {ATTR_ENTITY_ID: lock, "credential_type": "pin", "credential_data": secret, "credential_index": slot}
            return "matter", "set_lock_credential", data
        case _:
            return _script(keypad.set_script, {"slot": slot, "code": secret})


def clear_action(keypad: Keypad, lock: str, slot: int) -> Action:
    """The action that empties the slot."""
    match keypad.provider:
        case "zwave_js":
            return "zwave_js", "clear_lock_usercode", {ATTR_ENTITY_ID: lock, "code_slot": slot}
        case "zha":
            return "zha", "clear_lock_user_code", {ATTR_ENTITY_ID: lock, "code_slot": slot}
        case "matter":
            return (
                "matter",
                "clear_lock_credential",
                {ATTR_ENTITY_ID: lock, "credential_type": "pin", "credential_index": slot},
            )
        case _:
            return _script(keypad.clear_script, {"slot": slot})


def _script(entity_id: str | None, variables: dict[str, Any]) -> Action:
    """An owner's script, run with the slot (and code) as its variables; the call waits for it to finish."""
    return "script", (entity_id or "").removeprefix("script."), variables


async def async_call_quietly(hass: HomeAssistant, action: Action) -> None:
    """Run an action's handler with its schema, without a `call_service` event; raise what it raises."""
    domain, service, data = action
    handler = hass.services.async_services_for_domain(domain).get(service)
    if handler is None:
        raise ServiceNotFound(domain, service)
    payload: Mapping[str, Any] = handler.schema(dict(data)) if handler.schema is not None else data
    result = hass.async_run_hass_job(handler.job, ServiceCall(hass, domain, service, dict(payload), Context()))
    if result is not None:
        await result

"""The wrapped lock's keypad, behind each lock family's real actions and events.

Each family's actions are registered under their real names with their real fields, and its keypad
reports are fired in their real shapes (from the lock's own device), so the integration meets them as
it would meet Z-Wave JS, ZHA, Matter, or an owner's scripts.
"""

from __future__ import annotations

import asyncio
from typing import Any

import probatio as vol
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component

from .conftest import LOCK
from .helpers import set_lock_state

SLOTS = [20, 21, 22]


def keypad_data(provider: str, **more: Any) -> dict[str, Any]:
    """The entry data's `keypad` for a provider, with slots 20-22."""
    data: dict[str, Any] = {"provider": provider, "slots": SLOTS, "code_length": 6}
    if provider == "script":
        data |= {"set_script": "script.keypad_set_code", "clear_script": "script.keypad_clear_code"}
    return data | more


class LockKeypad:
    """A lock's code memory: what each slot holds, and faults the test turns on."""

    def __init__(self, hass: HomeAssistant, provider: str) -> None:
        """Belong to the wrapped lock."""
        self.hass = hass
        self.provider = provider
        self.slots: dict[int, str] = {}
        self.clears_fail = False
        self.writes_fail = False
        self.writes = 0
        self.clears = 0
        self.device_id = ""
        # Faults for the review's tests (tests/test_keypad_review.py):
        self.delay = 0.0  # seconds, by Home Assistant's clock, that each write and clear takes
        self.clears_hang: set[int] = set()  # slots whose clear does not answer until `answer` is set (or times out)
        self.answer = asyncio.Event()
        self.rejected: set[str] = set()  # codes the lock refuses to take (a duplicate of one of its own)
        self.taken: list[tuple[str, int, str | None]] = []  # every write and clear the lock took, in order

    async def async_setup(self) -> None:
        """Register the family's actions, and put the lock on a device of that family."""
        family = MockConfigEntry(domain=self.provider if self.provider != "script" else "nuki")
        family.add_to_hass(self.hass)
        device = dr.async_get(self.hass).async_get_or_create(
            config_entry_id=family.entry_id, identifiers={("keypad_test", "front_lock")}, name="Front lock"
        )
        self.device_id = device.id
        er.async_get(self.hass).async_update_entity(LOCK, device_id=device.id)
        entity = {vol.Required(ATTR_ENTITY_ID): cv.entity_ids}
        slot = vol.Coerce(int)
        match self.provider:
            case "zwave_js":
                self._register(
                    "set_lock_usercode", {**entity, "code_slot": slot, "usercode": cv.string}, "code_slot", "usercode"
                )
                self._register("clear_lock_usercode", {**entity, "code_slot": slot}, "code_slot")
            case "zha":
                self._register(
                    "set_lock_user_code",
                    {**entity, "code_slot": slot, "user_code": cv.string},
                    "code_slot",
                    "user_code",
                )
                self._register("clear_lock_user_code", {**entity, "code_slot": slot}, "code_slot")
            case "matter":
                credential = {**entity, "credential_type": vol.In(["pin", "rfid"]), "credential_index": slot}
                fields = {**credential, "credential_data": cv.string, vol.Optional("user_index"): slot}
                self._register("set_lock_credential", fields, "credential_index", "credential_data")
                self._register("clear_lock_credential", credential, "credential_index")
            case "script":
                # The owner's two scripts, as Home Assistant runs them; they hand over to the lock's bridge.
                self.hass.services.async_register("nuki_bridge", "set_code", self._set_from("slot", "code"))
                self.hass.services.async_register("nuki_bridge", "clear_code", self._clear_from("slot"))
                bridge = {"slot": "{{ slot }}", "code": "{{ code }}"}
                scripts = {
                    "keypad_set_code": {"sequence": [{"action": "nuki_bridge.set_code", "data": bridge}]},
                    "keypad_clear_code": {
                        "sequence": [{"action": "nuki_bridge.clear_code", "data": {"slot": "{{ slot }}"}}]
                    },
                }
                assert await async_setup_component(self.hass, "script", {"script": scripts})

    def _register(self, service: str, fields: dict[Any, Any], slot_field: str, code_field: str | None = None) -> None:
        handler = self._set_from(slot_field, code_field) if code_field else self._clear_from(slot_field)
        self.hass.services.async_register(self.provider, service, handler, schema=vol.Schema(fields))

    def _set_from(self, slot_field: str, code_field: str) -> Any:
        async def set_code(call: ServiceCall) -> None:
            if self.writes_fail or str(call.data[code_field]) in self.rejected:
                raise HomeAssistantError("the lock did not answer")
            if self.delay:
                await asyncio.sleep(self.delay)
            self.writes += 1
            self.slots[int(call.data[slot_field])] = str(call.data[code_field])
            self.taken.append(("set", int(call.data[slot_field]), str(call.data[code_field])))

        return set_code

    def _clear_from(self, slot_field: str) -> Any:
        async def clear_code(call: ServiceCall) -> None:
            if self.clears_fail:
                raise HomeAssistantError("the lock did not answer")
            if int(call.data[slot_field]) in self.clears_hang:
                await self.answer.wait()
            if self.delay:
                await asyncio.sleep(self.delay)
            self.clears += 1
            self.slots.pop(int(call.data[slot_field]), None)
            self.taken.append(("clear", int(call.data[slot_field]), None))

        return clear_code

    def holds(self, code: str) -> bool:
        """Whether the code is in one of the lock's slots."""
        return code in self.slots.values()

    async def type_code(self, code: str) -> bool:
        """Someone types a code at the lock: it opens for a code it holds and reports it in its family's way."""
        slot = next((slot for slot, held in self.slots.items() if held == code), None)
        if slot is None:
            self._report_wrong()
            await self.hass.async_block_till_done()
            return False
        await set_lock_state(self.hass, "unlocked")
        if self.provider == "matter":  # the lock's LockOperation event names its source
            state = self.hass.states.get(LOCK)
            assert state is not None
            self.hass.states.async_set(LOCK, "unlocked", {**state.attributes, "changed_by": "Keypad"})
        self._report_use(slot)
        await self.hass.async_block_till_done()
        return True

    def report_use(self, slot: int) -> None:
        """The lock reports a keypad unlock of the slot, and nothing else (a duplicate, a late or a stray report)."""
        self._report_use(slot)

    def _report_use(self, slot: int) -> None:
        if self.provider == "zwave_js":
            self.hass.bus.async_fire(
                "zwave_js_notification", self._zwave(6, 6, "Keypad unlock operation", {"userId": slot})
            )
        elif self.provider == "zha":
            self.hass.bus.async_fire("zha_event", self._zha("Unlock", slot))

    def _report_wrong(self) -> None:
        if self.provider == "zwave_js":
            self.hass.bus.async_fire("zwave_js_notification", self._zwave(7, 4, "Tampering, invalid code", {}))
        elif self.provider == "zha":
            self.hass.bus.async_fire("zha_event", self._zha("UnlockFailure_invalid_pin_or_ID", 0))

    def _zwave(self, kind: int, event: int, label: str, parameters: dict[str, Any]) -> dict[str, Any]:
        """A Z-Wave JS notification event, as its integration fires it."""
        return {
            "domain": "zwave_js",
            "node_id": 12,
            "home_id": 3967834102,
            "endpoint": 0,
            "device_id": self.device_id,
            "command_class": 113,
            "command_class_name": "Notification",
            "label": "Access Control" if kind == 6 else "Home Security",
            "type": kind,
            "event": event,
            "event_label": label,
            "parameters": parameters,
        }

    def _zha(self, operation: str, slot: int) -> dict[str, Any]:
        """A ZHA door lock's operation event, as its integration fires it."""
        return {
            "device_ieee": "00:0d:6f:00:0a:90:69:e7",
            "device_id": self.device_id,
            "unique_id": "00:0d:6f:00:0a:90:69:e7:1:0x0101",
            "endpoint_id": 1,
            "cluster_id": 257,
            "command": "operation_event_notification",
            "args": {"source": "Keypad", "operation": operation, "code_slot": slot},
            "params": {},
        }

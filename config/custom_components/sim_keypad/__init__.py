"""The demo's simulated keypad: the code memory of the smart lock in config/simulated_hardware.yaml.

A lock with a keypad keeps its codes in its own memory, where Home Assistant never shows them. So does
this one: the codes live here, in memory and in this integration's own file (.storage/sim_keypad, like
the lock's flash memory they survive a restart), never in an entity's state or attribute, never logged.

- `sim_keypad.set_code` (`slot`, `code`) and `sim_keypad.clear_code` (`slot`) change the memory. The
  owner's two scripts in config/simulated_keypad.yaml call them, as a Nuki Hub owner's scripts would
  publish to the lock over MQTT; In-Home Delivery calls the scripts (its keypad provider `script`).
- `text.smart_lock_keypad` is the keypad at the door: typing a code held in a slot unlocks the lock
  (`input_select.sim_lock_state` -> unlocked); a wrong code does nothing. Its state stays empty.

The Front door entrance is given this keypad as an owner gives one: in its form's *Keypad codes* section
(scripts/dev_bootstrap.py fills it in).
"""

from __future__ import annotations

import logging
from typing import Any

import probatio as vol

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import config_validation as cv, discovery
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

_LOGGER = logging.getLogger(__name__)

DOMAIN = "sim_keypad"
CONF_LOCK_STATE = "lock_state"
DEFAULT_LOCK_STATE = "input_select.sim_lock_state"
STORAGE_VERSION = 1
SLOT = vol.All(vol.Coerce(int), vol.Range(min=1, max=250))
# A code may come through a script's template as a number ("123456" renders as 123456): taken as text.
CODE = vol.All(cv.string, vol.Match(r"^[0-9]{4,12}$"))

CONFIG_SCHEMA = vol.Schema(
    {
        DOMAIN: vol.All(
            lambda value: value or {},
            vol.Schema({vol.Optional(CONF_LOCK_STATE, default=DEFAULT_LOCK_STATE): cv.entity_id}),
        )
    },
    extra=vol.ALLOW_EXTRA,
)


class KeypadMemory:
    """The lock's code slots: what each holds, kept in memory and in the integration's own Store."""

    def __init__(self, hass: HomeAssistant, lock_state: str) -> None:
        """Belong to the simulated lock whose reported state is `lock_state` (an input_select)."""
        self.hass = hass
        self.lock_state = lock_state
        self._store: Store[dict[str, dict[str, str]]] = Store(hass, STORAGE_VERSION, DOMAIN)
        self._slots: dict[int, str] = {}

    async def async_load(self) -> None:
        """Read the memory back (a restart of Home Assistant is no power cut for the lock)."""
        data = await self._store.async_load() or {}
        self._slots = {int(slot): code for slot, code in data.get("slots", {}).items()}

    async def async_set(self, slot: int, code: str) -> None:
        """Hold the code in the slot (replacing what it held)."""
        self._slots[slot] = code
        await self._async_save()

    async def async_clear(self, slot: int) -> None:
        """Empty the slot."""
        self._slots.pop(slot, None)
        await self._async_save()

    async def _async_save(self) -> None:
        await self._store.async_save({"slots": {str(slot): code for slot, code in sorted(self._slots.items())}})

    @property
    def slots_in_use(self) -> list[int]:
        """The slots that hold a code (the codes themselves are never shown)."""
        return sorted(self._slots)

    async def async_type(self, code: str) -> bool:
        """Someone types a code at the door: one the lock holds unlocks it; any other does nothing."""
        if not code or code not in self._slots.values():
            _LOGGER.debug("A code was typed that the lock does not hold")
            return False
        _LOGGER.debug("A code the lock holds was typed: unlocking")
        await self.hass.services.async_call(
            "input_select", "select_option", {"entity_id": self.lock_state, "option": "unlocked"}, blocking=True
        )
        return True


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up the keypad's memory, its actions, and the keypad at the door."""
    memory = KeypadMemory(hass, config[DOMAIN][CONF_LOCK_STATE])
    await memory.async_load()
    hass.data[DOMAIN] = memory

    async def set_code(call: ServiceCall) -> None:
        await memory.async_set(call.data["slot"], call.data["code"])

    async def clear_code(call: ServiceCall) -> None:
        await memory.async_clear(call.data["slot"])

    hass.services.async_register(
        DOMAIN, "set_code", set_code, schema=vol.Schema({vol.Required("slot"): SLOT, vol.Required("code"): CODE})
    )
    hass.services.async_register(DOMAIN, "clear_code", clear_code, schema=vol.Schema({vol.Required("slot"): SLOT}))
    hass.async_create_task(discovery.async_load_platform(hass, Platform.TEXT, DOMAIN, {}, config))
    return True

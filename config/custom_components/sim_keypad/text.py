"""The keypad at the door: a text entity in password mode whose state never keeps what was typed."""

from __future__ import annotations

from homeassistant.components.text import TextEntity, TextMode
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType

from . import DOMAIN, KeypadMemory


async def async_setup_platform(
    hass: HomeAssistant,
    config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None = None,
) -> None:
    """Add the keypad of the simulated lock."""
    if discovery_info is not None:
        async_add_entities([Keypad(hass.data[DOMAIN])])


class Keypad(TextEntity):
    """Type a code and press Enter: the lock opens for a code it holds; nothing happens for any other."""

    _attr_name = "Smart lock keypad"
    _attr_unique_id = "sim_smart_lock_keypad"
    _attr_icon = "mdi:dialpad"
    _attr_mode = TextMode.PASSWORD
    _attr_native_min = 0
    _attr_native_max = 12
    _attr_pattern = "^[0-9]*$"
    _attr_native_value = ""  # what was typed is never kept: the state stays empty
    _attr_should_poll = False

    def __init__(self, memory: KeypadMemory) -> None:
        """Belong to the lock's code memory."""
        self._memory = memory

    async def async_set_value(self, value: str) -> None:
        """A code was typed at the door."""
        await self._memory.async_type(value)

"""The base entity of an entrance."""

from __future__ import annotations

from typing import override

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import DOMAIN
from .controller import EntranceController


class InHomeDeliveryEntity(Entity):
    """An entity of the entrance's own device, updated whenever the controller changes."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, *, controller: EntranceController, description: EntityDescription) -> None:
        """Attach the entity to its entrance."""
        self.controller = controller
        self.entity_description = description
        entry = controller.entry
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=controller.name,
            manufacturer="In-Home Delivery",
            model="Entrance",
            entry_type=DeviceEntryType.SERVICE,
        )

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the controller."""
        await super().async_added_to_hass()
        self.async_on_remove(self.controller.add_listener(self.async_write_ha_state))

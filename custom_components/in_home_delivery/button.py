"""Button of an entrance: end the running visit."""

from __future__ import annotations

from typing import override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import InHomeDeliveryConfigEntry
from .entity import InHomeDeliveryEntity

PARALLEL_UPDATES = 1

END_VISIT = ButtonEntityDescription(key="end_visit", translation_key="end_visit")


async def async_setup_entry(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the end-visit button."""
    async_add_entities([EndVisitButton(coordinator=entry.runtime_data.coordinator, description=END_VISIT)])


class EndVisitButton(InHomeDeliveryEntity, ButtonEntity):
    """Lock now and end the running visit."""

    @override
    async def async_press(self) -> None:
        """End the visit."""
        await self.commands.async_end_visit()

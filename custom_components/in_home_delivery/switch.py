"""Switch of an entrance: whether it accepts visits, restored across restarts."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import STATE_OFF
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .data import InHomeDeliveryConfigEntry
from .entity import InHomeDeliveryEntity

PARALLEL_UPDATES = 0

DELIVERIES_ALLOWED = SwitchEntityDescription(key="deliveries_allowed", translation_key="deliveries_allowed")


async def async_setup_entry(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the deliveries-allowed switch."""
    async_add_entities(
        [DeliveriesAllowedSwitch(coordinator=entry.runtime_data.coordinator, description=DELIVERIES_ALLOWED)]
    )


class DeliveriesAllowedSwitch(InHomeDeliveryEntity, SwitchEntity, RestoreEntity):
    """Off: couriers and guests are turned away (the owner can still admit)."""

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the last choice."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None:
            self.commands.set_accepting(last.state != STATE_OFF)

    @property
    @override
    def is_on(self) -> bool:
        """Return whether the entrance accepts visits."""
        return self.snapshot.accepting

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Accept visits."""
        self.commands.set_accepting(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn visits away."""
        self.commands.set_accepting(False)

"""The base entity of an entrance."""

from __future__ import annotations

from typing import override

from homeassistant.const import ATTR_SUPPORTED_FEATURES, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, State, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import EntranceCommands, EntranceCoordinator, EntranceSnapshot


class InHomeDeliveryEntity(CoordinatorEntity[EntranceCoordinator]):
    """An entity of the entrance's own device: it reads the entrance's snapshot, and acts through its commands."""

    _attr_has_entity_name = True

    def __init__(self, *, coordinator: EntranceCoordinator, description: EntityDescription) -> None:
        """Attach the entity to its entrance."""
        super().__init__(coordinator)
        self.entity_description = description
        entry_id = coordinator.entry_id
        self._attr_unique_id = f"{entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry_id)},
            name=coordinator.entrance_name,
            manufacturer="In-Home Delivery",
            model="Entrance",
        )

    @property
    def snapshot(self) -> EntranceSnapshot:
        """The entrance as it was last published."""
        return self.coordinator.data

    @property
    def commands(self) -> EntranceCommands:
        """What the entity may ask of its entrance."""
        return self.coordinator.commands


class MirrorEntity(InHomeDeliveryEntity):
    """An entity that shows a wrapped entity of another integration, following its every change."""

    wrapped: str

    @property
    def wrapped_state(self) -> State | None:
        """The wrapped entity's state (None while it does not exist)."""
        return self.hass.states.get(self.wrapped)

    @property
    def wrapped_features(self) -> int:
        """The wrapped entity's supported features."""
        state = self.wrapped_state
        return int(state.attributes.get(ATTR_SUPPORTED_FEATURES, 0)) if state else 0

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the wrapped entity."""
        await super().async_added_to_hass()
        self.async_on_remove(async_track_state_change_event(self.hass, self.wrapped, self._on_wrapped_change))

    @callback
    def _on_wrapped_change(self, _event: Event[EventStateChangedData]) -> None:
        self.async_write_ha_state()

    @property
    @override
    def available(self) -> bool:
        """Available while the wrapped entity is."""
        return (state := self.wrapped_state) is not None and state.state != STATE_UNAVAILABLE

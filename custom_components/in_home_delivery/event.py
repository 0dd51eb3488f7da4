"""The entrance's `visit` event entity: every step of every visit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EVENT_IN_HOME_DELIVERY
from .core.commands import EventType
from .data import InHomeDeliveryConfigEntry
from .entity import InHomeDeliveryEntity

PARALLEL_UPDATES = 0

VISIT = EventEntityDescription(
    key="visit", translation_key="visit", event_types=[event_type.value for event_type in EventType]
)


async def async_setup_entry(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the visit event entity."""
    async_add_entities([VisitEvent(coordinator=entry.runtime_data.coordinator, description=VISIT)])


class VisitEvent(InHomeDeliveryEntity, EventEntity):
    """Mirrors the entrance's `in_home_delivery_event`s."""

    @override
    async def async_added_to_hass(self) -> None:
        """Listen to the entrance's bus events."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.hass.bus.async_listen(EVENT_IN_HOME_DELIVERY, self._on_event, event_filter=self._is_ours)
        )

    @callback
    def _is_ours(self, data: Mapping[str, Any]) -> bool:
        return bool(data.get("config_entry_id") == self.coordinator.entry_id)

    @callback
    def _on_event(self, event: Event) -> None:
        data = event.data
        self._trigger_event(
            data["type"],
            {key: data[key] for key in ("visit_id", "pass_id", "pass_kind", "pass_label", "reason")},
        )
        self.async_write_ha_state()

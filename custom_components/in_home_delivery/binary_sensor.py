"""Binary sensor of an entrance: whether a visit is in progress."""

from __future__ import annotations

from typing import override

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import InHomeDeliveryConfigEntry
from .entity import InHomeDeliveryEntity

PARALLEL_UPDATES = 0

VISIT_IN_PROGRESS = BinarySensorEntityDescription(
    key="visit_in_progress", translation_key="visit_in_progress", device_class=BinarySensorDeviceClass.RUNNING
)


async def async_setup_entry(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the visit-in-progress sensor."""
    async_add_entities(
        [VisitInProgressSensor(coordinator=entry.runtime_data.coordinator, description=VISIT_IN_PROGRESS)]
    )


class VisitInProgressSensor(InHomeDeliveryEntity, BinarySensorEntity):
    """On from the decision to unlock until the lock is confirmed locked."""

    @property
    @override
    def is_on(self) -> bool:
        """Return whether a visit is open."""
        return self.snapshot.visit_running

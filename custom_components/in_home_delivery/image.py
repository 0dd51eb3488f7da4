"""The entrance's `last_visit_snapshot` image: the newest picture of any visit."""

from __future__ import annotations

from datetime import datetime
from typing import override

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EntranceCoordinator
from .data import InHomeDeliveryConfigEntry
from .entity import InHomeDeliveryEntity

PARALLEL_UPDATES = 0

LAST_VISIT_SNAPSHOT = ImageEntityDescription(key="last_visit_snapshot", translation_key="last_visit_snapshot")


async def async_setup_entry(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the snapshot image where the entrance has a camera."""
    if entry.runtime_data.coordinator.commands.camera:
        async_add_entities(
            [LastVisitSnapshot(hass, coordinator=entry.runtime_data.coordinator, description=LAST_VISIT_SNAPSHOT)]
        )


class LastVisitSnapshot(InHomeDeliveryEntity, ImageEntity):
    """Shows the newest visit picture."""

    _attr_content_type = "image/jpeg"

    def __init__(
        self, hass: HomeAssistant, *, coordinator: EntranceCoordinator, description: ImageEntityDescription
    ) -> None:
        """Set up both parents."""
        super().__init__(coordinator=coordinator, description=description)
        ImageEntity.__init__(self, hass)

    @property
    @override
    def available(self) -> bool:
        """Unavailable until the first visit left a picture (a card then shows that, not a broken image)."""
        return self.snapshot.last_picture is not None

    @property
    @override
    def image_last_updated(self) -> datetime | None:
        """When the newest picture was taken."""
        last = self.snapshot.last_picture
        return last[2] if last else None

    @override
    async def async_image(self) -> bytes | None:
        """The newest picture."""
        if (last := self.snapshot.last_picture) is None:
            return None
        return await self.commands.async_read_picture(last[0], last[1])

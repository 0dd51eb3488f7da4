"""The entrance's camera: mirrors the wrapped camera's stills and stream."""

from __future__ import annotations

from typing import override

from homeassistant.components.camera import (
    Camera,
    CameraEntityDescription,
    async_get_image,
    async_get_stream_source,
)
from homeassistant.components.camera.const import CameraEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EntranceCoordinator
from .data import InHomeDeliveryConfigEntry
from .entity import MirrorEntity

PARALLEL_UPDATES = 0

CAMERA = CameraEntityDescription(key="camera", name=None)


async def async_setup_entry(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the camera mirror where the entrance has a camera."""
    if entry.runtime_data.coordinator.commands.camera:
        async_add_entities([EntranceCamera(coordinator=entry.runtime_data.coordinator, description=CAMERA)])


class EntranceCamera(MirrorEntity, Camera):
    """Shows what the wrapped camera shows."""

    def __init__(self, *, coordinator: EntranceCoordinator, description: CameraEntityDescription) -> None:
        """Set up both parents."""
        super().__init__(coordinator=coordinator, description=description)
        Camera.__init__(self)
        self.wrapped = coordinator.commands.camera or ""

    @property
    @override
    def supported_features(self) -> CameraEntityFeature:
        """Stream where the wrapped camera streams."""
        return CameraEntityFeature(self.wrapped_features)

    @override
    async def async_camera_image(self, width: int | None = None, height: int | None = None) -> bytes | None:
        """Return the wrapped camera's picture."""
        try:
            image = await async_get_image(self.hass, self.wrapped, width=width, height=height)
        except HomeAssistantError:
            return None
        self.content_type = image.content_type
        return image.content

    @override
    async def stream_source(self) -> str | None:
        """Return the wrapped camera's stream."""
        try:
            return await async_get_stream_source(self.hass, self.wrapped)
        except HomeAssistantError:
            return None

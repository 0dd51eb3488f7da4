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
from homeassistant.const import ATTR_SUPPORTED_FEATURES, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_state_change_event

from .controller import EntranceController, InHomeDeliveryConfigEntry
from .entity import InHomeDeliveryEntity

PARALLEL_UPDATES = 0

CAMERA = CameraEntityDescription(key="camera", name=None)


async def async_setup_entry(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the camera mirror where the entrance has a camera."""
    if entry.runtime_data.camera:
        async_add_entities([EntranceCamera(controller=entry.runtime_data, description=CAMERA)])


class EntranceCamera(InHomeDeliveryEntity, Camera):
    """Shows what the wrapped camera shows."""

    def __init__(self, *, controller: EntranceController, description: CameraEntityDescription) -> None:
        """Set up both parents."""
        super().__init__(controller=controller, description=description)
        Camera.__init__(self)
        self.wrapped: str = self.controller.camera or ""

    @property
    def _wrapped(self) -> State | None:
        return self.hass.states.get(self.wrapped)

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the wrapped camera."""
        await super().async_added_to_hass()
        self.async_on_remove(async_track_state_change_event(self.hass, self.wrapped, self._on_wrapped_change))

    @callback
    def _on_wrapped_change(self, _event: Event[EventStateChangedData]) -> None:
        self.async_write_ha_state()

    @property
    @override
    def available(self) -> bool:
        """Available while the wrapped camera is."""
        return (state := self._wrapped) is not None and state.state != STATE_UNAVAILABLE

    @property
    @override
    def supported_features(self) -> CameraEntityFeature:
        """Stream where the wrapped camera streams."""
        state = self._wrapped
        return CameraEntityFeature(state.attributes.get(ATTR_SUPPORTED_FEATURES, 0) if state else 0)

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

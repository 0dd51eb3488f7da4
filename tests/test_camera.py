"""The camera platform of an entrance."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.components.camera import async_get_image
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .conftest import PICTURE, PorchCamera


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the camera platform."""
    return [Platform.CAMERA]


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The entities, their names, classes and states."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_mirrors_the_picture(
    hass: HomeAssistant, init_integration: MockConfigEntry, porch_camera: PorchCamera
) -> None:
    """The entrance's camera serves the wrapped camera's picture, and goes unavailable with it."""
    image = await async_get_image(hass, "camera.front_door")
    assert image.content == PICTURE
    porch_camera.picture = None
    porch_camera.async_write_ha_state()
    await hass.async_block_till_done()
    assert hass.states.get("camera.front_door").state == "unavailable"

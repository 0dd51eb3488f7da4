"""The image platform of an entrance."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .helpers import admit, end_visit

IMAGE = "image.front_door_last_visit_snapshot"


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the image platform."""
    return [Platform.IMAGE]


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The entities, their names, classes and states."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_unavailable_until_the_first_picture(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client: Any
) -> None:
    """Before any visit the image is unavailable (no broken picture, no error); after one it shows it."""
    assert hass.states.get(IMAGE).state == "unavailable"
    client = await hass_client()
    await admit(hass)
    await end_visit(hass)
    await hass.async_block_till_done()
    state = hass.states.get(IMAGE)
    assert state.state != "unavailable"
    response = await client.get(state.attributes["entity_picture"])
    assert response.status == 200
    assert (await response.read()).startswith(b"\xff\xd8")

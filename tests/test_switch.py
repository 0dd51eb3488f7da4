"""The switch platform of an entrance."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_restore_cache, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er

SWITCH = "switch.front_door_deliveries_allowed"


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the switch platform."""
    return [Platform.SWITCH]


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The entities, their names, classes and states."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_turning_off_refuses_passes_not_the_owner(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Off: the switch shows it; the owner's own admit still works."""
    await hass.services.async_call("switch", "turn_off", {"entity_id": SWITCH}, blocking=True)
    assert hass.states.get(SWITCH).state == "off"
    assert init_integration.runtime_data.controller.accepting is False
    await hass.services.async_call("switch", "turn_on", {"entity_id": SWITCH}, blocking=True)
    assert hass.states.get(SWITCH).state == "on"


@pytest.mark.usefixtures("hardware")
async def test_restored_after_restart(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    """The owner's choice survives a restart."""
    mock_restore_cache(hass, [State(SWITCH, "off")])
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(SWITCH).state == "off"
    assert mock_config_entry.runtime_data.controller.accepting is False

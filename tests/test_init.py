"""Setup, unload and reload of an entrance."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .conftest import LOCK


async def test_setup_and_unload(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The entrance loads with its entities, and unloads cleanly."""
    assert init_integration.state is ConfigEntryState.LOADED
    assert hass.states.get("lock.front_door").state == "locked"
    assert hass.states.get("sensor.front_door_visit_phase").state == "idle"
    assert hass.states.get(LOCK).state == "locked"

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get("lock.front_door").state == "unavailable"


async def test_removing_the_entrance_deletes_its_store(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_storage: dict
) -> None:
    """Passes and history go with the entrance."""
    key = f"in_home_delivery.{init_integration.entry_id}"
    assert key in hass_storage
    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage

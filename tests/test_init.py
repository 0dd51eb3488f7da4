"""Setup, unload and reload of an entrance."""

from __future__ import annotations

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .conftest import ENTRY_DATA, LOCK
from .helpers import ENTRY_ID, link_parts, post_link, schedule_now


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


async def test_an_entry_of_0_2_keeps_its_links(
    hass: HomeAssistant,
    hardware: None,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    hass_client_no_auth: Any,
) -> None:
    """An entrance set up by 0.2 (its webhook id in the entrance store) is migrated: the id moves into
    the entry's data unchanged, so the link handed out before still opens the door."""
    webhook_id = "0123456789abcdef0123456789abcdef"
    key = f"{DOMAIN}.{ENTRY_ID}"
    hass_storage[key] = {"version": 1, "minor_version": 2, "key": key, "data": {"webhook_id": webhook_id}}
    assert mock_config_entry.minor_version == 1
    assert CONF_WEBHOOK_ID not in mock_config_entry.data
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()
    assert mock_config_entry.minor_version == 3  # and on to the newest
    assert mock_config_entry.data[CONF_WEBHOOK_ID] == webhook_id
    delivery = await schedule_now(hass)
    assert link_parts(delivery["link"])[0] == f"/api/webhook/{webhook_id}"
    response = await post_link(await hass_client_no_auth(), delivery["link"], "unlock")
    assert response.status == 200


async def test_an_entry_of_a_newer_release_is_not_set_up(hass: HomeAssistant, hardware: None) -> None:
    """An entry written by a newer release (version 2) is left alone: a migration error, not a guess."""
    entry = MockConfigEntry(domain=DOMAIN, data=dict(ENTRY_DATA), version=2, entry_id=ENTRY_ID)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(ENTRY_ID)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR

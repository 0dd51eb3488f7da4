"""A wrapped entity that disappears: the entrance keeps running and a repair issue names it."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .conftest import LIGHT
from .helpers import ENTRY_ID


async def test_missing_entity_raises_and_clears_a_repair(
    hass: HomeAssistant, init_integration: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    """Removing the light raises an issue naming it; its return clears the issue."""
    issue_id = f"missing_{ENTRY_ID}_{LIGHT}"
    state = hass.states.get(LIGHT)
    hass.states.async_remove(LIGHT)
    await hass.async_block_till_done()
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "missing_entity"
    assert issue.translation_placeholders == {"entrance": "Front door", "entity_id": LIGHT}
    assert hass.states.get("sensor.front_door_visit_phase").state == "idle"

    hass.states.async_set(LIGHT, state.state, state.attributes)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_missing_lock_at_start(
    hass: HomeAssistant, hardware: None, mock_config_entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    """An entrance whose lock is gone loads, shows its lock unavailable, and says why."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, data={**mock_config_entry.data, "lock": "lock.gone"})
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_door").state == "unavailable"
    assert issue_registry.async_get_issue(DOMAIN, f"missing_{ENTRY_ID}_lock.gone") is not None

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, f"missing_{ENTRY_ID}_lock.gone") is None

"""The lock platform of an entrance."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .conftest import LOCK
from .helpers import set_lock_state, set_switch


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the lock platform."""
    return [Platform.LOCK]


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The entities, their names, classes and states."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.parametrize("state", ["locked", "unlocked", "locking", "unlocking", "jammed", "open", "opening"])
async def test_mirrors_every_lock_state(hass: HomeAssistant, init_integration: MockConfigEntry, state: str) -> None:
    """The entrance's lock shows exactly what the wrapped lock reports."""
    await set_lock_state(hass, state)
    assert hass.states.get("lock.front_door").state == state


async def test_mirrors_unavailable(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The mirror is unavailable while the wrapped lock is."""
    await set_switch(hass, "input_boolean.sim_lock_online", False)
    assert hass.states.get("lock.front_door").state == "unavailable"
    await set_switch(hass, "input_boolean.sim_lock_online", True)
    assert hass.states.get("lock.front_door").state == "locked"


@pytest.mark.parametrize(("action", "expected"), [("unlock", "unlocked"), ("open", "open"), ("lock", "locked")])
async def test_passes_actions_through(
    hass: HomeAssistant, init_integration: MockConfigEntry, action: str, expected: str
) -> None:
    """Lock, unlock and open on the mirror reach the wrapped lock (the owner's explicit actions)."""
    if action == "lock":
        await set_lock_state(hass, "unlocked")
    await hass.services.async_call("lock", action, {"entity_id": "lock.front_door"}, blocking=True)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == expected
    assert hass.states.get("lock.front_door").state == expected

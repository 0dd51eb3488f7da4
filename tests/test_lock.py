"""The lock platform of an entrance."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations

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


@pytest.mark.parametrize("entry_data", [{"name": "Back yard", "garage_door": "cover.garage_door"}])
async def test_a_garage_entrances_lock_reads_as_its_garage_door(
    hass: HomeAssistant, init_integration: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """At a garage the lock entity is named Garage door, says which cover it opens and closes, and its states
    read as a garage door's (closed, open), in English and German."""
    entity_id = "lock.back_yard_garage_door"
    state = hass.states.get(entity_id)
    assert state.state == "locked"
    assert state.name == "Back yard Garage door"
    assert state.attributes["garage_door"] == "cover.garage_door"
    assert entity_registry.async_get(entity_id).translation_key == "garage_door"
    words = {}
    for language in ("en", "de"):
        texts = await async_get_translations(hass, language, "entity", [DOMAIN])
        key = f"component.{DOMAIN}.entity.lock.garage_door"
        words[language] = (
            texts[f"{key}.name"],
            texts[f"{key}.state.locked"],
            texts[f"{key}.state.unlocked"],
            texts[f"{key}.state_attributes.garage_door.name"],
        )
    assert words == {
        "en": ("Garage door", "Closed", "Open", "Opens and closes (closed = locked)"),
        "de": ("Garagentor", "Geschlossen", "Offen", "Öffnet und schließt (geschlossen = abgeschlossen)"),
    }


async def test_a_doors_lock_is_named_after_its_entrance(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """At a door the lock entity is the entrance itself: no name of its own, no garage attribute."""
    state = hass.states.get("lock.front_door")
    assert state.name == "Front door"
    assert "garage_door" not in state.attributes

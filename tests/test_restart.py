"""A restart during a visit never leaves the door unlocked."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.core import HomeAssistant, ServiceCall

from .conftest import LIGHT, LOCK
from .helpers import ENTRY_ID, PHASE, admit, close_door, open_door, set_lock_state, set_switch, tick


async def reach(hass: HomeAssistant, phase: str) -> None:
    """Bring a visit to a phase."""
    if phase == "unlocking":
        await set_switch(hass, "input_boolean.sim_lock_responds", False)
    await admit(hass)
    if phase in ("inside", "closing"):
        await open_door(hass)
    if phase == "closing":
        await close_door(hass)
    if phase == "unlocking":
        # The unlock was sent; the lock reports it only after Home Assistant went down.
        await set_lock_state(hass, "unlocked")
        await set_switch(hass, "input_boolean.sim_lock_responds", True)
    assert hass.states.get(PHASE).state in (phase, "waiting_for_entry")


@pytest.mark.parametrize("phase", ["unlocking", "waiting_for_entry", "inside", "closing"])
async def test_reload_in_every_phase_locks(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    phone_messages: list[ServiceCall],
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    phase: str,
) -> None:
    """Set the entrance up again mid-visit: the visit is read back, goes to locking, and the door locks."""
    await reach(hass, phase)
    assert hass.states.get(LOCK).state == "unlocked" or phase == "unlocking"
    if phase in ("inside",):
        await close_door(hass)
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert any("restarted during the visit" in call.data["message"] for call in phone_messages)
    await tick(hass, freezer, 2)
    assert hass_storage[f"{DOMAIN}.{ENTRY_ID}.visit"]["data"]["visit"] is None
    assert hass_storage[f"{DOMAIN}.{ENTRY_ID}"]["data"]["history"][-1]["outcome"] == "locked"
    assert hass.states.get(LIGHT).state == "off"


async def test_crash_while_unlocked(
    hass: HomeAssistant,
    hardware: None,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    phone_messages: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant died with the door unlocked and the courier inside: on start, it locks at once."""
    hass_storage[f"{DOMAIN}.{ENTRY_ID}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{ENTRY_ID}",
        "data": {
            "visit": {
                "visit_id": "01JVISIT",
                "pass_id": None,
                "pass_kind": "owner",
                "pass_label": "Owner",
                "started": "2026-11-24T09:00:00+00:00",
                "phase": "inside",
                "door_open": True,
                "lock_state": "unlocked",
                "deadlines": {"door_open_alert": "2026-11-24T09:03:00+00:00"},
                "entered": "2026-11-24T09:00:30+00:00",
            },
            "remembered": {"lights_turned_on": [LIGHT], "alarm_mode": None},
            "history": [],
        },
    }
    await set_lock_state(hass, "unlocked")
    await set_switch(hass, "input_boolean.sim_hall_light", True)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert hass.states.get(LIGHT).state == "off"
    assert any("restarted during the visit" in call.data["message"] for call in phone_messages)
    await tick(hass, freezer, 2)
    assert hass_storage[f"{DOMAIN}.{ENTRY_ID}"]["data"]["history"][-1]["visit_id"] == "01JVISIT"


async def test_visit_is_saved_before_unlocking(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_storage: dict[str, Any], freezer: FrozenDateTimeFactory
) -> None:
    """The running visit is on disk, in a store of its own, by the time the lock opens; the history
    survives."""
    await admit(hass)
    assert hass_storage[f"{DOMAIN}.{ENTRY_ID}.visit"]["data"]["visit"]["pass_label"] == "Owner"
    assert "visit" not in hass_storage[f"{DOMAIN}.{ENTRY_ID}"]["data"]
    await tick(hass, freezer, 121)
    await tick(hass, freezer, 2)
    assert hass_storage[f"{DOMAIN}.{ENTRY_ID}.visit"]["data"]["visit"] is None
    assert len(hass_storage[f"{DOMAIN}.{ENTRY_ID}"]["data"]["history"]) == 1


async def test_restart_with_the_door_open(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
) -> None:
    """The door stands open when Home Assistant comes back: alerts until it closes, then it locks."""
    await admit(hass)
    await open_door(hass)
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(PHASE).state == "inside"
    await tick(hass, freezer, 181)
    assert any("left open" in call.data["message"] for call in phone_messages)
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"

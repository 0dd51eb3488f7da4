"""Auto-lock after any unlock: the tile, a keypad or a key unlocks; the visit's rules lock it again."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.settings import DEFAULT_OPTIONS
from homeassistant.core import Event, HomeAssistant, ServiceCall

from .helpers import close_door, open_door, set_lock_state, set_switch, tick

LOCK = "lock.smart_lock"
PHASE = "sensor.front_door_visit_phase"


@pytest.fixture
def auto_lock() -> bool:
    """Whether the option is on."""
    return True


@pytest.fixture
def entry_options(auto_lock: bool) -> dict[str, Any]:
    """Front door with Auto-lock after any unlock."""
    return DEFAULT_OPTIONS | {"auto_lock": auto_lock}


async def unlock_by_hand(hass: HomeAssistant) -> None:
    """Someone turns the key (the simulated lock reports unlocked by itself)."""
    await set_lock_state(hass, "unlocked")


async def test_locks_again_once_the_door_is_closed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    bus_events: list[Event],
) -> None:
    """Unlocked by hand, the door opened and closed: locked after the relock delay, quietly."""
    await unlock_by_hand(hass)
    assert hass.states.get(PHASE).state == "waiting_for_entry"
    await open_door(hass)
    await close_door(hass)
    assert hass.states.get(LOCK).state == "unlocked"
    await tick(hass, freezer, DEFAULT_OPTIONS["relock_delay"] + 1)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    completed = [event.data for event in bus_events if event.data["type"] == "completed"]
    assert [(data["pass_kind"], data["admitted_by"], data["reason"]) for data in completed] == [
        ("owner", "auto_lock", None)
    ]
    assert phone_messages == []  # coming home is not news


async def test_locks_again_when_nobody_opens(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Unlocked by hand and the door never opened: locked after the entry timeout."""
    await unlock_by_hand(hass)
    await tick(hass, freezer, DEFAULT_OPTIONS["entry_timeout"] - 5)
    assert hass.states.get(LOCK).state == "unlocked"
    await tick(hass, freezer, 10)
    assert hass.states.get(LOCK).state == "locked"


async def test_a_jam_after_an_unlock_by_hand_alerts(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
) -> None:
    """The same fail-secure rules as a visit: a lock that jams raises the critical alert."""
    await set_switch(hass, "input_boolean.sim_lock_jams", True)
    await unlock_by_hand(hass)
    await tick(hass, freezer, DEFAULT_OPTIONS["entry_timeout"] + 1)
    await hass.async_block_till_done()
    assert hass.states.get(PHASE).state == "relock_failed"
    assert phone_messages
    assert all(call.data["data"]["push"]["interruption-level"] == "critical" for call in phone_messages)


@pytest.mark.parametrize("auto_lock", [False])
async def test_off_by_default_leaves_the_lock_to_you(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Without the option an unlock by hand is yours: nothing locks it."""
    await unlock_by_hand(hass)
    await tick(hass, freezer, DEFAULT_OPTIONS["entry_timeout"] + DEFAULT_OPTIONS["max_visit"])
    assert hass.states.get(LOCK).state == "unlocked"
    assert hass.states.get(PHASE).state == "idle"


async def test_unlocked_at_start_is_locked(
    hass: HomeAssistant, hardware: None, mock_config_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The lock is unlocked when Home Assistant starts: with the option on it locks after the entry timeout."""
    await set_lock_state(hass, "unlocked")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(PHASE).state == "waiting_for_entry"
    await tick(hass, freezer, DEFAULT_OPTIONS["entry_timeout"] + 1)
    assert hass.states.get(LOCK).state == "locked"

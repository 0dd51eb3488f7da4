"""A restart during a visit never leaves the door unlocked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.util import dt as dt_util

from .conftest import LIGHT, LOCK
from .helpers import (
    ENTRY_ID,
    PHASE,
    admit,
    close_door,
    open_door,
    post_link,
    schedule_now,
    set_lock_state,
    set_switch,
    tick,
)


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
    assert any(
        "Home Assistant restarted before the door was locked again" in call.data["message"] for call in phone_messages
    )
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
    assert any(
        "Home Assistant restarted before the door was locked again" in call.data["message"] for call in phone_messages
    )
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


def local_time(when: datetime) -> str:
    """A moment of today as the owner reads it."""
    return f"today {dt_util.as_local(when):%H:%M}"


async def test_the_owner_hears_of_the_restart_not_a_long_visit(
    hass: HomeAssistant,
    link_client: Any,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    bus_events: list[Event],
) -> None:
    """Home Assistant is down for 40 minutes in the middle of a delivery: the owner's last message says it
    restarted during the visit, when the visit began and when the door was locked after the restart,
    not that the visit lasted 40 minutes."""
    link = (await schedule_now(hass))["link"]
    assert (await post_link(link_client, link, "unlock")).status == 200
    await hass.async_block_till_done()
    started = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.controller.visit.started
    await hass.config_entries.async_unload(ENTRY_ID)
    freezer.tick(timedelta(minutes=40))  # Home Assistant is down
    locked = dt_util.utcnow()
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    await tick(hass, freezer, 2)
    messages = [call.data["message"] for call in phone_messages]
    assert (
        "Home Assistant restarted during the visit of DHL; the door is locked now, or as soon as it is closed."
        in messages
    )
    assert messages[-1] == (
        f"Home Assistant restarted during the visit of DHL (started {local_time(started)}); "
        f"the door was locked after the restart ({local_time(locked)})."
    )
    assert not [message for message in messages if "40 min" in message or "ended after" in message]
    completed = next(event for event in reversed(bus_events) if event.data["type"] == "completed")
    assert completed.data["resumed"] is True
    assert completed.data["duration"] == 40 * 60  # the event keeps the whole length, for automations


async def test_a_visit_without_a_restart_says_how_long_it_took(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    bus_events: list[Event],
) -> None:
    """The ordinary end: its length, rounded once, the same in the message and in the event."""
    await admit(hass)
    freezer.tick(timedelta(seconds=9.6))  # the lock reports unlocked a moment after the call
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 10)
    completed = next(event for event in reversed(bus_events) if event.data["type"] == "completed")
    assert completed.data["resumed"] is False
    assert completed.data["duration"] == 20
    assert phone_messages[-1].data["message"] == "The visit you let in ended after 20 s; the door is locked."

"""Critical alerts a phone can act on: Lock now ends the visit (once, for an hour); Show camera opens it."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant, ServiceCall

from .conftest import CAMERA
from .helpers import admit, close_door, end_visit, open_door, set_switch, tick

LOCK = "lock.smart_lock"
PHASE = "sensor.front_door_visit_phase"
ACTION_EVENT = "mobile_app_notification_action"


def lock_now_of(phone_messages: list[ServiceCall]) -> str:
    """The Lock now button's action id of the last critical alert, checking the alert's buttons."""
    alert = [
        call for call in phone_messages if call.data["data"].get("push", {}).get("interruption-level") == "critical"
    ][-1]
    buttons: list[dict[str, Any]] = alert.data["data"]["actions"]
    assert [button["title"] for button in buttons] == ["Lock now", "Show camera"]
    assert buttons[1] == {"action": "URI", "title": "Show camera", "uri": f"entityId:{CAMERA}"}
    assert alert.data["data"]["clickAction"] == f"entityId:{CAMERA}"
    return str(buttons[0]["action"])


async def jammed_visit(hass: HomeAssistant) -> None:
    """A visit whose lock jams when it should lock again; then the jam clears (but nobody retries yet)."""
    await admit(hass)
    await set_switch(hass, "input_boolean.sim_lock_jams", True)
    await end_visit(hass)
    assert hass.states.get(PHASE).state == "relock_failed"
    await set_switch(hass, "input_boolean.sim_lock_jams", False)
    assert hass.states.get(LOCK).state == "jammed"


async def answer(hass: HomeAssistant, action: str) -> None:
    """The owner taps a button on a phone."""
    hass.bus.async_fire(ACTION_EVENT, {"action": action})
    await hass.async_block_till_done()


async def test_lock_now_ends_the_visit_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, phone_messages: list[ServiceCall]
) -> None:
    """Lock now locks at once; the same button later (a replay, another phone) does nothing."""
    await jammed_visit(hass)
    action = lock_now_of(phone_messages)
    await answer(hass, action)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"

    await jammed_visit(hass)
    await answer(hass, action)  # the first alert's button, replayed during the second visit
    assert hass.states.get(PHASE).state == "relock_failed"
    assert hass.states.get(LOCK).state == "jammed"
    await answer(hass, lock_now_of(phone_messages))
    assert hass.states.get(LOCK).state == "locked"


async def test_lock_now_expires(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    phone_messages: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A button older than an hour does nothing; the visit keeps trying by itself."""
    await admit(hass)
    await set_switch(hass, "input_boolean.sim_lock_jams", True)
    await end_visit(hass)
    action = lock_now_of(phone_messages)
    await tick(hass, freezer, 3600 + 1)
    await set_switch(hass, "input_boolean.sim_lock_jams", False)
    await answer(hass, action)
    assert hass.states.get(PHASE).state == "relock_failed"


async def test_one_message_in_place_per_visit(
    hass: HomeAssistant, init_integration: MockConfigEntry, phone_messages: list[ServiceCall]
) -> None:
    """A visit's news replaces itself on the phone (one tag), its alerts stay apart, the next visit is new."""
    await admit(hass)
    await open_door(hass)
    await close_door(hass)
    await end_visit(hass)
    first = {call.data["data"]["tag"] for call in phone_messages}
    assert len(first) == 1
    phone_messages.clear()
    await jammed_visit(hass)
    tags = [call.data["data"]["tag"] for call in phone_messages]
    critical = {
        call.data["data"]["tag"]
        for call in phone_messages
        if call.data["data"].get("push", {}).get("interruption-level") == "critical"
    }
    assert len(set(tags)) == 2  # the second visit's news, and its alert apart
    assert not set(tags) & first
    assert len(critical) == 1
    assert critical < set(tags)

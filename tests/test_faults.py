"""Fault injection through a real Home Assistant: whatever the hardware does, the door ends locked or the
owner holds a critical alert and a repair issue.

The simulated lock of config/ can go offline, ignore, jam, hang or fail; the door contact can die; the
camera can vanish, freeze or hang; lights, the alarm and a notify target can fail.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.in_home_delivery.const import DOMAIN, EVENT_IN_HOME_DELIVERY
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from .conftest import DOOR, LOCK, PorchCamera
from .helpers import ENTRY_ID, PHASE, admit, close_door, end_visit, open_door, set_switch, tick

RELOCK_ISSUE = f"relock_failed_{ENTRY_ID}"
SENSOR_ISSUE = f"door_sensor_lost_{ENTRY_ID}"
pytestmark = pytest.mark.usefixtures("init_integration")


@pytest.fixture
def lock_calls(hass: HomeAssistant) -> list[tuple[str, str]]:
    """Every lock.lock sent to the wrapped lock, with the door contact's state at that moment."""
    calls: list[tuple[str, str]] = []

    def record(event: Event) -> None:
        data = event.data
        if data["domain"] == "lock" and data["service"] == "lock" and LOCK in str(data["service_data"]["entity_id"]):
            door = hass.states.get(DOOR)
            calls.append(("lock", door.state if door else "missing"))

    hass.bus.async_listen(EVENT_CALL_SERVICE, record)
    return calls


def critical(messages: list[ServiceCall], text: str) -> bool:
    """Whether the owner's phone got a critical notification containing text."""
    return any(
        text in call.data["message"] and call.data["data"]["push"]["interruption-level"] == "critical"
        for call in messages
    )


async def settle(hass: HomeAssistant) -> None:
    """Let ready callbacks run without waiting for tasks that hang on purpose."""
    for _ in range(200):
        await asyncio.sleep(0)


async def inside_then_closed(hass: HomeAssistant) -> None:
    """A visit whose visitor went in and closed the door behind them."""
    await admit(hass)
    await open_door(hass)
    await close_door(hass)


@pytest.mark.parametrize("offline_in", ["inside", "closing", "locking"])
@pytest.mark.parametrize("alerted", [False, True])
async def test_lock_offline_then_back_locks_at_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    issue_registry: ir.IssueRegistry,
    offline_in: str,
    alerted: bool,
) -> None:
    """The lock drops off the network while the visitor is inside, closing or locking; when it is back,
    unlocked, it is locked at once, before the alert (no wait for a timer) or after it."""
    await admit(hass)
    await open_door(hass)
    if offline_in == "inside":
        await set_switch(hass, "input_boolean.sim_lock_online", False)
    await close_door(hass)
    if offline_in == "closing":
        await set_switch(hass, "input_boolean.sim_lock_online", False)
    if offline_in == "locking":
        await set_switch(hass, "input_boolean.sim_lock_responds", False)
        await tick(hass, freezer, 11)
        await set_switch(hass, "input_boolean.sim_lock_online", False)
        await set_switch(hass, "input_boolean.sim_lock_responds", True)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "unavailable"
    if alerted:
        for _ in range(4):
            await tick(hass, freezer, 60)
        assert hass.states.get(PHASE).state == "relock_failed"
        assert critical(phone_messages, "could NOT be locked")
        assert issue_registry.async_get_issue(DOMAIN, RELOCK_ISSUE) is not None
    await set_switch(hass, "input_boolean.sim_lock_online", True)  # back, and still unlocked
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert issue_registry.async_get_issue(DOMAIN, RELOCK_ISSUE) is None


async def test_lock_appears_three_minutes_after_a_restart(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    issue_registry: ir.IssueRegistry,
) -> None:
    """Home Assistant starts while the lock's own integration is still coming up: the visit cannot lock,
    alerts, keeps trying, and locks the moment the lock appears, unlocked, three minutes later."""
    await admit(hass)
    await open_door(hass)
    await close_door(hass)
    await set_switch(hass, "input_boolean.sim_lock_online", False)
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert any(
        "Home Assistant restarted before the door was locked again" in call.data["message"] for call in phone_messages
    )
    for _ in range(3):
        await tick(hass, freezer, 60)
    assert hass.states.get(PHASE).state == "relock_failed"
    assert issue_registry.async_get_issue(DOMAIN, RELOCK_ISSUE) is not None
    await set_switch(hass, "input_boolean.sim_lock_online", True)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert issue_registry.async_get_issue(DOMAIN, RELOCK_ISSUE) is None


async def press_end_button(hass: HomeAssistant) -> None:
    """The End visit button of the entrance."""
    await hass.services.async_call("button", "press", {"entity_id": "button.front_door_end_visit"}, blocking=True)
    await hass.async_block_till_done()


async def lock_the_mirror(hass: HomeAssistant) -> None:
    """A "lock all locks" automation locks the entrance's lock."""
    await hass.services.async_call("lock", "lock", {"entity_id": "lock.front_door"}, blocking=True)
    await hass.async_block_till_done()


@pytest.mark.parametrize("end", [end_visit, press_end_button, lock_the_mirror])
async def test_ending_with_the_door_open_never_locks_it(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    lock_calls: list[tuple[str, str]],
    end: Any,
) -> None:
    """End visit, the button or the mirror lock while the door stands open: nothing is locked, the owner is
    told; once the door closes it locks within the relock delay and the visit completes."""
    await admit(hass)
    await open_door(hass)
    await end(hass)
    await tick(hass, freezer, 60)
    assert lock_calls == []
    assert hass.states.get(LOCK).state == "unlocked"
    assert hass.states.get(PHASE).state == "inside"
    assert any("as soon as the door is closed" in call.data["message"] for call in phone_messages)
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert all(door == "off" for _, door in lock_calls)


async def flip(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    """Flip a simulation switch without waiting for commands that hang on purpose."""
    await hass.services.async_call(
        "input_boolean", "turn_on" if on else "turn_off", {"entity_id": entity_id}, blocking=True
    )
    await settle(hass)


async def later(freezer: FrozenDateTimeFactory, hass: HomeAssistant, seconds: float) -> None:
    """Let time pass (the event loop's clock too) without waiting for commands that hang on purpose."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await settle(hass)


async def test_stale_lock_command_after_the_door_reopened(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, lock_calls: list[tuple[str, str]]
) -> None:
    """A lock command hangs; the one queued behind it is not carried out once the door has been opened
    again when the hung one is given up 15 s later."""
    await inside_then_closed(hass)
    await set_switch(hass, "input_boolean.sim_lock_hangs", True)
    await later(freezer, hass, 11)  # the relock countdown ends: the first command goes out and hangs
    assert len(lock_calls) == 1
    await flip(hass, "input_boolean.sim_door_open", True)  # the visitor goes back in...
    await later(freezer, hass, 1)
    await flip(hass, "input_boolean.sim_door_open", False)  # ...comes out again
    await later(freezer, hass, 11)  # a second lock command is queued behind the hung one
    await flip(hass, "input_boolean.sim_door_open", True)  # and the door is opened once more
    await later(freezer, hass, 3)  # the hung command is given up: the queued one would go out now
    assert len(lock_calls) == 1  # ... but the door is open: it is dropped
    assert hass.states.get(PHASE).state == "inside"
    await set_switch(hass, "input_boolean.sim_lock_hangs", False)
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert len(lock_calls) == 2
    assert all(door == "off" for _, door in lock_calls)


async def test_lock_command_that_fails(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    issue_registry: ir.IssueRegistry,
    lock_calls: list[tuple[str, str]],
) -> None:
    """lock.lock raises every time: attempts, a critical alert and one repair; slow retries go on, and the
    first that goes through locks the door and clears the repair."""
    await inside_then_closed(hass)
    await set_switch(hass, "input_boolean.sim_lock_fails", True)
    await tick(hass, freezer, 11)
    for _ in range(4):
        await tick(hass, freezer, 60)
    assert hass.states.get(PHASE).state == "relock_failed"
    assert critical(phone_messages, "could NOT be locked")
    alerts = len([call for call in phone_messages if "could NOT be locked" in call.data["message"]])
    for _ in range(6):
        await tick(hass, freezer, 120)
    assert len(lock_calls) >= 5  # it keeps trying
    assert len([call for call in phone_messages if "could NOT be locked" in call.data["message"]]) == alerts
    await set_switch(hass, "input_boolean.sim_lock_fails", False)
    await tick(hass, freezer, 30 * 60)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert issue_registry.async_get_issue(DOMAIN, RELOCK_ISSUE) is None


async def test_lock_command_that_never_returns(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """lock.lock never returns: each call is given up after 15 s (the loop stays free), retried, and
    alerted; once the lock answers again the door locks."""
    await inside_then_closed(hass)
    await flip(hass, "input_boolean.sim_lock_hangs", True)
    await later(freezer, hass, 11)
    for _ in range(4):
        await later(freezer, hass, 60)
    assert hass.states.get(PHASE).state == "relock_failed"
    assert critical(phone_messages, "could NOT be locked")
    await flip(hass, "input_boolean.sim_lock_hangs", False)
    await tick(hass, freezer, 30 * 60)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


@pytest.mark.parametrize("phase", ["waiting_for_entry", "inside", "closing", "locking"])
async def test_door_sensor_dies(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    issue_registry: ir.IssueRegistry,
    phase: str,
) -> None:
    """The door sensor goes unavailable: the owner hears of a sensor fault (once, then a repair), never
    "left open"; the door is locked as for an entrance without a sensor."""
    await admit(hass)
    if phase in ("inside", "closing", "locking"):
        await open_door(hass)
    if phase in ("closing", "locking"):
        await close_door(hass)
    if phase == "locking":
        await set_switch(hass, "input_boolean.sim_lock_responds", False)
        await tick(hass, freezer, 11)
    assert hass.states.get(PHASE).state == phase
    await set_switch(hass, "input_boolean.sim_door_sensor_online", False)
    await set_switch(hass, "input_boolean.sim_lock_responds", True)
    assert issue_registry.async_get_issue(DOMAIN, SENSOR_ISSUE) is not None
    for _ in range(10):
        await tick(hass, freezer, 30)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    messages = [call.data["message"] for call in phone_messages]
    assert len([message for message in messages if "door sensor stopped" in message]) == 1
    assert not any("left open" in message for message in messages)
    assert issue_registry.async_get_issue(DOMAIN, SENSOR_ISSUE) is None  # the visit ended


async def test_door_sensor_back_during_the_visit(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, issue_registry: ir.IssueRegistry
) -> None:
    """The sensor dies with the visitor inside and comes back saying closed: repair gone, lock soon."""
    await admit(hass)
    await open_door(hass)
    await set_switch(hass, "input_boolean.sim_door_sensor_online", False)
    await close_door(hass)
    await set_switch(hass, "input_boolean.sim_door_sensor_online", True)
    assert issue_registry.async_get_issue(DOMAIN, SENSOR_ISSUE) is None
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"


async def test_door_flapping_during_the_countdown(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, lock_calls: list[tuple[str, str]]
) -> None:
    """Open, close, open, close inside the relock countdown: never a lock command into an open door."""
    await admit(hass)
    for _ in range(6):
        await open_door(hass)
        await tick(hass, freezer, 4)
        await close_door(hass)
        await tick(hass, freezer, 6)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"
    assert lock_calls
    assert all(door == "off" for _, door in lock_calls)


async def test_lights_alarm_and_notify_that_fail(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """Lights, the alarm and a notify target that raise never stop a visit from ending locked."""

    async def broken(call: ServiceCall) -> None:
        raise HomeAssistantError("broken on purpose")

    for domain, action in (("light", "turn_on"), ("light", "turn_off"), ("alarm_control_panel", "alarm_disarm")):
        hass.services.async_register(domain, action, broken)
    await inside_then_closed(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert any("done" in call.data["message"] or "locked" in call.data["message"] for call in phone_messages)


@pytest.fixture
def camera_lost(hass: HomeAssistant) -> list[Event]:
    """camera_lost events on the bus."""
    events: list[Event] = []

    def record(event: Event) -> None:
        if event.data["type"] == "camera_lost":
            events.append(event)

    hass.bus.async_listen(EVENT_IN_HOME_DELIVERY, record)
    return events


@pytest.mark.parametrize("fault", ["unavailable", "frozen", "hangs"])
async def test_camera_lost_during_a_visit(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    porch_camera: PorchCamera,
    camera_lost: list[Event],
    fault: str,
) -> None:
    """The camera vanishes, freezes (its cached bytes again and again) or hangs while the visitor is inside:
    camera_lost, a critical alert with the last good picture, and the visit ends once the door is closed."""
    porch_camera.live = True
    await admit(hass)
    await open_door(hass)
    for _ in range(3):
        await tick(hass, freezer, 5)
    assert camera_lost == []
    if fault == "unavailable":
        porch_camera.picture = None
        porch_camera.async_write_ha_state()
    elif fault == "frozen":
        porch_camera.live = False
    else:
        porch_camera.held = asyncio.Event()
    for _ in range(4):
        await later(freezer, hass, 5)
    assert [event.data["type"] for event in camera_lost] == ["camera_lost"]
    alert = next(call for call in phone_messages if "camera stopped" in call.data["message"])
    assert alert.data["data"]["push"]["interruption-level"] == "critical"
    assert "_camera_lost.jpg" in alert.data["data"]["image"]  # the last good picture
    assert hass.states.get(PHASE).state == "inside"  # the door is open: it is not locked
    if porch_camera.held is not None:
        porch_camera.held.set()
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


async def test_a_still_camera_is_not_called_frozen(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, camera_lost: list[Event]
) -> None:
    """A camera that serves one still picture (as the demo's) never changed, so it is not judged frozen."""
    await admit(hass)
    await open_door(hass)
    for _ in range(10):
        await tick(hass, freezer, 5)
    assert camera_lost == []


async def test_a_clock_jump_of_an_hour(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The clock jumps an hour during the countdown: everything due runs once, and the door locks."""
    await inside_then_closed(hass)
    await tick(hass, freezer, 3600)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


async def test_a_clock_jump_with_the_door_open(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """An hour passes at once with the door open: alerts, no lock; closing it locks."""
    await admit(hass)
    await open_door(hass)
    await tick(hass, freezer, 3600)
    assert hass.states.get(LOCK).state == "unlocked"
    assert critical(phone_messages, "left open")
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"


@pytest.mark.parametrize("phase", ["locking", "relock_failed"])
async def test_restart_while_the_lock_does_not_answer(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    phase: str,
) -> None:
    """Home Assistant restarts while the lock ignores the visit's lock commands: the visit goes on trying
    after the restart, and locks once the lock answers."""
    await inside_then_closed(hass)
    await set_switch(hass, "input_boolean.sim_lock_responds", False)
    await tick(hass, freezer, 11)
    if phase == "relock_failed":
        for _ in range(4):
            await tick(hass, freezer, 60)
    assert hass.states.get(PHASE).state == phase
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"
    assert hass.states.get(PHASE).state in ("locking", "relock_failed")
    await set_switch(hass, "input_boolean.sim_lock_responds", True)
    for _ in range(6):
        await tick(hass, freezer, 5 * 60)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert issue_registry.async_get_issue(DOMAIN, RELOCK_ISSUE) is None

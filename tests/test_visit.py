"""The visit through Home Assistant's real state machine: happy path, timeouts and faults."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.in_home_delivery.const import DOMAIN, EVENT_IN_HOME_DELIVERY
from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir

from .conftest import ALARM, ALARM_CODE, LIGHT, LOCK
from .helpers import (
    ENTRY_ID,
    IN_PROGRESS,
    PHASE,
    admit,
    close_door,
    end_visit,
    open_door,
    set_lock_state,
    set_switch,
    tick,
)


async def arm_alarm(hass: HomeAssistant) -> None:
    """Arm the house alarm while nobody is home."""
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": ALARM, "code": ALARM_CODE}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(ALARM).state == "armed_away"


@pytest.mark.usefixtures("init_integration")
async def test_the_alarm_code_never_rides_the_bus(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The alarm is disarmed for the visit and armed again after it, and its code is in no event
    (an action called through the bus is fired as `call_service`, which the recorder keeps)."""
    await arm_alarm(hass)
    every_event = async_capture_events(hass, MATCH_ALL)
    await admit(hass)
    assert hass.states.get(ALARM).state == "disarmed"
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(ALARM).state == "armed_away"
    assert not any(ALARM_CODE in str(event.data) for event in every_event)


@pytest.mark.usefixtures("init_integration")
async def test_happy_path(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """Admit, unlock, enter, close, relock after the delay, put the house back, tell the owner."""
    events = async_capture_events(hass, EVENT_IN_HOME_DELIVERY)
    await arm_alarm(hass)

    await admit(hass)
    assert hass.states.get(LOCK).state == "unlocked"
    assert hass.states.get(PHASE).state == "waiting_for_entry"
    assert hass.states.get(IN_PROGRESS).state == "on"
    assert hass.states.get(LIGHT).state == "on"
    assert hass.states.get(ALARM).state == "disarmed"

    await open_door(hass)
    assert hass.states.get(PHASE).state == "inside"
    await close_door(hass)
    assert hass.states.get(PHASE).state == "closing"
    await tick(hass, freezer, 9)
    assert hass.states.get(LOCK).state == "unlocked"

    await tick(hass, freezer, 2)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert hass.states.get(IN_PROGRESS).state == "off"
    assert hass.states.get(LIGHT).state == "off"
    assert hass.states.get(ALARM).state == "armed_away"

    assert [event.data["type"] for event in events] == [
        "admitted",
        "unlocked",
        "door_opened",
        "door_closed",
        "locked",
        "completed",
    ]
    assert all(event.data["config_entry_id"] == ENTRY_ID for event in events)
    assert len({event.data["visit_id"] for event in events}) == 1
    assert events[-1].data["reason"] is None
    last_visit = hass.states.get("sensor.front_door_last_visit")
    assert last_visit.state != "unknown"
    assert last_visit.attributes["outcome"] == "locked"
    assert last_visit.attributes["pass_label"] == "Owner"
    event_entity = hass.states.get("event.front_door_visit")
    assert event_entity.attributes["event_type"] == "completed"

    messages = [call.data["message"] for call in phone_messages]
    assert messages[0] == "You let someone in; unlocking now."
    assert messages[1].startswith("Your visitor opened the door at ")
    assert messages[2] == "The visit you let in ended after 11 s; the door is locked."
    assert phone_messages[0].data["data"]["push"]["interruption-level"] == "time-sensitive"


@pytest.mark.usefixtures("init_integration")
async def test_the_owners_visit_in_german(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """A visit the owner let in reads as such, never as the owner's own ("Eigentümer hat die Tür geöffnet"),
    the door left open included."""
    await hass.config.async_update(language="de")
    await admit(hass)
    await open_door(hass)
    await tick(hass, freezer, 181)
    await close_door(hass)
    await tick(hass, freezer, 11)
    messages = [call.data["message"] for call in phone_messages]
    assert messages[0] == "Du lässt jemanden herein; die Tür wird jetzt aufgeschlossen."
    assert messages[1].startswith("Dein Besuch hat um ")
    assert messages[1].endswith(" die Tür geöffnet.")
    assert "Die Tür steht offen." in messages
    assert messages[-1] == "Der Besuch, den du hereingelassen hast, endete nach 3 min 12 s; die Tür ist abgeschlossen."
    assert not [message for message in messages if "Eigentümer" in message]


@pytest.mark.usefixtures("init_integration")
async def test_light_already_on_stays_on(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """A light that was on before the visit is left on after it."""
    await set_switch(hass, "input_boolean.sim_hall_light", True)
    await admit(hass)
    await tick(hass, freezer, 121)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(LIGHT).state == "on"


@pytest.mark.usefixtures("init_integration")
async def test_nobody_enters(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """No opening within the entry timeout: the door locks again."""
    await admit(hass)
    await tick(hass, freezer, 119)
    assert hass.states.get(LOCK).state == "unlocked"
    await tick(hass, freezer, 2)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


@pytest.mark.usefixtures("init_integration")
async def test_reopening_cancels_the_relock(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The door reopened during the countdown: no locking until it is closed again."""
    await admit(hass)
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 5)
    await open_door(hass)
    await tick(hass, freezer, 10)
    assert hass.states.get(LOCK).state == "unlocked"
    assert hass.states.get(PHASE).state == "inside"
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"


@pytest.mark.usefixtures("init_integration")
async def test_door_left_open_alerts_repeatedly(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """A door open too long alerts the owner, again and again, as critical pushes."""
    events = async_capture_events(hass, EVENT_IN_HOME_DELIVERY)
    await admit(hass)
    await open_door(hass)
    await tick(hass, freezer, 181)
    await tick(hass, freezer, 181)
    left_open = [event for event in events if event.data["type"] == "door_left_open"]
    assert len(left_open) == 2
    critical = [call for call in phone_messages if call.data["data"]["push"]["interruption-level"] == "critical"]
    assert len(critical) >= 2
    assert "left open" in critical[0].data["message"]
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"


@pytest.mark.usefixtures("init_integration")
async def test_second_admission_refused(hass: HomeAssistant) -> None:
    """One visit at a time: a second admit is refused with a translated error, not merged."""
    events = async_capture_events(hass, EVENT_IN_HOME_DELIVERY)
    await admit(hass)
    with pytest.raises(ServiceValidationError) as err:
        await admit(hass)
    assert err.value.translation_key == "denied_visit_running"
    assert str(err.value) == "A visit is already running at Front door"
    assert [event.data["type"] for event in events].count("admitted") == 1
    assert events[-1].data["type"] == "denied"
    assert events[-1].data["reason"] == "visit_running"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("prepare", "reason"),
    [
        ("input_boolean.sim_lock_online", "lock_unavailable"),
        ("jammed", "lock_jammed"),
        ("input_boolean.sim_door_open", "door_open"),
    ],
)
async def test_admission_refused(hass: HomeAssistant, prepare: str, reason: str) -> None:
    """The lock must be available and not jammed, and the door closed, or nothing unlocks."""
    if prepare == "jammed":
        await set_lock_state(hass, "jammed")
    else:
        await set_switch(hass, prepare, prepare.endswith("door_open"))
    with pytest.raises(ServiceValidationError) as err:
        await admit(hass)
    assert err.value.translation_key == f"denied_{reason}"
    assert hass.states.get(PHASE).state == "idle"
    assert hass.states.get(LOCK).state in ("locked", "unavailable", "jammed")


@pytest.mark.usefixtures("init_integration")
async def test_camera_required(hass: HomeAssistant, porch_camera) -> None:
    """With the camera rule on, a camera that is unavailable refuses the visit."""
    porch_camera.picture = None
    porch_camera.async_write_ha_state()
    with pytest.raises(ServiceValidationError) as err:
        await admit(hass)
    assert err.value.translation_key == "denied_camera_unavailable"
    assert hass.states.get(LOCK).state == "locked"


@pytest.mark.usefixtures("init_integration")
async def test_end_visit_and_button(hass: HomeAssistant) -> None:
    """end_visit locks at once; the button does the same; without a visit it is a clear error."""
    await admit(hass)
    await end_visit(hass)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    await admit(hass)
    await hass.services.async_call("button", "press", {"entity_id": "button.front_door_end_visit"}, blocking=True)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    with pytest.raises(ServiceValidationError) as err:
        await end_visit(hass)
    assert err.value.translation_key == "no_visit"


@pytest.mark.usefixtures("init_integration")
async def test_locking_the_mirror_ends_the_visit(hass: HomeAssistant) -> None:
    """Locking the entrance's lock during a visit ends the visit."""
    await admit(hass)
    await hass.services.async_call("lock", "lock", {"entity_id": "lock.front_door"}, blocking=True)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


@pytest.mark.usefixtures("init_integration")
async def test_unlock_never_confirmed(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """A lock that does not answer the unlock: unlock_failed alert, relock attempt, visit ends locked."""
    events = async_capture_events(hass, EVENT_IN_HOME_DELIVERY)
    await set_switch(hass, "input_boolean.sim_lock_responds", False)
    await admit(hass)
    assert hass.states.get(PHASE).state == "unlocking"
    await tick(hass, freezer, 29)
    assert hass.states.get(PHASE).state == "unlocking"
    await tick(hass, freezer, 2)
    assert any("did not confirm unlocking" in call.data["message"] for call in phone_messages)
    # the lock never left "locked": a relock is sent and the lock's state confirms it
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert events[-1].data["type"] == "completed"
    assert events[-1].data["reason"] == "unlock_failed"


@pytest.mark.usefixtures("init_integration")
async def test_relock_jammed(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """A jam on relocking: critical alert, repair issue, visit stays open until the lock reports locked."""
    events = async_capture_events(hass, EVENT_IN_HOME_DELIVERY)
    await admit(hass)
    await set_switch(hass, "input_boolean.sim_lock_jams", True)
    await end_visit(hass)
    assert hass.states.get(LOCK).state == "jammed"
    assert hass.states.get(PHASE).state == "relock_failed"
    assert hass.states.get(IN_PROGRESS).state == "on"
    assert "relock_failed" in [event.data["type"] for event in events]
    assert any("could NOT be locked" in call.data["message"] for call in phone_messages)
    issue_registry = ir.async_get(hass)
    assert issue_registry.async_get_issue(DOMAIN, f"relock_failed_{ENTRY_ID}") is not None

    await tick(hass, freezer, 3600)
    assert hass.states.get(PHASE).state == "relock_failed"

    await set_lock_state(hass, "locked")
    assert hass.states.get(PHASE).state == "idle"
    assert issue_registry.async_get_issue(DOMAIN, f"relock_failed_{ENTRY_ID}") is None
    assert events[-1].data["reason"] == "relock_failed"


@pytest.mark.usefixtures("init_integration")
async def test_relock_never_confirmed_retries(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """A lock that never confirms is asked three times with growing waits, then relock_failed."""
    calls: list[ServiceCall] = []
    hass.bus.async_listen(
        "call_service", lambda event: calls.append(event) if event.data["service"] == "lock" else None
    )
    await admit(hass)
    await set_switch(hass, "input_boolean.sim_lock_responds", False)
    await end_visit(hass)
    for wait in (31, 36, 46):
        assert hass.states.get(PHASE).state == "locking"
        await tick(hass, freezer, wait)
    assert hass.states.get(PHASE).state == "relock_failed"
    assert (
        len(
            [call for call in calls if call.data["domain"] == "lock" and call.data["service_data"]["entity_id"] == LOCK]
        )
        == 3
    )


@pytest.mark.usefixtures("init_integration")
async def test_failing_notify_target_does_not_stop_the_visit(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """notify.broken raises on every message; the visit runs and relocks all the same."""
    await admit(hass)
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"
    assert "notify.broken for notify.broken failed: HomeAssistantError" in caplog.text


@pytest.mark.usefixtures("init_integration")
async def test_no_secret_in_logs_events_or_attributes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    init_integration: MockConfigEntry,
) -> None:
    """The alarm code never appears in a log line, an event or a state attribute."""
    events = async_capture_events(hass, EVENT_IN_HOME_DELIVERY)
    await arm_alarm(hass)
    await admit(hass)
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert ALARM_CODE not in caplog.text
    assert all(ALARM_CODE not in str(event.data) for event in events)
    for state in hass.states.async_all():
        if state.entity_id.startswith(("sensor.front_door", "lock.front_door", "event.front_door")):
            assert ALARM_CODE not in str(state.attributes)


@pytest.mark.usefixtures("init_integration")
async def test_alarm_that_will_not_rearm_alerts_the_owner(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """The panel refuses the code when arming again (someone changed it during the visit): a critical alert."""
    await arm_alarm(hass)
    await admit(hass)
    assert hass.states.get(ALARM).state == "disarmed"
    panel = hass.data["entity_components"]["alarm_control_panel"].get_entity(ALARM)
    panel._code = "changed-during-the-visit"
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(ALARM).state == "disarmed"
    (alert,) = [call for call in phone_messages if "could not be armed again" in call.data["message"]]
    assert alert.data["data"]["push"]["interruption-level"] == "critical"

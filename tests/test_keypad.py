"""Keypad codes on a real lock family: written for their time, used as a visit, gone by Home Assistant's clock.

Each lock family (Z-Wave JS, ZHA, Matter, the owner's scripts) is met through its real action names and
fields, and its keypad reports in their real shapes (tests/keypads.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.diagnostics import async_get_config_entry_diagnostics
from custom_components.in_home_delivery.keypad_slots import code_issue_id
from homeassistant.const import MATCH_ALL
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .conftest import ENTRY_DATA, LOCK
from .helpers import ENTRY_ID, IN_PROGRESS, close_door, open_door, schedule_now, set_switch, tick
from .keypads import SLOTS, LockKeypad, keypad_data

PROVIDERS = ["zwave_js", "zha", "matter", "script"]
HARNESS_STORE = "pytest_homeassistant_custom_component.common"


@pytest.fixture
def provider() -> str:
    """The lock's family (tests parametrize it)."""
    return "zwave_js"


@pytest.fixture
def entry_data(provider: str) -> dict[str, Any]:
    """The front door's lock has a keypad; slots 20-22 are In-Home Delivery's."""
    return dict(ENTRY_DATA) | {"keypad": keypad_data(provider)}


@pytest.fixture
async def keypad(hass: HomeAssistant, hardware: None, provider: str) -> LockKeypad:
    """The lock's code memory, behind its family's actions."""
    lock_keypad = LockKeypad(hass, provider)
    await lock_keypad.async_setup()
    return lock_keypad


async def settle(hass: HomeAssistant) -> None:
    """Let the slots be brought in line (it runs in the background)."""
    await hass.async_block_till_done(wait_background_tasks=True)


async def call(hass: HomeAssistant, service: str, **data: Any) -> dict[str, Any]:
    """One of the integration's actions with a response."""
    result = await hass.services.async_call(
        DOMAIN, service, {"config_entry_id": ENTRY_ID, **data}, blocking=True, return_response=True
    )
    assert result is not None
    return dict(result)


async def listed(hass: HomeAssistant, pass_id: str) -> dict[str, Any]:
    """The pass as list_passes shows it."""
    passes = (await call(hass, "list_passes"))["passes"]
    return next(item for item in passes if item["pass_id"] == pass_id)


def critical(messages: list[ServiceCall], text: str) -> bool:
    """Whether the owner's phone got a critical notification containing text."""
    return any(
        text in call.data["message"] and call.data["data"]["push"]["interruption-level"] == "critical"
        for call in messages
    )


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_delivery_code_written_used_and_cleared(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    keypad: LockKeypad,
    init_integration: MockConfigEntry,
    bus_events: list[Event],
) -> None:
    """A delivery's code reaches the lock when its window opens (with the grace), opens it once as a
    visit, and leaves the lock within a minute of its use; the visit ends with the lock locked."""
    answer = await schedule_now(hass, code=True, start_in=timedelta(minutes=30))  # type: ignore[arg-type]
    code, slot = answer["code"], answer["code_slot"]
    assert len(code) == 6
    assert code.isdigit()
    assert slot in SLOTS
    await settle(hass)
    assert not keypad.holds(code)
    assert (await listed(hass, answer["delivery_id"]))["code_state"] == "pending"

    await tick(hass, freezer, 15 * 60 + 11)  # the window opens in 15 minutes, less the grace
    await settle(hass)
    assert keypad.slots.get(slot) == code
    assert (await listed(hass, answer["delivery_id"]))["code_state"] == "active"

    assert await keypad.type_code(code)
    await settle(hass)
    assert hass.states.get(IN_PROGRESS).state == "on"
    types = [event.data["type"] for event in bus_events]
    assert {"code_used", "admitted"} <= set(types)
    admitted = next(event for event in bus_events if event.data["type"] == "admitted")
    assert (admitted.data["admitted_by"], admitted.data["pass_id"]) == ("code", answer["delivery_id"])

    await tick(hass, freezer, 11)
    await settle(hass)
    assert not keypad.holds(code)  # gone well within 60 s of its use
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 11)  # the relock delay
    await settle(hass)
    assert hass.states.get(IN_PROGRESS).state == "off"
    assert hass.states.get(LOCK).state == "locked"
    assert bus_events[-1].data["type"] == "completed"
    assert (await listed(hass, answer["delivery_id"]))["code_state"] == "cleared"
    assert not await keypad.type_code(code)  # the lock no longer knows it


@pytest.mark.parametrize("provider", ["zwave_js"])
async def test_delivery_code_leaves_at_window_end_unused(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, keypad: LockKeypad, init_integration: MockConfigEntry
) -> None:
    """Unused, a delivery's code is on the lock until its window's end (and the grace), then never again."""
    answer = await schedule_now(hass, code=True, hours=1)  # type: ignore[arg-type]
    await settle(hass)
    assert keypad.holds(answer["code"])
    await tick(hass, freezer, 55 * 60 + 15 * 60 - 30)  # 30 s before the end of window + grace
    await settle(hass)
    assert keypad.holds(answer["code"])
    await tick(hass, freezer, 41)
    await settle(hass)
    assert not keypad.holds(answer["code"])
    assert (await listed(hass, answer["delivery_id"]))["code_state"] == "cleared"


async def test_guest_code_only_in_its_windows(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, keypad: LockKeypad, init_integration: MockConfigEntry
) -> None:
    """A guest's code is on the lock during each of the guest's windows, and off it in between."""
    start = (dt_util.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    answer = await call(
        hass,
        "add_guest",
        name="Dog sitter",
        weekdays=every_day,
        start_time=start.strftime("%H:%M"),
        end_time=(start + timedelta(hours=1)).strftime("%H:%M"),
        code=True,
    )
    await tick(hass, freezer, (start - dt_util.now()).total_seconds() - 60 * 60)  # an hour before its window
    code = answer["code"]
    await settle(hass)
    assert not keypad.holds(code)
    for _day in range(2):
        await tick(hass, freezer, 60 * 60 + 5)  # its window opens
        await settle(hass)
        assert keypad.holds(code)
        assert (await listed(hass, answer["guest_id"]))["code_state"] == "active"
        await tick(hass, freezer, 60 * 60 + 5)  # its window ends
        await settle(hass)
        assert not keypad.holds(code)
        assert (await listed(hass, answer["guest_id"]))["code_state"] == "pending"
        await tick(hass, freezer, 22 * 60 * 60 - 10)  # an hour before the next day's window


async def test_carrier_code_only_while_its_delivery_is_expected(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, keypad: LockKeypad, init_integration: MockConfigEntry
) -> None:
    """A carrier's standing code is on the lock only while a delivery of that carrier is expected, and
    leaves it after that delivery's visit."""
    answer = await call(hass, "add_carrier", name="DHL", code=True)
    code = answer["code"]
    await settle(hass)
    assert not keypad.holds(code)
    await schedule_now(hass, carrier="UPS")
    await settle(hass)
    assert not keypad.holds(code)  # another carrier's parcel opens nothing for DHL
    delivery = await schedule_now(hass, carrier="DHL")
    await settle(hass)
    assert keypad.holds(code)
    assert await keypad.type_code(code)
    await settle(hass)
    assert hass.states.get(IN_PROGRESS).state == "on"
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 11)
    await settle(hass)
    assert hass.states.get(IN_PROGRESS).state == "off"
    assert not keypad.holds(code)
    assert (await listed(hass, delivery["delivery_id"]))["status"] == "completed"
    assert (await listed(hass, answer["carrier_id"]))["code_state"] == "pending"  # ready for the next parcel


async def test_restart_after_the_window_clears_the_code(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, keypad: LockKeypad, init_integration: MockConfigEntry
) -> None:
    """Home Assistant down when a code's time ends: the code leaves the lock as soon as it is back."""
    answer = await schedule_now(hass, code=True, hours=1)  # type: ignore[arg-type]
    await settle(hass)
    assert keypad.holds(answer["code"])
    assert await hass.config_entries.async_unload(ENTRY_ID)
    freezer.tick(timedelta(hours=3))
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await settle(hass)
    assert not keypad.holds(answer["code"])


async def test_lock_offline_at_the_clear_alerts_then_clears(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    keypad: LockKeypad,
    init_integration: MockConfigEntry,
    phone_messages: list[ServiceCall],
) -> None:
    """The lock is unreachable when a code must go: after a minute the owner is alerted with a repair;
    the code is cleared as soon as the lock is back, and the repair withdrawn."""
    answer = await schedule_now(hass, code=True, hours=1)  # type: ignore[arg-type]
    await settle(hass)
    await set_switch(hass, "input_boolean.sim_lock_online", False)
    await call(hass, "list_passes")
    await hass.services.async_call(
        DOMAIN, "cancel_delivery", {"config_entry_id": ENTRY_ID, "delivery_id": answer["delivery_id"]}, blocking=True
    )
    for _ in range(7):
        await tick(hass, freezer, 10)
    await settle(hass)
    assert keypad.holds(answer["code"])
    assert critical(phone_messages, "could not be removed from the lock")
    assert ir.async_get(hass).async_get_issue(DOMAIN, code_issue_id(ENTRY_ID)) is not None
    assert (await listed(hass, answer["delivery_id"]))["code_state"] == "failed"
    await set_switch(hass, "input_boolean.sim_lock_online", True)
    await settle(hass)
    assert not keypad.holds(answer["code"])
    await tick(hass, freezer, 10)
    await settle(hass)
    assert ir.async_get(hass).async_get_issue(DOMAIN, code_issue_id(ENTRY_ID)) is None


async def test_a_clear_that_raises_alerts_and_a_kept_code_is_refused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    keypad: LockKeypad,
    init_integration: MockConfigEntry,
    phone_messages: list[ServiceCall],
    bus_events: list[Event],
) -> None:
    """A lock that refuses to clear: critical alert and repair after a minute; the code it kept, typed,
    is no visit: the owner is alerted and the door locks again."""
    answer = await schedule_now(hass, code=True, hours=1)  # type: ignore[arg-type]
    await settle(hass)
    keypad.clears_fail = True
    await hass.services.async_call(
        DOMAIN, "cancel_delivery", {"config_entry_id": ENTRY_ID, "delivery_id": answer["delivery_id"]}, blocking=True
    )
    for _ in range(7):
        await tick(hass, freezer, 10)
    await settle(hass)
    assert critical(phone_messages, "could not be removed from the lock")
    assert ir.async_get(hass).async_get_issue(DOMAIN, code_issue_id(ENTRY_ID)) is not None
    assert await keypad.type_code(answer["code"])
    await settle(hass)
    assert critical(phone_messages, "opened the door when it should not")
    assert not any(event.data["type"] == "admitted" for event in bus_events)
    await tick(hass, freezer, 11)  # the door stayed closed: it locks again after the relock delay
    await tick(hass, freezer, 120)
    await settle(hass)
    assert hass.states.get(LOCK).state == "locked"
    keypad.clears_fail = False
    await tick(hass, freezer, 10)
    await settle(hass)
    assert not keypad.holds(answer["code"])


async def test_codes_never_leave_the_owners_answer(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    keypad: LockKeypad,
    init_integration: MockConfigEntry,
    phone_messages: list[ServiceCall],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A code is in the one answer to the owner, never in an event (call_service included), a state, a
    log line, a notification, list_passes or diagnostics."""
    every_event = async_capture_events(hass, MATCH_ALL)
    answer = await schedule_now(hass, code=True)  # type: ignore[arg-type]
    code = answer["code"]
    renewed = (await call(hass, "renew_code", pass_id=answer["delivery_id"]))["code"]
    await settle(hass)
    assert renewed != code
    assert keypad.holds(renewed)
    assert not keypad.holds(code)
    assert await keypad.type_code(renewed)
    await settle(hass)
    await tick(hass, freezer, 11)
    listing = await call(hass, "list_passes")
    diagnostics = await async_get_config_entry_diagnostics(hass, init_integration)
    for secret in (code, renewed):
        assert not any(secret in str(event.data) for event in every_event)
        assert not any(secret in str(state.as_dict()) for state in hass.states.async_all())
        # (The test harness's in-memory Store logs what it is given; Home Assistant's Store logs no data.)
        logged = [record.getMessage() for record in caplog.records if record.name != HARNESS_STORE]
        assert not any(secret in line for line in logged)
        assert not any(secret in str(message.data) for message in phone_messages)
        assert secret not in str(listing)
        assert secret not in str(diagnostics)
    assert "code_slot" in str(diagnostics)


async def test_wrong_codes_turn_the_codes_off_for_a_while(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    keypad: LockKeypad,
    init_integration: MockConfigEntry,
    phone_messages: list[ServiceCall],
) -> None:
    """Five wrong codes in ten minutes: the managed codes leave the lock for a quarter of an hour, and
    the owner is told; then they are back."""
    answer = await schedule_now(hass, code=True, hours=3)  # type: ignore[arg-type]
    await settle(hass)
    for attempt in range(5):
        assert not await keypad.type_code(f"00000{attempt}")
        await tick(hass, freezer, 30)
    await settle(hass)
    assert not keypad.holds(answer["code"])
    assert critical(phone_messages, "Wrong codes")
    await tick(hass, freezer, 15 * 60)
    await settle(hass)
    assert keypad.holds(answer["code"])


async def test_bad_requests_change_nothing(
    hass: HomeAssistant, keypad: LockKeypad, init_integration: MockConfigEntry
) -> None:
    """No free slot: a translated error, and no pass is made; renew_code of a pass without a code too."""
    for _ in SLOTS:
        await call(hass, "add_guest", name="Family", weekdays=["mon"], start_time="09:00", end_time="10:00", code=True)
    before = len((await call(hass, "list_passes"))["passes"])
    with pytest.raises(ServiceValidationError) as error:
        await schedule_now(hass, code=True)  # type: ignore[arg-type]
    assert error.value.translation_key == "no_code_slot"
    assert len((await call(hass, "list_passes"))["passes"]) == before
    plain = await schedule_now(hass)
    with pytest.raises(ServiceValidationError) as error:
        await call(hass, "renew_code", pass_id=plain["delivery_id"])
    assert error.value.translation_key == "no_code"


@pytest.mark.parametrize("entry_data", [dict(ENTRY_DATA)])
async def test_no_keypad_no_code(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """An entrance without a keypad refuses `code: true` with a translated error, before making a pass."""
    with pytest.raises(ServiceValidationError) as error:
        await schedule_now(hass, code=True)  # type: ignore[arg-type]
    assert error.value.translation_key == "no_keypad"
    assert (await call(hass, "list_passes"))["passes"] == []

"""Keypad codes when things go wrong: a disk that refuses, a lock that cannot say which code, slots given
back, the owner's switches. Every case ends with no code on the lock that should not be there."""

from __future__ import annotations

import errno
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.keypad import codes_key
from custom_components.in_home_delivery.store import CheckedStore
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError

from .conftest import ENTRY_DATA, LOCK
from .helpers import ENTRY_ID, IN_PROGRESS, schedule_now, shown_state, tick
from .keypads import LockKeypad, keypad_data
from .test_keypad import call, critical, listed, settle


@pytest.fixture
def provider() -> str:
    """The lock's family."""
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


async def turn(hass: HomeAssistant, switch: str, *, on: bool) -> None:
    """The owner flips one of the entrance's switches."""
    await hass.services.async_call("switch", "turn_on" if on else "turn_off", {"entity_id": switch}, blocking=True)
    await hass.async_block_till_done()


async def test_a_code_the_disk_refuses_is_never_given(
    hass: HomeAssistant, keypad: LockKeypad, init_integration: MockConfigEntry
) -> None:
    """The code cannot be written to disk: the owner gets a translated error and no code, the delivery
    made for it is cancelled again, and nothing reaches the lock."""
    write = CheckedStore.async_save_checked

    async def full(store: CheckedStore, data: dict[str, Any]) -> None:
        if store.key == codes_key(ENTRY_ID):
            raise OSError(errno.ENOSPC, "No space left on device")
        await write(store, data)

    with patch.object(CheckedStore, "async_save_checked", full), pytest.raises(ServiceValidationError) as error:
        await schedule_now(hass, code=True)  # type: ignore[arg-type]
    assert error.value.translation_key == "code_not_stored"
    await settle(hass)
    passes = (await call(hass, "list_passes"))["passes"]
    assert [(item["status"], "code_slot" in item) for item in passes] == [("cancelled", False)]
    assert keypad.slots == {}
    assert keypad.writes == 0


@pytest.mark.parametrize("provider", ["matter"])
async def test_two_codes_a_lock_cannot_tell_apart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    keypad: LockKeypad,
    init_integration: MockConfigEntry,
    phone_messages: list[ServiceCall],
    bus_events: list[Event],
) -> None:
    """A Matter lock says only that its keypad was used: with two managed codes on it, the use is no
    visit of either; the owner is alerted, the door locks again, and the one-time code is used up."""
    guest = await call(
        hass, "add_guest", name="Dog sitter", rrule="FREQ=DAILY", duration={"hours": 23, "minutes": 59}, code=True
    )
    delivery = await schedule_now(hass, code=True)  # type: ignore[arg-type]
    await settle(hass)
    assert keypad.holds(guest["code"])
    assert keypad.holds(delivery["code"])
    assert await keypad.type_code(guest["code"])
    await settle(hass)
    assert not any(event.data["type"] == "admitted" for event in bus_events)
    assert [event.data["pass_id"] for event in bus_events if event.data["type"] == "code_used"] == [None]
    assert critical(phone_messages, "opened the door when it should not")
    await tick(hass, freezer, 11)
    await settle(hass)
    assert not keypad.holds(delivery["code"])  # a one-time code that may have been the one: used up
    assert keypad.holds(guest["code"])
    await tick(hass, freezer, 120)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(IN_PROGRESS).state == "off"


async def test_slots_given_back_are_cleared(
    hass: HomeAssistant, keypad: LockKeypad, init_integration: MockConfigEntry
) -> None:
    """The owner reserves fewer slots: a code in a slot no longer reserved leaves the lock, and is never
    written there again."""
    answer = await schedule_now(hass, code=True)  # type: ignore[arg-type]
    await settle(hass)
    assert keypad.holds(answer["code"])
    slots = [slot for slot in (20, 21, 22) if slot != answer["code_slot"]]
    hass.config_entries.async_update_entry(
        init_integration, data=dict(init_integration.data) | {"keypad": keypad_data("zwave_js", slots=slots)}
    )
    await hass.async_block_till_done()
    await settle(hass)
    assert not keypad.holds(answer["code"])
    assert answer["code_slot"] not in keypad.slots


async def test_the_owners_switches_take_codes_off(
    hass: HomeAssistant, keypad: LockKeypad, init_integration: MockConfigEntry
) -> None:
    """With deliveries not allowed, no managed code is on the lock; a suspended guest's code neither.
    Both come back when allowed again."""
    delivery = await schedule_now(hass, code=True)  # type: ignore[arg-type]
    guest = await call(
        hass, "add_guest", name="Cleaner", rrule="FREQ=DAILY", duration={"hours": 23, "minutes": 59}, code=True
    )
    await settle(hass)
    assert keypad.holds(delivery["code"])
    await turn(hass, "switch.front_door_deliveries_allowed", on=False)
    await settle(hass)
    assert keypad.slots == {}
    await turn(hass, "switch.front_door_deliveries_allowed", on=True)
    await settle(hass)
    assert keypad.holds(delivery["code"])
    assert keypad.holds(guest["code"])
    assert await shown_state(hass, "switch.cleaner_access_allowed") == "on"
    await turn(hass, "switch.cleaner_access_allowed", on=False)
    await settle(hass)
    assert not keypad.holds(guest["code"])
    assert (await listed(hass, guest["guest_id"]))["code_state"] == "pending"  # until allowed again


async def test_a_renewal_the_lock_does_not_take(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    keypad: LockKeypad,
    init_integration: MockConfigEntry,
    phone_messages: list[ServiceCall],
    bus_events: list[Event],
) -> None:
    """The code is renewed while the lock refuses writes: the old code leaves the lock first, so it opens
    nothing; the new one waits, and after a minute the owner is told it is not on the lock yet."""
    answer = await schedule_now(hass, code=True)  # type: ignore[arg-type]
    await settle(hass)
    old = answer["code"]
    assert keypad.holds(old)
    keypad.writes_fail = True
    renewed = (await call(hass, "renew_code", pass_id=answer["delivery_id"]))["code"]
    await settle(hass)
    assert keypad.slots == {}
    assert not await keypad.type_code(old)
    for _ in range(7):
        await tick(hass, freezer, 10)
    await settle(hass)
    assert any("could not be put on the lock" in call.data["message"] for call in phone_messages)
    assert not critical(phone_messages, "opened the door when it should not")
    keypad.writes_fail = False
    await tick(hass, freezer, 10)
    await settle(hass)
    assert keypad.holds(renewed)
    assert not any(event.data["type"] == "admitted" for event in bus_events)


async def test_a_keypad_taken_off_the_entrance_empties_its_slots(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    keypad: LockKeypad,
    init_integration: MockConfigEntry,
    bus_events: list[Event],
) -> None:
    """The owner removes the keypad while codes are on the lock: they are cleared all the same (and, typed
    before that, open nothing as a visit); then nothing of them is kept, and no code can be given."""
    guest = await call(
        hass, "add_guest", name="Cleaner", rrule="FREQ=DAILY", duration={"hours": 23, "minutes": 59}, code=True
    )
    await settle(hass)
    assert keypad.holds(guest["code"])
    keypad.clears_fail = True
    data = {key: value for key, value in init_integration.data.items() if key != "keypad"}
    hass.config_entries.async_update_entry(init_integration, data=data)
    await hass.async_block_till_done()
    await settle(hass)
    assert keypad.holds(guest["code"])  # the lock refuses for now: it is tried again
    assert await keypad.type_code(guest["code"])
    await settle(hass)
    assert not any(event.data["type"] == "admitted" for event in bus_events)
    keypad.clears_fail = False
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await settle(hass)
    assert keypad.slots == {}
    assert codes_key(ENTRY_ID) not in hass_storage
    with pytest.raises(ServiceValidationError) as error:
        await call(hass, "renew_code", pass_id=guest["guest_id"])
    assert error.value.translation_key == "no_keypad"

"""Keypad codes given on the entrance's page: with a new guest or carrier link, renewed, or added later.

The owner goes through Home Assistant's real subentry flows; the lock is a Z-Wave JS lock whose
`set_lock_usercode` / `clear_lock_usercode` actions are test services that keep what each slot holds
(tests/keypads.py), and whose keypad reports a typed code as Z-Wave JS does.
The code is shown once, on the step that hands it over, and nowhere else: not in the subentry, its
title, an action's `call_service` event, a state, or the log.
"""

from __future__ import annotations

from datetime import datetime
import re
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.in_home_delivery.subentry_flow import spoken
from homeassistant.components.notify.const import DATA_COMPONENT as NOTIFY_ENTITIES
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.storage import Store
from homeassistant.setup import async_setup_component
from homeassistant.util.file import WriteError

from .conftest import ENTRY_DATA
from .helpers import ENTRY_ID, IN_PROGRESS, REAL_STORE_WRITE, schedule_now, tick
from .keypads import SLOTS, LockKeypad, keypad_data
from .test_subentries import Phone

BERLIN = "Europe/Berlin"
HARNESS_STORE = "pytest_homeassistant_custom_component.common"
KEYPAD = keypad_data("zwave_js")  # slots 20-22, six digits
SECTIONS = {"repeat": {}, "limits": {}}
MARIA = {"name": "Maria", "weekdays": ["tue"], "start_time": "09:00:00", "end_time": "12:00:00", **SECTIONS}


@pytest.fixture
def keypad() -> dict[str, Any] | None:
    """The entrance's keypad (None: an entrance without one)."""
    return KEYPAD


@pytest.fixture
def entry_data(keypad: dict[str, Any] | None) -> dict[str, Any]:
    """The front door, with its lock's keypad where there is one."""
    return {**ENTRY_DATA, "keypad": keypad} if keypad else dict(ENTRY_DATA)


@pytest.fixture(autouse=True)
async def home(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """A home in Berlin, reachable from outside, on a Tuesday at 10:00."""
    assert await async_setup_component(hass, "http", {})
    await hass.config.async_set_time_zone(BERLIN)
    await hass.config.async_update(external_url="https://home.example.org")
    freezer.move_to(datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo(BERLIN)))


@pytest.fixture
def service_calls(hass: HomeAssistant) -> list[Event]:
    """Every action called through the event bus, from before the entrance starts."""
    return async_capture_events(hass, EVENT_CALL_SERVICE)


@pytest.fixture
async def lock(hass: HomeAssistant, hardware: None, service_calls: list[Event]) -> LockKeypad:
    """The lock's code memory, behind Z-Wave JS's actions."""
    lock_keypad = LockKeypad(hass, "zwave_js")
    await lock_keypad.async_setup()
    return lock_keypad


@pytest.fixture
async def entrance(hass: HomeAssistant, lock: LockKeypad, init_integration: MockConfigEntry) -> MockConfigEntry:
    """The front door running, its reserved slots brought in line at start."""
    await settle(hass)
    return init_integration


async def settle(hass: HomeAssistant) -> None:
    """Let the slots be brought in line (it runs in the background)."""
    await hass.async_block_till_done(wait_background_tasks=True)


def digits(shown: str) -> str:
    """The code as typed on the keypad: the digits of what the step shows."""
    return shown.replace(" ", "")


def code_fields(result: Any) -> list[str]:
    """The names of the form's fields that ask for a keypad code."""
    return [str(key) for key in result["data_schema"].schema if str(key) == "code"]


async def add(hass: HomeAssistant, kind: str, form: dict[str, Any]) -> dict[str, Any]:
    """The owner fills in *Add guest* (or *Add carrier link*); the step that answers."""
    flows = hass.config_entries.subentries
    result = await flows.async_init((ENTRY_ID, kind), context={"source": "user"})
    assert result["type"] is FlowResultType.FORM
    return await flows.async_configure(result["flow_id"], form)


async def finish(hass: HomeAssistant, result: dict[str, Any]) -> dict[str, Any]:
    """The owner closes the hand-over step."""
    done = await hass.config_entries.subentries.async_configure(result["flow_id"], {})
    await settle(hass)
    return done


async def reconfigure(hass: HomeAssistant, kind: str, title: str) -> dict[str, Any]:
    """The owner opens *Change* on a guest or carrier link; the menu."""
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    subentry = next(item for item in entry.subentries.values() if item.title == title)
    return await hass.config_entries.subentries.async_init(
        (ENTRY_ID, kind), context={"source": "reconfigure", "subentry_id": subentry.subentry_id}
    )


def everything_but_the_step(hass: HomeAssistant, service_calls: list[Event]) -> str:
    """All the code must never be in: the subentries' data and titles, action events, states."""
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    kept = [(subentry.title, dict(subentry.data)) for subentry in entry.subentries.values()]
    states = [(state.state, dict(state.attributes)) for state in hass.states.async_all()]
    return str([kept, [event.data for event in service_calls], states])


async def test_guest_with_a_code_in_its_window(
    hass: HomeAssistant, entrance: MockConfigEntry, lock: LockKeypad, service_calls: list[Event], caplog: Any
) -> None:
    """*Add guest* with a code: the link and the code are shown once, the code is on the lock in the
    guest's window, and it is in nothing Home Assistant keeps or tells."""
    assert lock.clears == len(SLOTS)  # the reserved slots were emptied at start
    assert not lock.slots
    flows = hass.config_entries.subentries
    form = await flows.async_init((ENTRY_ID, "guest"), context={"source": "user"})
    assert code_fields(form) == ["code"]

    result = await flows.async_configure(form["flow_id"], {**MARIA, "code": True})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "link_code"
    shown = result["description_placeholders"]
    assert re.fullmatch(r"\d{3} \d{3}", shown["code"])  # grouped for reading out
    assert shown["slot"] in {"20", "21", "22"}
    assert "#pass=" in shown["link"]
    code, slot = digits(shown["code"]), int(shown["slot"])

    phone = Phone()
    await hass.data[NOTIFY_ENTITIES].async_add_entities([phone])
    done = await flows.async_configure(result["flow_id"], {"send_to": "notify.maria_s_phone"})
    await settle(hass)
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert phone.received == [(shown["link"], "Maria")]  # the link only, never the code
    assert code not in str(done["data"])
    assert code not in done["title"]
    assert lock.slots.get(slot) == code  # Maria is in her window (09:00-12:00): her code is on the lock
    assert code not in everything_but_the_step(hass, service_calls)
    # (The test harness's in-memory Store logs what it is given; Home Assistant's Store logs no data.)
    assert not any(code in record.getMessage() for record in caplog.records if record.name != HARNESS_STORE)

    assert await lock.type_code(code)  # Maria types it: a visit, as with her link
    await settle(hass)
    assert hass.states.get(IN_PROGRESS).state == "on"


async def test_guest_code_is_on_the_lock_only_in_the_window(
    hass: HomeAssistant, entrance: MockConfigEntry, lock: LockKeypad, freezer: FrozenDateTimeFactory
) -> None:
    """A guest's code goes on the lock when the window opens (by the reconcile every 10 s) and off when it closes."""
    later = {**MARIA, "start_time": "10:30:00", "end_time": "11:00:00", "code": True}
    result = await add(hass, "guest", later)
    code, slot = digits(result["description_placeholders"]["code"]), int(result["description_placeholders"]["slot"])
    await finish(hass, result)
    assert slot not in lock.slots

    freezer.move_to(datetime(2026, 11, 24, 10, 30, 1, tzinfo=ZoneInfo(BERLIN)))
    await tick(hass, freezer, 10)
    await settle(hass)
    assert lock.slots.get(slot) == code

    freezer.move_to(datetime(2026, 11, 24, 11, 0, 1, tzinfo=ZoneInfo(BERLIN)))
    await tick(hass, freezer, 10)
    await settle(hass)
    assert slot not in lock.slots


async def test_renew_code_gives_a_new_one_and_the_lock_gets_it(
    hass: HomeAssistant, entrance: MockConfigEntry, lock: LockKeypad, service_calls: list[Event]
) -> None:
    """*Change* → *New keypad code*: a different code in the same slot, shown once; the old one is gone."""
    result = await add(hass, "guest", {**MARIA, "code": True})
    old, slot = digits(result["description_placeholders"]["code"]), int(result["description_placeholders"]["slot"])
    await finish(hass, result)

    menu = await reconfigure(hass, "guest", "Maria")
    assert menu["type"] is FlowResultType.MENU
    assert menu["menu_options"] == ["change", "renew", "renew_code"]
    flows = hass.config_entries.subentries
    asked = await flows.async_configure(menu["flow_id"], {"next_step_id": "renew_code"})
    assert asked["step_id"] == "renew_code"
    assert lock.slots.get(slot) == old  # nothing changes until the owner confirms
    shown = await flows.async_configure(asked["flow_id"], {})
    assert shown["step_id"] == "code"
    new = digits(shown["description_placeholders"]["code"])
    assert shown["description_placeholders"]["slot"] == str(slot)
    assert re.fullmatch(r"\d{6}", new)
    assert new != old

    done = await finish(hass, shown)
    assert done["type"] is FlowResultType.ABORT
    assert done["reason"] == "code_handed_over"
    assert lock.slots.get(slot) == new
    assert not lock.holds(old)
    assert new not in everything_but_the_step(hass, service_calls)


async def test_add_a_code_later(hass: HomeAssistant, entrance: MockConfigEntry, lock: LockKeypad) -> None:
    """A guest made without a code gets one from *Change* → *Add a keypad code*; then the menu offers a new one."""
    result = await add(hass, "guest", MARIA)
    assert result["step_id"] == "link"
    assert "code" not in result["description_placeholders"]
    await finish(hass, result)
    assert not lock.slots

    menu = await reconfigure(hass, "guest", "Maria")
    assert menu["menu_options"] == ["change", "renew", "add_code"]
    flows = hass.config_entries.subentries
    asked = await flows.async_configure(menu["flow_id"], {"next_step_id": "add_code"})
    shown = await flows.async_configure(asked["flow_id"], {})
    assert shown["step_id"] == "code"
    code, slot = digits(shown["description_placeholders"]["code"]), int(shown["description_placeholders"]["slot"])
    await finish(hass, shown)
    assert lock.slots.get(slot) == code

    menu = await reconfigure(hass, "guest", "Maria")
    assert menu["menu_options"] == ["change", "renew", "renew_code"]


async def test_carrier_code_is_on_the_lock_while_its_delivery_is_expected(
    hass: HomeAssistant, entrance: MockConfigEntry, lock: LockKeypad, service_calls: list[Event]
) -> None:
    """*Add carrier link* with a code: shown with the link; on the lock only once a delivery of the carrier is due."""
    result = await add(hass, "carrier", {"name": "DHL", "code": True})
    assert result["step_id"] == "link_code"
    code, slot = digits(result["description_placeholders"]["code"]), int(result["description_placeholders"]["slot"])
    done = await finish(hass, result)
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert code not in str(done["data"])
    assert slot not in lock.slots  # no DHL delivery expected

    await schedule_now(hass, carrier="DHL")
    await settle(hass)
    assert lock.slots.get(slot) == code
    assert code not in everything_but_the_step(hass, service_calls)


async def test_no_free_slot_is_a_form_error_and_makes_nothing(hass: HomeAssistant, entrance: MockConfigEntry) -> None:
    """With every reserved slot taken, asking for a code is refused on the form; without one the guest is made."""
    for name in ("Ana", "Ben", "Cem"):
        await finish(hass, await add(hass, "guest", {**MARIA, "name": name, "code": True}))
    result = await add(hass, "guest", {**MARIA, "code": True})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"code": "no_code_slot"}
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    assert sorted(item.title for item in entry.subentries.values()) == ["Ana", "Ben", "Cem"]

    again = await hass.config_entries.subentries.async_configure(result["flow_id"], {**MARIA, "code": False})
    assert again["step_id"] == "link"
    await finish(hass, again)
    assert sorted(item.title for item in entry.subentries.values()) == ["Ana", "Ben", "Cem", "Maria"]
    menu = await reconfigure(hass, "guest", "Maria")
    asked = await hass.config_entries.subentries.async_configure(menu["flow_id"], {"next_step_id": "add_code"})
    refused = await hass.config_entries.subentries.async_configure(asked["flow_id"], {})
    assert refused["step_id"] == "add_code"
    assert refused["errors"] == {"base": "no_code_slot"}


async def codes_disk_full(store: Store[Any], data: dict[str, Any]) -> None:
    """The disk refuses the keypad codes' file (the pass database still writes)."""
    if store.key.endswith(".codes"):
        raise WriteError("[Errno 28] No space left on device")
    await REAL_STORE_WRITE(store, data)


async def test_a_code_the_disk_refuses_is_not_given(
    hass: HomeAssistant, entrance: MockConfigEntry, lock: LockKeypad
) -> None:
    """A code that cannot be saved is never shown or written: the new guest is not made, a renewal keeps the
    old code; once the disk takes it, both work."""
    flows = hass.config_entries.subentries
    with patch.object(Store, "_async_write_data", codes_disk_full):
        result = await add(hass, "guest", {**MARIA, "code": True})
        assert result["step_id"] == "user"
        assert result["errors"] == {"base": "code_not_stored"}
        await hass.async_block_till_done()
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    assert not entry.subentries
    assert not lock.slots

    result = await flows.async_configure(result["flow_id"], {**MARIA, "code": True})
    assert result["step_id"] == "link_code"
    old, slot = digits(result["description_placeholders"]["code"]), int(result["description_placeholders"]["slot"])
    await finish(hass, result)
    assert [item.title for item in entry.subentries.values()] == ["Maria"]

    menu = await reconfigure(hass, "guest", "Maria")
    asked = await flows.async_configure(menu["flow_id"], {"next_step_id": "renew_code"})
    with patch.object(Store, "_async_write_data", codes_disk_full):
        refused = await flows.async_configure(asked["flow_id"], {})
        await hass.async_block_till_done()
    assert refused["step_id"] == "renew_code"
    assert refused["errors"] == {"base": "code_not_stored"}
    assert lock.slots.get(slot) == old
    shown = await flows.async_configure(asked["flow_id"], {})
    await finish(hass, shown)
    assert lock.slots.get(slot) == digits(shown["description_placeholders"]["code"]) != old


@pytest.mark.parametrize("keypad", [None])
@pytest.mark.parametrize("kind", ["guest", "carrier"])
async def test_without_a_keypad_the_forms_ask_for_no_code(
    hass: HomeAssistant, entrance: MockConfigEntry, kind: str
) -> None:
    """An entrance without a keypad: no code field, and no code in the *Change* menu."""
    flows = hass.config_entries.subentries
    form = await flows.async_init((ENTRY_ID, kind), context={"source": "user"})
    assert code_fields(form) == []
    result = await flows.async_configure(form["flow_id"], MARIA if kind == "guest" else {"name": "DHL"})
    assert result["step_id"] == "link"
    await finish(hass, result)
    menu = await reconfigure(hass, kind, "Maria" if kind == "guest" else "DHL")
    assert menu["menu_options"] == ["change", "renew"]


async def test_no_code_for_an_expired_guest_until_its_limits_change(
    hass: HomeAssistant, entrance: MockConfigEntry, lock: LockKeypad, freezer: FrozenDateTimeFactory
) -> None:
    """A guest whose validity ended gets no new code (it would never open the door); once the owner
    extends the guest, it does, and the lock takes it in the guest's window."""
    until = {"valid_until": "2026-11-24 10:30:00"}
    await finish(hass, await add(hass, "guest", {**MARIA, "limits": until}))
    freezer.move_to(datetime(2026, 11, 24, 10, 31, tzinfo=ZoneInfo(BERLIN)))
    await tick(hass, freezer, 10)

    flows = hass.config_entries.subentries
    menu = await reconfigure(hass, "guest", "Maria")
    asked = await flows.async_configure(menu["flow_id"], {"next_step_id": "add_code"})
    refused = await flows.async_configure(asked["flow_id"], {})
    assert refused["step_id"] == "add_code"
    assert refused["errors"] == {"base": "code_pass_closed"}
    assert not lock.slots

    menu = await reconfigure(hass, "guest", "Maria")
    form = await flows.async_configure(menu["flow_id"], {"next_step_id": "change"})
    changed = await flows.async_configure(form["flow_id"], {**MARIA, "limits": {"valid_until": "2026-12-31 00:00:00"}})
    assert changed["reason"] == "reconfigure_successful"
    menu = await reconfigure(hass, "guest", "Maria")
    asked = await flows.async_configure(menu["flow_id"], {"next_step_id": "add_code"})
    shown = await flows.async_configure(asked["flow_id"], {})
    assert shown["step_id"] == "code"
    await finish(hass, shown)
    assert lock.slots.get(int(shown["description_placeholders"]["slot"])) == digits(
        shown["description_placeholders"]["code"]
    )


async def test_deleting_a_guest_takes_its_code_off_the_lock(
    hass: HomeAssistant, entrance: MockConfigEntry, lock: LockKeypad
) -> None:
    """The owner deletes a guest while its *Change* menu is open elsewhere: the code leaves the lock at once,
    and the menu's *New keypad code* gives none."""
    result = await add(hass, "guest", {**MARIA, "code": True})
    code = digits(result["description_placeholders"]["code"])
    await finish(hass, result)
    assert lock.holds(code)

    menu = await reconfigure(hass, "guest", "Maria")
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    hass.config_entries.async_remove_subentry(entry, next(iter(entry.subentries)))
    await settle(hass)
    assert not lock.holds(code)
    gone = await hass.config_entries.subentries.async_configure(menu["flow_id"], {"next_step_id": "renew_code"})
    assert gone["type"] is FlowResultType.ABORT
    assert gone["reason"] == "pass_gone"
    assert not lock.slots


async def test_a_carrier_code_the_disk_refuses_makes_no_carrier_link(
    hass: HomeAssistant, entrance: MockConfigEntry, lock: LockKeypad
) -> None:
    """Where the carrier's code cannot be saved, the carrier link made for it is closed again; the next try works."""
    flows = hass.config_entries.subentries
    with patch.object(Store, "_async_write_data", codes_disk_full):
        result = await add(hass, "carrier", {"name": "DHL", "code": True})
        await settle(hass)
    assert result["errors"] == {"base": "code_not_stored"}
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    assert not entry.subentries
    assert not list(entry.runtime_data.passes.standing_passes())
    result = await flows.async_configure(result["flow_id"], {"name": "DHL", "code": True})
    assert result["step_id"] == "link_code"
    await finish(hass, result)
    assert [item.title for item in entry.subentries.values()] == ["DHL"]


async def test_a_keypad_removed_while_the_form_is_open(
    hass: HomeAssistant, entrance: MockConfigEntry, lock: LockKeypad
) -> None:
    """The owner removes the keypad while *Add guest* is open with a code asked for: the form says so and
    makes nothing; sent again (now without the field), the guest is made without a code."""
    flows = hass.config_entries.subentries
    form = await flows.async_init((ENTRY_ID, "guest"), context={"source": "user"})
    assert code_fields(form) == ["code"]
    without = {key: value for key, value in entrance.data.items() if key != "keypad"}
    hass.config_entries.async_update_entry(entrance, data=without)
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await settle(hass)

    refused = await flows.async_configure(form["flow_id"], {**MARIA, "code": True})
    assert refused["step_id"] == "user"
    assert refused["errors"] == {"base": "no_keypad"}
    assert code_fields(refused) == []
    assert not entrance.subentries
    result = await flows.async_configure(form["flow_id"], MARIA)
    assert result["step_id"] == "link"
    await finish(hass, result)
    assert [item.title for item in entrance.subentries.values()] == ["Maria"]
    assert not lock.slots


@pytest.mark.parametrize(
    ("secret", "read_out"),
    [
        ("4829", "48 29"),
        ("48291", "482 91"),
        ("482915", "482 915"),
        ("4829153", "482 91 53"),
        ("48291537", "482 915 37"),
    ],
)
def test_a_code_is_shown_in_groups_to_read_out(secret: str, read_out: str) -> None:
    """Groups of three, never a lone digit at the end; the digits and their order unchanged."""
    assert spoken(secret) == read_out

"""The entrance form's *Keypad codes* section: each provider, each error and its recovery, reconfigure, and a code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.keypad_form import read_slots, write_slots
from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import LOCK
from .helpers import tick
from .test_config_flow import collapsed, error_text, suggested

ZWAVE_LOCK = "lock.front_keypad"  # in the registry as Z-Wave JS's, taking codes of 4 to 8 digits
ZHA_LOCK = "lock.zigbee_keypad"  # in the registry as ZHA's
MATTER_LOCK = "lock.matter_keypad"  # not in the registry: its integration cannot be told, so it is allowed
SET_SCRIPT, CLEAR_SCRIPT = "script.set_keypad_code", "script.clear_keypad_slot"
GARAGE = "cover.garage_door"


@pytest.fixture
async def keypad_locks(hass: HomeAssistant, hardware: None) -> None:
    """Keypad locks of three families (the state machine and the registry as their integrations leave them),
    and the owner's two scripts for any other lock."""
    registry = er.async_get(hass)
    for entity_id, platform, name, attributes in (
        (ZWAVE_LOCK, "zwave_js", "Front keypad", {"code_format": r"^\d{4,8}$"}),
        (ZHA_LOCK, "zha", "Zigbee keypad", {}),
        (MATTER_LOCK, None, "Matter keypad", {}),
    ):
        if platform is not None:
            entry = registry.async_get_or_create("lock", platform, entity_id, suggested_object_id=entity_id[5:])
            assert entry.entity_id == entity_id
        hass.states.async_set(entity_id, "locked", {"friendly_name": name, **attributes})
    assert await async_setup_component(
        hass,
        "script",
        {"script": {SET_SCRIPT[7:]: {"sequence": []}, CLEAR_SCRIPT[7:]: {"sequence": []}}},
    )
    await hass.async_block_till_done()


def entrance(lock: str = ZWAVE_LOCK, **keypad: Any) -> dict[str, Any]:
    """The owner's input: an entrance with that lock and the Keypad codes section as given."""
    return {
        "name": "Porch",
        "lock": lock,
        "door": {},
        "camera": {},
        "comfort": {},
        "alarm": {},
        "keypad": {"provider": "none", "code_length": 6} | keypad,
    }


async def start(hass: HomeAssistant) -> ConfigFlowResult:
    """The form of a new entrance."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    return result


async def submit(hass: HomeAssistant, result: ConfigFlowResult, form: dict[str, Any]) -> ConfigFlowResult:
    """Send the form."""
    return await hass.config_entries.flow.async_configure(result["flow_id"], form)


@pytest.mark.usefixtures("keypad_locks")
async def test_the_section_is_collapsed_until_it_is_at_fault(hass: HomeAssistant) -> None:
    """A new entrance shows Keypad codes closed, with no keypad chosen and codes of 6 digits."""
    result = await start(hass)
    assert collapsed(result)["keypad"] is True
    fields = {str(key): key for key in result["data_schema"].schema["keypad"].schema.schema}
    assert fields["provider"].default() == "none"
    assert fields["code_length"].default() == 6


@pytest.mark.usefixtures("keypad_locks")
@pytest.mark.parametrize(
    ("lock", "provider", "slots", "stored_slots"),
    [
        (ZWAVE_LOCK, "zwave_js", "20-29", list(range(20, 30))),
        (ZHA_LOCK, "zha", "25, 20,21", [20, 21, 25]),
        (MATTER_LOCK, "matter", "3 \u2013 5; 9", [3, 4, 5, 9]),
    ],
)
async def test_create_with_a_lock_family(
    hass: HomeAssistant, lock: str, provider: str, slots: str, stored_slots: list[int]
) -> None:
    """Each lock family's integration writes the codes; the slots are kept as sorted numbers, the scripts empty."""
    result = await submit(hass, await start(hass), entrance(lock, provider=provider, slots=slots, code_length=8))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["keypad"] == {
        "provider": provider,
        "slots": stored_slots,
        "code_length": 8,
        "set_script": None,
        "clear_script": None,
    }


@pytest.mark.usefixtures("keypad_locks")
async def test_no_keypad_stores_none(hass: HomeAssistant) -> None:
    """Without a keypad the entry has no keypad key, whatever was typed into the section."""
    result = await submit(hass, await start(hass), entrance(slots="20-29", set_script=SET_SCRIPT))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "keypad" not in result["data"]


async def expect_error(
    hass: HomeAssistant, result: ConfigFlowResult, form: dict[str, Any], error: str, shown: str
) -> ConfigFlowResult:
    """The form comes back with the error on the Keypad codes section, opened, in words in English and German,
    with the owner's input kept."""
    result = await submit(hass, result, form)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"keypad": error}
    assert await error_text(hass, result, "en") == shown
    german = await error_text(hass, result, "de")
    assert "{" not in german.replace(result["description_placeholders"].get("code_format", ""), "")
    assert german != shown
    assert collapsed(result)["keypad"] is False
    kept = suggested(result)["keypad"]
    assert {key: kept.get(key) for key in form["keypad"]} == form["keypad"]
    return result


@pytest.mark.usefixtures("keypad_locks")
async def test_scripts_for_any_other_lock(hass: HomeAssistant) -> None:
    """Scripts need both scripts: one missing is an error; with both the entrance keeps them."""
    result = await expect_error(
        hass,
        await start(hass),
        entrance(LOCK, provider="script", slots="20-21", set_script=SET_SCRIPT),
        "keypad_scripts_missing",
        "With scripts, pick both the script that sets a code and the one that clears a slot.",
    )
    result = await expect_error(
        hass,
        result,
        entrance(LOCK, provider="script", slots="20-21", set_script=SET_SCRIPT, clear_script="script.gone"),
        "entity_not_found",
        "script.gone does not exist (any more); pick another entity.",
    )
    result = await submit(
        hass, result, entrance(LOCK, provider="script", slots="20-21", set_script=SET_SCRIPT, clear_script=CLEAR_SCRIPT)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["keypad"] == {
        "provider": "script",
        "slots": [20, 21],
        "code_length": 6,
        "set_script": SET_SCRIPT,
        "clear_script": CLEAR_SCRIPT,
    }


@pytest.mark.usefixtures("keypad_locks")
@pytest.mark.parametrize(
    ("slots", "error", "shown"),
    [
        ("", "keypad_slots_missing", "Enter the lock's code slots reserved for In-Home Delivery, such as 20-29."),
        (
            "twenty",
            "keypad_slots_unreadable",
            "“twenty” is not a slot: write a range such as 20-29 or a list such as 20, 21, 25.",
        ),
        (
            "29-20",
            "keypad_slots_unreadable",
            "“29-20” is not a slot: write a range such as 20-29 or a list such as 20, 21, 25.",
        ),
        (
            "20, -3",
            "keypad_slots_unreadable",
            "“-3” is not a slot: write a range such as 20-29 or a list such as 20, 21, 25.",
        ),
        ("0-9", "keypad_slots_out_of_range", "There is no slot 0: slots go from 1 to 250."),
        ("240-251", "keypad_slots_out_of_range", "There is no slot 251: slots go from 1 to 250."),
        ("1-51", "keypad_slots_too_many", "Reserve at most 50 slots."),
        ("1-40, 100-110", "keypad_slots_too_many", "Reserve at most 50 slots."),
    ],
)
async def test_bad_slots(hass: HomeAssistant, slots: str, error: str, shown: str) -> None:
    """Slots that cannot be read or reserved are refused with the reason; 50 slots are taken."""
    result = await expect_error(hass, await start(hass), entrance(provider="zwave_js", slots=slots), error, shown)
    result = await submit(hass, result, entrance(provider="zwave_js", slots="1-40, 100-109"))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["keypad"]["slots"] == [*range(1, 41), *range(100, 110)]


@pytest.mark.usefixtures("keypad_locks")
async def test_a_lock_of_another_integration(hass: HomeAssistant) -> None:
    """Z-Wave JS, ZHA or Matter cannot write codes to another integration's lock (here a template lock and a Z-Wave
    lock); that lock takes scripts, and the Z-Wave lock takes Z-Wave JS."""
    result = await expect_error(
        hass,
        await start(hass),
        entrance(LOCK, provider="zwave_js", slots="20-29"),
        "keypad_lock_other_integration",
        "Smart lock belongs to Template: choose the lock's own integration, or scripts.",
    )
    result = await expect_error(
        hass,
        result,
        entrance(ZWAVE_LOCK, provider="matter", slots="20-29"),
        "keypad_lock_other_integration",
        "Front keypad belongs to Z-Wave: choose the lock's own integration, or scripts.",
    )
    result = await submit(hass, result, entrance(ZWAVE_LOCK, provider="zwave_js", slots="20-29"))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["keypad"]["provider"] == "zwave_js"


@pytest.mark.usefixtures("keypad_locks")
async def test_code_length_the_lock_refuses(hass: HomeAssistant) -> None:
    """A lock whose code format takes 4 to 8 digits refuses codes of 10; one that takes no digits refuses any."""
    result = await expect_error(
        hass,
        await start(hass),
        entrance(provider="zwave_js", slots="20-29", code_length=10),
        "keypad_code_length_refused",
        "Front keypad does not take codes of 10 digits; it takes 4-8 digits.",
    )
    result = await submit(hass, result, entrance(provider="zwave_js", slots="20-29", code_length=8))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["keypad"]["code_length"] == 8

    hass.states.async_set(ZHA_LOCK, "locked", {"friendly_name": "Zigbee keypad", "code_format": "^[A-F]{6}$"})
    result = await expect_error(
        hass,
        await start(hass),
        entrance(ZHA_LOCK, provider="zha", slots="20-29"),
        "keypad_lock_takes_no_digits",
        "Zigbee keypad takes no codes of digits only (its code format is ^[A-F]{6}$): keypad codes cannot work with it.",
    )
    result = await submit(hass, result, entrance(ZHA_LOCK))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "keypad" not in result["data"]


@pytest.mark.usefixtures("keypad_locks")
async def test_no_keypad_on_a_garage_door(hass: HomeAssistant) -> None:
    """A garage door has no keypad: the section is refused until no keypad is chosen."""
    garage = entrance(provider="zwave_js", slots="20-29") | {"garage_door": GARAGE}
    del garage["lock"]
    result = await expect_error(
        hass,
        await start(hass),
        garage,
        "keypad_needs_lock",
        "Garage door is a garage door without a keypad: keypad codes need a lock. Choose no keypad.",
    )
    result = await submit(hass, result, garage | {"keypad": {"provider": "none", "code_length": 6}})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "keypad" not in result["data"]


async def schedule_with_code(hass: HomeAssistant, entry_id: str) -> dict[str, Any]:
    """schedule_delivery with a code, for a window open now."""
    start = dt_util.now() - timedelta(minutes=5)
    result = await hass.services.async_call(
        DOMAIN,
        "schedule_delivery",
        {
            "config_entry_id": entry_id,
            "window_start": start.isoformat(),
            "window_end": (start + timedelta(hours=2)).isoformat(),
            "carrier": "DHL",
            "code": True,
        },
        blocking=True,
        return_response=True,
    )
    assert result is not None
    return result


@pytest.mark.usefixtures("keypad_locks")
async def test_reconfigure_adds_and_removes_the_keypad(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Reconfigure shows no keypad, refuses a Z-Wave JS keypad on a template lock, takes scripts (the entrance
    reloads and gives codes), shows the slots as the owner writes them, and takes the keypad away again."""
    result = await init_integration.start_reconfigure_flow(hass)
    assert suggested(result)["keypad"] == {"provider": "none"}
    with pytest.raises(ServiceValidationError, match="no keypad"):
        await schedule_with_code(hass, init_integration.entry_id)
    form = entrance(LOCK, provider="zwave_js", slots="20-23, 30") | {"name": "Front door"}
    result = await expect_error(
        hass,
        result,
        form,
        "keypad_lock_other_integration",
        "Smart lock belongs to Template: choose the lock's own integration, or scripts.",
    )
    form["keypad"] |= {"provider": "script", "set_script": SET_SCRIPT, "clear_script": CLEAR_SCRIPT}
    result = await submit(hass, result, form)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert init_integration.data["keypad"]["slots"] == [20, 21, 22, 23, 30]
    answer = await schedule_with_code(hass, init_integration.entry_id)
    assert answer["code_slot"] in (20, 21, 22, 23, 30)

    result = await init_integration.start_reconfigure_flow(hass)
    assert suggested(result)["keypad"] == {
        "provider": "script",
        "slots": "20-23, 30",
        "code_length": 6,
        "set_script": SET_SCRIPT,
        "clear_script": CLEAR_SCRIPT,
    }
    form["keypad"] = {"provider": "none", "code_length": 6}
    result = await submit(hass, result, form)
    assert result["type"] is FlowResultType.ABORT
    await hass.async_block_till_done()
    assert "keypad" not in init_integration.data
    with pytest.raises(ServiceValidationError, match="no keypad"):
        await schedule_with_code(hass, init_integration.entry_id)


class ZwaveLockCodes:
    """Z-Wave JS's code actions as test services: what the lock was told, and a clear that can fail."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Register zwave_js.set_lock_usercode and zwave_js.clear_lock_usercode."""
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.clear_fails = False
        hass.services.async_register("zwave_js", "set_lock_usercode", self._record)
        hass.services.async_register("zwave_js", "clear_lock_usercode", self._record)

    async def _record(self, call: ServiceCall) -> None:
        if call.service == "clear_lock_usercode" and self.clear_fails:
            raise HomeAssistantError("the lock did not answer")
        data = dict(call.data)
        entity_ids = data.pop("entity_id")
        assert entity_ids in (ZWAVE_LOCK, [ZWAVE_LOCK])
        self.calls.append((call.service, data))


async def zwave_entrance(hass: HomeAssistant) -> tuple[str, ZwaveLockCodes]:
    """An entrance made in the flow with the Z-Wave lock's keypad, slots 20-29; its entry id and the lock's codes."""
    codes = ZwaveLockCodes(hass)
    result = await submit(hass, await start(hass), entrance(provider="zwave_js", slots="20-29"))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    return result["result"].entry_id, codes


@pytest.mark.usefixtures("keypad_locks")
async def test_a_zwave_keypad_gives_a_code_that_reaches_the_lock(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """An entrance made with a Z-Wave JS keypad answers a delivery's code of 6 digits in a reserved slot, and
    Home Assistant writes that code into that slot of the lock through Z-Wave JS."""
    entry_id, lock = await zwave_entrance(hass)
    answer = await schedule_with_code(hass, entry_id)
    code, slot = answer["code"], answer["code_slot"]
    assert len(code) == 6
    assert code.isdigit()
    assert 20 <= slot <= 29
    await tick(hass, freezer, 11)
    assert ("set_lock_usercode", {"code_slot": slot, "usercode": code}) in lock.calls


@pytest.mark.usefixtures("keypad_locks")
async def test_removing_the_keypad_takes_its_codes_off_the_lock(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A keypad leaves only with its codes off the lock: while the lock refuses the clear, reconfigure says so
    and keeps the keypad; once the lock takes it, the keypad is gone and so is the code."""
    entry_id, lock = await zwave_entrance(hass)
    slot = (await schedule_with_code(hass, entry_id))["code_slot"]
    await tick(hass, freezer, 11)
    lock.clear_fails = True
    lock.calls.clear()
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "reconfigure", "entry_id": entry_id})
    result = await expect_error(
        hass,
        result,
        entrance(),
        "keypad_codes_not_cleared",
        f"Front keypad did not take every clear (slots {slot}): a keypad leaves the lock only with its codes off"
        " it. Home Assistant keeps clearing them; try again once the lock answers.",
    )
    assert entry.data["keypad"]["provider"] == "zwave_js"
    lock.clear_fails = False
    result = await submit(hass, result, entrance())
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert ("clear_lock_usercode", {"code_slot": slot}) in lock.calls
    assert "keypad" not in entry.data
    lock.calls.clear()
    await tick(hass, freezer, 30)
    assert lock.calls == []  # nothing manages the slots any more, and nothing is written again


def test_slots_read_back_as_written() -> None:
    """What the form shows of stored slots reads back as the same slots."""
    for slots in ([20], [20, 21, 22], [1, 3, 5], [*range(1, 41), *range(100, 110)], [7, 8, 250]):
        assert read_slots(write_slots(slots)) == slots
    assert write_slots([25, 20, 21]) == "20-21, 25"

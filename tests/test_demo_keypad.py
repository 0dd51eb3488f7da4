"""The demo's keypad lock, as a tester tries it: a code typed on the Simulation card opens the simulated
lock while the code is valid, and not after.

The demo is loaded as scripts/develop loads it: the simulated hardware (the `hardware` fixture) and the
simulated keypad (config/simulated_keypad.yaml, with the demo-only integration config/custom_components/
sim_keypad), the Front door entrance given its keypad by scripts/dev_bootstrap.py as an owner gives one:
in the entrance form's *Keypad codes* section, on first start or through Reconfigure. The lock keeps
its codes in its own memory (sim_keypad's Store), written and cleared by the owner's scripts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
import importlib
import logging
from pathlib import Path
import sys
from types import ModuleType
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from playwright.async_api import Browser
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.in_home_delivery import PLATFORMS
from homeassistant import loader
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict

from .conftest import ENTRY_DATA, LOCK, require_chromium
from .helpers import ENTRY_ID, IN_PROGRESS, close_door, log_in, open_door, schedule_now, tick

CONFIG = Path(__file__).parent.parent / "config"
SCRIPTS = Path(__file__).parent.parent / "scripts"
KEYPAD = "text.smart_lock_keypad"
SIM_STORE = "sim_keypad"
HARNESS_STORE = "pytest_homeassistant_custom_component.common"
GRACE = 15 * 60  # the demo's default grace around a delivery window, in seconds
# Front door's keypad as the entrance keeps it: the form's `20-29` as slot numbers.
DEMO_KEYPAD = {
    "provider": "script",
    "slots": list(range(20, 30)),
    "code_length": 6,
    "set_script": "script.sim_keypad_set_code",
    "clear_script": "script.sim_keypad_clear_code",
}

# The bootstrap talks to Home Assistant over its real HTTP API, as scripts/develop runs it.
pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture
def bootstrap(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """scripts/dev_bootstrap.py as scripts/develop runs it."""
    monkeypatch.syspath_prepend(str(SCRIPTS))
    monkeypatch.delitem(sys.modules, "dev_bootstrap", raising=False)
    return importlib.import_module("dev_bootstrap")


@pytest.fixture
def demo_custom_components(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> None:
    """config/custom_components holds custom integrations, as it does for the demo's Home Assistant (whose
    configuration directory is config/): sim_keypad is found there."""
    monkeypatch.setattr(sys, "path", [*sys.path, str(CONFIG)])
    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)


@pytest.fixture
async def demo_package(
    hass: HomeAssistant,
    hardware: None,
    demo_custom_components: None,
    bootstrap: ModuleType,
    hass_client: ClientSessionGenerator,
) -> None:
    """The demo's keypad package on the simulated hardware, and Home Assistant's APIs for the bootstrap."""
    package = await hass.async_add_executor_job(load_yaml_dict, CONFIG / "simulated_keypad.yaml")
    for domain, config in package.items():
        assert await async_setup_component(hass, domain, {domain: config})
    # In-Home Delivery and its entity platforms first, for their web views: Home Assistant's web server
    # takes none once it serves (an entrance the bootstrap sets up comes later). config: the forms' flow API.
    for domain in ("in_home_delivery", *PLATFORMS, "api", "websocket_api", "config"):
        assert await async_setup_component(hass, domain, {})
    await hass.async_block_till_done()
    bootstrap.BASE = str((await hass_client()).make_url("")).rstrip("/")


def filled(data: Mapping[str, Any]) -> dict[str, Any]:
    """An entrance's settings that are filled in (the form stores an empty field as None)."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


@pytest.fixture
async def demo(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    demo_package: None,
    bootstrap: ModuleType,
    hass_access_token: str,
) -> MockConfigEntry:
    """Front door, set up before the keypad existed, given the keypad by the bootstrap (its Reconfigure form)."""
    before = dict(init_integration.data)
    assert "keypad" not in before
    async with aiohttp.ClientSession() as session:
        await bootstrap.give_keypad(session, hass_access_token, ENTRY_ID)
    await hass.async_block_till_done(wait_background_tasks=True)  # the entrance reloads with its keypad
    assert init_integration.data["keypad"] == DEMO_KEYPAD
    assert filled(init_integration.data) == filled(before) | {"keypad": DEMO_KEYPAD}  # the rest as it was
    assert hass.config_entries.flow.async_progress() == []
    return init_integration


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: Any) -> None:
    """The dashboard's logbook cards need the recorder, prepared before Home Assistant starts."""


@pytest.fixture
async def dashboard(recorder_mock: Any, hass: HomeAssistant, hass_storage: dict[str, Any]) -> str:
    """The demo's In-Home Delivery dashboard (written from its template, as the bootstrap does); its path."""
    hass_storage["onboarding"] = {
        "version": 4,
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": ["user", "core_config", "analytics", "integration"]},
    }
    template = (CONFIG / "dashboard.template.yaml").read_text(encoding="utf-8")
    dashboard = template.replace("${ENTRY_ID}", ENTRY_ID).replace("${GARAGE_ENTRY_ID}", ENTRY_ID)
    Path(hass.config.path("dashboard.yaml")).write_text(dashboard, encoding="utf-8")
    dashboards = {"in-home-delivery": {"mode": "yaml", "title": "In-Home Delivery", "filename": "dashboard.yaml"}}
    for domain, config in (
        ("lovelace", {"dashboards": dashboards}),
        ("logbook", {}),
        ("history", {}),
        ("frontend", {}),
    ):
        assert await async_setup_component(hass, domain, {domain: config} if config else {})
    await hass.async_block_till_done()
    return "in-home-delivery/front-door"


async def test_the_first_start_sets_up_front_door_with_its_keypad(
    hass: HomeAssistant,
    demo_package: None,
    bootstrap: ModuleType,
    hass_access_token: str,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """On first start the bootstrap fills in Front door's form with its Keypad codes section: the entrance
    keeps the keypad, and a delivery's code reaches the simulated lock's memory."""
    async with aiohttp.ClientSession() as session:
        entry_id = await bootstrap.add_front_door(session, hass_access_token)
    await hass.async_block_till_done(wait_background_tasks=True)
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    assert entry.data["keypad"] == DEMO_KEYPAD
    assert entry.data["street_door"] == "button.street_door_opener"
    start = dt_util.now() - timedelta(minutes=5)
    answer = await hass.services.async_call(
        "in_home_delivery",
        "schedule_delivery",
        {
            "config_entry_id": entry_id,
            "window_start": start.isoformat(),
            "window_end": (start + timedelta(hours=2)).isoformat(),
            "code": True,
        },
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    await tick(hass, freezer, 11)
    await settle(hass)
    assert lock_memory(hass_storage) == {str(answer["code_slot"]): answer["code"]}


@pytest.mark.parametrize(
    "entry_data",
    [
        ENTRY_DATA
        | {
            "keypad": {
                "provider": "script",
                "slots": [30, 31],
                "code_length": 8,
                "set_script": "script.sim_keypad_set_code",
                "clear_script": "script.sim_keypad_clear_code",
            }
        }
    ],
)
async def test_a_keypad_the_owner_chose_is_left_as_it_is(
    hass: HomeAssistant,
    demo_package: None,
    init_integration: MockConfigEntry,
    bootstrap: ModuleType,
    hass_access_token: str,
) -> None:
    """Front door already has a keypad (its owner's slots and length): the bootstrap opens its Reconfigure,
    sees the Keypad codes section filled in, and closes it unchanged."""
    before = dict(init_integration.data)
    async with aiohttp.ClientSession() as session:
        await bootstrap.give_keypad(session, hass_access_token, ENTRY_ID)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert dict(init_integration.data) == before
    assert hass.config_entries.flow.async_progress() == []


async def settle(hass: HomeAssistant) -> None:
    """Let the keypad's slots be brought in line (that runs in the background)."""
    await hass.async_block_till_done(wait_background_tasks=True)


async def type_code(hass: HomeAssistant, code: str) -> None:
    """The courier types a code on the Simulation card's keypad and presses Enter."""
    await hass.services.async_call("text", "set_value", {"entity_id": KEYPAD, "value": code}, blocking=True)
    await settle(hass)


def lock_memory(hass_storage: dict[str, Any]) -> dict[str, str]:
    """What the simulated lock holds, slot by slot, as its own memory (sim_keypad's Store) keeps it."""
    return dict(hass_storage.get(SIM_STORE, {}).get("data", {}).get("slots", {}))


def types(bus_events: list[Event]) -> list[str]:
    """The entrance's event types, in order."""
    return [event.data["type"] for event in bus_events]


def states_holding(hass: HomeAssistant, code: str) -> list[str]:
    """The entities whose state or attributes show the code."""
    return [state.entity_id for state in hass.states.async_all() if code in f"{state.state} {state.attributes}"]


async def test_a_delivery_code_opens_the_demo_lock_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    demo: MockConfigEntry,
    hass_storage: dict[str, Any],
    bus_events: list[Event],
    hass_ws_client: WebSocketGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A delivery with a code, its window open: the code reaches the lock's memory within a tick; typed on
    the keypad it opens the door and starts a visit; used, it leaves the lock, and typed again it does
    nothing. The code is in no entity's state, no script trace and no log."""
    caplog.set_level(logging.DEBUG)
    answer = await schedule_now(hass, code=True)  # type: ignore[arg-type]
    code, slot = answer["code"], answer["code_slot"]
    assert slot in range(20, 30)
    assert len(code) == 6
    await tick(hass, freezer, 11)
    await settle(hass)
    assert lock_memory(hass_storage) == {str(slot): code}
    assert hass.states.get(LOCK).state == "locked"

    await type_code(hass, code)
    assert hass.states.get(LOCK).state == "unlocked"
    assert hass.states.get(IN_PROGRESS).state == "on"
    assert {"code_used", "admitted"} <= set(types(bus_events))
    admitted = next(event for event in bus_events if event.data["type"] == "admitted")
    assert (admitted.data["admitted_by"], admitted.data["pass_id"]) == ("code", answer["delivery_id"])
    assert hass.states.get(KEYPAD).state == ""  # the keypad never keeps what was typed

    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 11)  # the relock delay
    await settle(hass)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(IN_PROGRESS).state == "off"
    assert lock_memory(hass_storage) == {}  # a delivery's code is used once

    bus_events.clear()
    await type_code(hass, code)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(IN_PROGRESS).state == "off"
    assert types(bus_events) == []

    assert states_holding(hass, code) == []
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "trace/list", "domain": "script"})
    assert (await client.receive_json())["result"] == []  # the scripts' runs (with the code) are not kept
    logged = {record.name for record in caplog.records if code in record.getMessage()}
    assert logged <= {HARNESS_STORE}  # only the test harness's stand-in for the disk shows what it writes


async def test_a_code_past_its_window_opens_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    demo: MockConfigEntry,
    hass_storage: dict[str, Any],
    bus_events: list[Event],
) -> None:
    """A wrong code does nothing at the lock; the delivery's code, never used, stays on the lock until the
    end of its window (and the grace), and a minute later it is gone: typed then, it opens nothing."""
    answer = await schedule_now(hass, code=True, start_in=timedelta(minutes=-5), hours=1)  # type: ignore[arg-type]
    code, slot = answer["code"], answer["code_slot"]
    await tick(hass, freezer, 11)
    await settle(hass)
    assert lock_memory(hass_storage) == {str(slot): code}

    wrong = "13" + code[2:] if not code.startswith("13") else "24" + code[2:]
    await type_code(hass, wrong)
    assert hass.states.get(LOCK).state == "locked"
    assert types(bus_events) == []

    await tick(hass, freezer, 55 * 60 + GRACE - 30)  # half a minute before the window and its grace end
    await settle(hass)
    assert lock_memory(hass_storage) == {str(slot): code}
    await tick(hass, freezer, 30 + 60)
    await settle(hass)
    assert lock_memory(hass_storage) == {}
    assert types(bus_events) == ["missed"]  # nobody came

    bus_events.clear()
    await type_code(hass, code)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(IN_PROGRESS).state == "off"
    assert types(bus_events) == []
    assert states_holding(hass, code) == []


async def until(hass: HomeAssistant, entity_id: str, state: str) -> bool:
    """Wait (a few seconds at most) for an entity to report a state, while a browser acts."""
    for _ in range(100):
        if hass.states.get(entity_id).state == state:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_the_simulation_cards_keypad_opens_the_lock(
    hass: HomeAssistant,
    dashboard: str,
    demo: MockConfigEntry,
    hass_storage: dict[str, Any],
    hass_client: ClientSessionGenerator,
    hass_admin_user: Any,
    browser: Browser,
) -> None:
    """On the demo's dashboard, the tester types the delivery's code into the Simulation card's keypad and
        presses Enter (the field shows dots, as a password field does): the lock opens and a visit starts. What
    was typed is kept in no state."""
    require_chromium()
    answer = await schedule_now(hass, code=True)  # type: ignore[arg-type]
    code = answer["code"]
    await settle(hass)
    assert lock_memory(hass_storage) == {str(answer["code_slot"]): code}
    base = str((await hass_client()).make_url("")).rstrip("/")
    context = await browser.new_context(viewport={"width": 1280, "height": 1400})
    await log_in(hass, hass_admin_user, base, context)
    page = await context.new_page()
    await page.goto(f"{base}/{dashboard}")
    keypad = page.locator("hui-text-entity-row", has_text="Keypad (type a code, then Enter)").locator("input")
    await keypad.wait_for(timeout=30000)
    assert await keypad.get_attribute("type") == "password"
    await keypad.fill(code)
    await keypad.press("Enter")
    assert await until(hass, IN_PROGRESS, "on")
    assert hass.states.get(LOCK).state == "unlocked"
    assert states_holding(hass, code) == []
    await context.close()

"""A garage door as the entrance: opened for the visit, closed behind it, whatever the door does."""

from __future__ import annotations

from datetime import timedelta
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.settings import DEFAULT_OPTIONS
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir, translation
from homeassistant.helpers.translation import async_get_translations

from .conftest import CAMERA, DOOR, PHONE
from .helpers import ENTRY_ID, admit, close_door, end_visit, open_door, post_link, schedule_now, set_switch, tick

GARAGE = "cover.garage_door"
GATE = "cover.driveway_gate"
PHASE = "sensor.garage_visit_phase"
MIRROR = "lock.garage_garage_door"  # the entrance "Garage"'s lock entity, named Garage door
RELOCK_ISSUE = f"relock_failed_{ENTRY_ID}"


@pytest.fixture
def entry_data() -> dict[str, Any]:
    """A garage door with a camera and a phone."""
    return {"name": "Garage", "garage_door": GARAGE, "camera": CAMERA, "notify_targets": [PHONE]}


def garage_of(hass: HomeAssistant, entity_id: str = GARAGE) -> tuple[str, Any]:
    """A cover's state and position."""
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state, state.attributes.get("current_position")


async def delivery_link(hass: HomeAssistant, start_in: timedelta = timedelta(minutes=-5)) -> str:
    """The link of a delivery whose window is open now (or starts after start_in)."""
    return str((await schedule_now(hass, start_in=start_in))["link"])


async def set_garage(hass: HomeAssistant, state: str) -> None:
    """Make the simulated garage door report a state (and a matching position) by itself."""
    await hass.services.async_call(
        "input_number",
        "set_value",
        {"entity_id": "input_number.sim_garage_position", "value": 0 if state == "closed" else 100},
        blocking=True,
    )
    await hass.services.async_call(
        "input_select", "select_option", {"entity_id": "input_select.sim_garage_state", "option": state}, blocking=True
    )
    await hass.async_block_till_done()


async def test_courier_journey(hass: HomeAssistant, link_client: Any, bus_events: list[Event]) -> None:
    """Unlock opens the garage door, Done closes it; the visit ends only once it reports closed."""
    assert hass.states.get(MIRROR).state == "locked"
    link = await delivery_link(hass)
    status = await (await post_link(link_client, link, "status")).json()
    assert "Put the parcel inside" in status["view"]["message"]
    assert status["view"]["button"]["label"] == "Open the garage door"  # the garage, not a lock
    response = await post_link(link_client, link, "unlock")
    assert response.status == 200
    await hass.async_block_till_done()
    assert garage_of(hass) == ("open", 100)
    assert hass.states.get(MIRROR).state == "unlocked"
    assert hass.states.get(PHASE).state == "waiting_for_entry"
    response = await post_link(link_client, link, "done")
    assert response.status == 200
    await hass.async_block_till_done()
    assert garage_of(hass) == ("closed", 0)
    assert hass.states.get(PHASE).state == "idle"
    status = await (await post_link(link_client, link, "status")).json()
    assert status["lock"] == "locked"
    assert status["view"]["message"] == "Closed — thank you!"
    assert [event.data["type"] for event in bus_events[-2:]] == ["locked", "completed"]
    history = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.controller.history
    assert history[-1]["outcome"] == "locked"


async def test_opening_height_for_parcels_only(hass: HomeAssistant, link_client: Any) -> None:
    """A courier gets the garage door open to the parcel height; the owner gets it fully open."""
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    hass.config_entries.async_update_entry(entry, options=DEFAULT_OPTIONS | {"opening_height": 40})
    await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    link = await delivery_link(hass)
    assert (await post_link(link_client, link, "unlock")).status == 200
    await hass.async_block_till_done()
    assert garage_of(hass) == ("open", 40)
    await post_link(link_client, link, "done")
    await hass.async_block_till_done()
    assert garage_of(hass) == ("closed", 0)
    await admit(hass)
    assert garage_of(hass) == ("open", 100)
    await end_visit(hass)
    assert garage_of(hass) == ("closed", 0)


def opening_field(result: ConfigFlowResult) -> Any:
    """The options form's "How far the garage door opens for a parcel", as it is shown (None: no such field)."""
    sections = {str(key): value for key, value in result["data_schema"].schema.items()}
    if "garage" not in sections:
        return None
    (field,) = sections["garage"].schema.schema
    return field.description["suggested_value"]


async def test_options_opening_as_covers_count(
    hass: HomeAssistant, init_integration: MockConfigEntry, link_client: Any
) -> None:
    """A garage entrance's options show the opening as Home Assistant counts a cover's position: 100 % by
    default (fully open); 40 % opens the garage door to position 40 for a courier."""
    result = await hass.config_entries.options.async_init(ENTRY_ID)
    assert opening_field(result) == 100
    assert "street_door" not in [str(key) for key in result["data_schema"].schema]  # no street door switch here
    submitted = {
        str(key): {
            str(field): field.description["suggested_value"]
            for field in value.schema.schema
            if (field.description or {}).get("suggested_value") is not None
        }
        for key, value in result["data_schema"].schema.items()
        if str(key) != "links"
    }
    submitted["garage"] = {"opening_height": 40.0}
    result = await hass.config_entries.options.async_configure(result["flow_id"], submitted)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options["opening_height"] == 40
    link = await delivery_link(hass)
    assert (await post_link(link_client, link, "unlock")).status == 200
    await hass.async_block_till_done()
    assert garage_of(hass) == ("open", 40)
    texts = await async_get_translations(hass, "en", "options", [DOMAIN])
    description = texts[f"component.{DOMAIN}.options.step.init.sections.garage.data_description.opening_height"]
    assert "100 % is fully open" in description


@pytest.mark.parametrize(
    ("entry_options", "stored", "opened"),
    [
        pytest.param(DEFAULT_OPTIONS | {"opening_height": 0}, 100, 100, id="0_meant_fully_open"),
        pytest.param(DEFAULT_OPTIONS | {"opening_height": 40}, 40, 40, id="40_stays_40"),
        pytest.param({key: value for key, value in DEFAULT_OPTIONS.items() if key != "opening_height"}, None, 100),
    ],
)
async def test_opening_of_an_earlier_release_keeps_its_real_opening(
    hass: HomeAssistant, init_integration: MockConfigEntry, link_client: Any, stored: int | None, opened: int
) -> None:
    """An entrance set up before the opening was counted as covers count it: its garage door opens as
    before for a courier, and the options show that opening in the new count (0 % was fully open: 100 %)."""
    assert init_integration.minor_version == 3
    assert init_integration.options.get("opening_height") == stored
    result = await hass.config_entries.options.async_init(ENTRY_ID)
    assert opening_field(result) == (stored or 100)
    hass.config_entries.options.async_abort(result["flow_id"])
    link = await delivery_link(hass)
    assert (await post_link(link_client, link, "unlock")).status == 200
    await hass.async_block_till_done()
    assert garage_of(hass) == ("open", opened)


async def test_closes_when_the_maximum_visit_runs_out(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Without Done the garage door stays open past the entry timeout and closes at the maximum visit."""
    await admit(hass)
    await tick(hass, freezer, DEFAULT_OPTIONS["entry_timeout"] + 10)
    assert garage_of(hass)[0] == "open"
    await tick(hass, freezer, DEFAULT_OPTIONS["max_visit"] - DEFAULT_OPTIONS["entry_timeout"])
    assert garage_of(hass)[0] == "closed"
    assert hass.states.get(PHASE).state == "idle"


async def test_page_shows_the_time_left_and_warns_before_closing(
    hass: HomeAssistant, link_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    """The courier sees when the garage door closes by itself, never more time than is left (whole
    minutes, rounded down), and a warning in its last minute."""
    link = await delivery_link(hass)
    await post_link(link_client, link, "unlock")
    await hass.async_block_till_done()
    view = (await (await post_link(link_client, link, "status")).json())["view"]
    assert view["button"] == {"action": "done", "label": "Done"}
    assert view["message"].endswith("It closes by itself in 15 min.")
    await tick(hass, freezer, DEFAULT_OPTIONS["max_visit"] - 150)  # 2 min 30 s left
    view = (await (await post_link(link_client, link, "status")).json())["view"]
    assert view["message"].endswith("It closes by itself in 2 min.")
    await tick(hass, freezer, 89)  # 61 s left
    view = (await (await post_link(link_client, link, "status")).json())["view"]
    assert view["message"].endswith("It closes by itself in 1 min.")
    assert view["tone"] == "info"
    await tick(hass, freezer, 2)  # 59 s left
    view = (await (await post_link(link_client, link, "status")).json())["view"]
    assert "less than a minute" in view["message"]
    assert "min." not in view["message"]
    assert view["tone"] == "problem"
    assert garage_of(hass)[0] == "open"
    german = await post_link(link_client, link, "status", language="de")
    assert "weniger als einer Minute" in (await german.json())["view"]["message"]
    await tick(hass, freezer, 59)
    assert garage_of(hass)[0] == "closed"
    view = (await (await post_link(link_client, link, "status")).json())["view"]
    assert view["message"] == "Closed — thank you!"


async def test_admission_needs_the_garage_closed_and_available(hass: HomeAssistant, link_client: Any) -> None:
    """An open garage door refuses a courier (409 door open); an offline one refuses with 503."""
    link = await delivery_link(hass)
    await set_garage(hass, "open")
    response = await post_link(link_client, link, "unlock")
    assert (response.status, (await response.json())["reason"]) == (409, "door_open")
    await set_garage(hass, "closed")
    await set_switch(hass, "input_boolean.sim_garage_online", False)
    response = await post_link(link_client, link, "unlock")
    assert (response.status, (await response.json())["reason"]) == (503, "lock_unavailable")
    assert hass.states.get(PHASE).state == "idle"


async def test_obstruction(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    issue_registry: ir.IssueRegistry,
    bus_events: list[Event],
) -> None:
    """A garage door that reverses while closing: the owner is told at once, it is tried again after a
    pause, and after the attempts it is relock_failed with a repair, until it closes."""
    await admit(hass)
    await set_switch(hass, "input_boolean.sim_garage_obstructed", True)
    phone_messages.clear()
    await end_visit(hass)
    assert garage_of(hass)[0] == "open"
    assert any("went back" in call.data["message"] for call in phone_messages)
    assert hass.states.get(PHASE).state == "locking"
    await tick(hass, freezer, 6)
    assert hass.states.get(PHASE).state == "locking"  # a garage door waits longer than a bolt before trying again
    for _ in range(4):
        await tick(hass, freezer, 6)
        assert "relock_failed" not in [event.data["type"] for event in bus_events]
    for _ in range(3):
        await tick(hass, freezer, 6)
    assert "relock_failed" in [event.data["type"] for event in bus_events]
    assert issue_registry.async_get_issue(DOMAIN, RELOCK_ISSUE) is not None
    assert hass.states.get(PHASE).state == "relock_failed"
    await set_switch(hass, "input_boolean.sim_garage_obstructed", False)
    await tick(hass, freezer, 130)  # the first slow retry
    assert garage_of(hass)[0] == "closed"
    assert hass.states.get(PHASE).state == "idle"
    assert issue_registry.async_get_issue(DOMAIN, RELOCK_ISSUE) is None
    history = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.controller.history
    assert history[-1]["outcome"] == "relock_failed"


async def test_offline_while_closing_closes_when_back(
    hass: HomeAssistant, init_integration: MockConfigEntry, bus_events: list[Event]
) -> None:
    """The garage door drops off the network before Done; when it reports again (open) it is closed at once."""
    await admit(hass)
    await set_switch(hass, "input_boolean.sim_garage_online", False)
    await end_visit(hass)
    assert hass.states.get(GARAGE).state == "unavailable"
    assert hass.states.get(PHASE).state == "locking"
    await set_switch(hass, "input_boolean.sim_garage_online", True)
    assert garage_of(hass)[0] == "closed"
    assert hass.states.get(PHASE).state == "idle"
    assert "completed" in [event.data["type"] for event in bus_events[-2:]]


@pytest.mark.parametrize("phase", ["waiting_for_entry", "locking"])
async def test_restart_in_a_phase_ends_closed(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory, phase: str
) -> None:
    """Set the entrance up again mid-visit: the garage door closes (after an obstruction clears, too)."""
    await admit(hass)
    if phase == "locking":
        await set_switch(hass, "input_boolean.sim_garage_obstructed", True)
        await end_visit(hass)
    assert hass.states.get(PHASE).state == phase
    await set_switch(hass, "input_boolean.sim_garage_obstructed", False)
    await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    assert garage_of(hass)[0] == "closed"
    assert hass.states.get(PHASE).state == "idle"


@pytest.mark.parametrize(
    "entry_data",
    [{"name": "Garage", "garage_door": GATE, "notify_targets": [PHONE]}],
)
async def test_gate_without_position(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A gate that takes no position opens fully even with an opening height, and closes on Done."""
    hass.config_entries.async_update_entry(init_integration, options=DEFAULT_OPTIONS | {"opening_height": 40})
    await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    await admit(hass)
    assert hass.states.get(GATE).state == "open"
    await end_visit(hass)
    assert hass.states.get(GATE).state == "closed"
    assert hass.states.get(PHASE).state == "idle"


async def test_mirror_lock_drives_the_garage(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The entrance's lock entity opens and closes the garage door for the owner."""
    await hass.services.async_call("lock", "unlock", {"entity_id": MIRROR}, blocking=True)
    await hass.async_block_till_done()
    assert garage_of(hass)[0] == "open"
    await hass.services.async_call("lock", "lock", {"entity_id": MIRROR}, blocking=True)
    await hass.async_block_till_done()
    assert garage_of(hass)[0] == "closed"


async def test_garage_with_its_own_sensor_is_closed_only_when_both_say_so(
    hass: HomeAssistant,
    hardware: None,
    freezer: FrozenDateTimeFactory,
    bus_events: list[Event],
    phone_messages: list[ServiceCall],
) -> None:
    """A garage entrance with its own door sensor: the cover says closed while the sensor says open, so
    the visit is not completed; it keeps closing, and the owner is alerted with a repair."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Garage",
        data={"name": "Garage", "garage_door": GARAGE, "door_sensor": DOOR, "notify_targets": [PHONE]},
        options=dict(DEFAULT_OPTIONS),
        entry_id=ENTRY_ID,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()
    await admit(hass)
    assert garage_of(hass)[0] == "open"
    await open_door(hass)  # the sensor sees the door open; the cover closes anyway and says closed
    await end_visit(hass)
    assert garage_of(hass) == ("closed", 0)
    assert hass.states.get(PHASE).state != "idle"
    assert any("went back" in call.data["message"] for call in phone_messages)  # told at once
    for _ in range(10):
        await tick(hass, freezer, 30)
    assert "completed" not in [event.data["type"] for event in bus_events]
    assert "relock_failed" in [event.data["type"] for event in bus_events]
    assert ir.async_get(hass).async_get_issue(DOMAIN, RELOCK_ISSUE) is not None
    assert any(call.data["data"].get("push", {}).get("interruption-level") == "critical" for call in phone_messages)
    await close_door(hass)  # the sensor agrees at last
    await tick(hass, freezer, 130)
    assert hass.states.get(PHASE).state == "idle"
    assert bus_events[-1].data["type"] == "completed"


LOCK_WORDS = re.compile(r"\b(un)?lock", re.IGNORECASE)
GERMAN_LOCK_WORDS = re.compile(r"(auf|ab)schlie|(auf|ab)geschlossen|\bschloss\b", re.IGNORECASE)


async def test_a_courier_let_in_until_the_maximum_visit_hears_of_a_garage_door(
    hass: HomeAssistant, link_client: Any, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """The owner follows a delivery that the maximum visit ends: the garage door opens and is closed, never
    locked, in every message."""
    link = await delivery_link(hass)
    assert (await post_link(link_client, link, "unlock")).status == 200
    await hass.async_block_till_done()
    await tick(hass, freezer, DEFAULT_OPTIONS["max_visit"])
    assert garage_of(hass)[0] == "closed"
    messages = [call.data["message"] for call in phone_messages]
    assert messages[0] == "DHL is being let in; opening the garage door now."
    assert messages[-1] == "The visit of DHL ended after 15 min 0 s; the garage door is closed."
    assert not [message for message in messages if LOCK_WORDS.search(message)]


async def test_an_obstruction_in_the_garage_doors_words(
    hass: HomeAssistant,
    link_client: Any,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    issue_registry: ir.IssueRegistry,
) -> None:
    """A garage door that will not close: the courier, the owner and the repair all hear that the garage
    door could not be closed, in English and German; nobody reads of a lock."""
    link = await delivery_link(hass)
    assert (await post_link(link_client, link, "unlock")).status == 200
    await hass.async_block_till_done()
    await set_switch(hass, "input_boolean.sim_garage_obstructed", True)
    await post_link(link_client, link, "done")
    await hass.async_block_till_done()
    for _ in range(8):
        await tick(hass, freezer, 6)
    assert hass.states.get(PHASE).state == "relock_failed"
    english = (await (await post_link(link_client, link, "status")).json())["view"]["message"]
    german = (await (await post_link(link_client, link, "status", language="de")).json())["view"]["message"]
    assert english.startswith("The garage door could not be closed. The owner has been alerted.")
    assert german.startswith("Das Garagentor ließ sich nicht schließen. Der Eigentümer wurde alarmiert.")
    assert not LOCK_WORDS.search(english)
    assert not GERMAN_LOCK_WORDS.search(german)

    issue = issue_registry.async_get_issue(DOMAIN, RELOCK_ISSUE)
    assert issue is not None
    for language, title in (
        ("en", "Garage: the garage door could not be closed"),
        ("de", "Garage: Das Garagentor ließ sich nicht schließen"),
    ):
        texts = await translation.async_get_translations(hass, language, "issues", [DOMAIN])
        prefix = f"component.{DOMAIN}.issues.{issue.translation_key}"
        assert texts[f"{prefix}.title"].format(**issue.translation_placeholders) == title
        description = texts[f"{prefix}.description"].format(**issue.translation_placeholders)
        assert "Garage door (cover.garage_door)" in description
        assert not (LOCK_WORDS if language == "en" else GERMAN_LOCK_WORDS).search(description)

    await set_switch(hass, "input_boolean.sim_garage_obstructed", False)
    await tick(hass, freezer, 130)
    assert garage_of(hass)[0] == "closed"
    messages = [call.data["message"] for call in phone_messages]
    assert "The garage door could NOT be closed after the visit of DHL. Check it now." in messages
    assert messages[-1] == "The garage door is closed again after the visit of DHL."
    assert not [message for message in messages if LOCK_WORDS.search(message)]
    alert = next(call for call in phone_messages if "could NOT be closed" in call.data["message"])
    assert alert.data["data"]["actions"][0]["title"] == "Close now"


async def test_the_owner_is_told_the_garage_door_is_unavailable(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Letting someone in while the garage door is offline: the error names the garage door, not a lock."""
    await set_switch(hass, "input_boolean.sim_garage_online", False)
    with pytest.raises(ServiceValidationError) as refused:
        await admit(hass)
    assert refused.value.translation_key == "denied_lock_unavailable_garage"
    assert str(refused.value).startswith("The garage door of Garage is unavailable")

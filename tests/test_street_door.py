"""The street door of an apartment building: opened from the courier's page before the apartment door."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.settings import DEFAULT_OPTIONS
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store

from .conftest import ENTRY_DATA, LOCK, PHONE
from .helpers import ENTRY_ID, REAL_STORE_WRITE, post_link, schedule_now, set_switch, tick

OPENINGS = "counter.sim_street_door_openings"
PHASE = "sensor.front_door_visit_phase"


@pytest.fixture
def entry_data() -> dict[str, Any]:
    """The flat's door, behind the building's street door opener (a button)."""
    return dict(ENTRY_DATA) | {"street_door": "button.street_door_opener"}


async def delivery_link(hass: HomeAssistant, start_in: timedelta = timedelta(minutes=-5)) -> str:
    """The link of a delivery whose window is open now (or starts after start_in)."""
    return str((await schedule_now(hass, start_in=start_in))["link"])


def openings(hass: HomeAssistant, entity_id: str = OPENINGS) -> int:
    """How often the simulated opener opened the street door."""
    return int(hass.states.get(entity_id).state)


async def test_street_door_then_apartment_door(
    hass: HomeAssistant, link_client: Any, bus_events: list[Event], phone_messages: list[ServiceCall]
) -> None:
    """The page offers the street door first; opening it tells the owner and moves the page on to Unlock."""
    link = await delivery_link(hass)
    status = await (await post_link(link_client, link, "status")).json()
    assert status["view"]["button"]["action"] == "street_door"
    response = await post_link(link_client, link, "street_door")
    body = await response.json()
    await hass.async_block_till_done()
    assert (response.status, body["result"]) == (200, "street_door_opened")
    assert openings(hass) == 1
    assert bus_events[-1].data["type"] == "street_door_opened"
    assert any("street door" in call.data["message"] for call in phone_messages)
    assert body["view"]["button"]["action"] == "unlock"
    assert body["view"]["also"] == {"action": "street_door", "label": "Open the street door again"}
    assert hass.states.get(LOCK).state == "locked"  # the apartment door is untouched
    response = await post_link(link_client, link, "unlock")
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"


async def test_at_most_three_openings(hass: HomeAssistant, link_client: Any) -> None:
    """A fourth opening is refused (429); the apartment door can still be unlocked."""
    link = await delivery_link(hass)
    for _ in range(3):
        assert (await post_link(link_client, link, "street_door")).status == 200
    page = await (await post_link(link_client, link, "status", form=True)).text()
    assert "Open the street door again" not in page  # no more openings left: only Unlock is offered
    assert 'value="unlock"' in page
    response = await post_link(link_client, link, "street_door")
    body = await response.json()
    assert (response.status, body["reason"]) == (429, "street_door_limit")
    assert body["view"]["button"]["action"] == "unlock"
    await hass.async_block_till_done()
    assert openings(hass) == 3


async def test_openings_are_kept_across_a_restart(
    hass: HomeAssistant, link_client: Any, hass_storage: dict[str, Any]
) -> None:
    """The count is on disk before the street door opens; a restart gives the pass no further openings."""
    link = await delivery_link(hass)
    for _ in range(2):
        assert (await post_link(link_client, link, "street_door")).status == 200
    stored = hass_storage[f"{DOMAIN}.{ENTRY_ID}.visit"]["data"]["street_door_openings"]
    assert [count for count, _until in stored.values()] == [2]
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    assert (await post_link(link_client, link, "street_door")).status == 200
    response = await post_link(link_client, link, "street_door")
    assert (response.status, (await response.json())["reason"]) == (429, "street_door_limit")
    await hass.async_block_till_done()
    assert openings(hass) == 3


async def test_refused_like_unlock(hass: HomeAssistant, link_client: Any) -> None:
    """Outside the window (403) or with deliveries not allowed (423) the street door stays shut."""
    early = await delivery_link(hass, start_in=timedelta(hours=3))
    response = await post_link(link_client, early, "street_door")
    assert (response.status, (await response.json())["reason"]) == (403, "too_early")
    link = await delivery_link(hass)
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.front_door_deliveries_allowed"}, blocking=True
    )
    response = await post_link(link_client, link, "street_door")
    assert (response.status, (await response.json())["reason"]) == (423, "not_accepting")
    await hass.async_block_till_done()
    assert openings(hass) == 0


async def test_owner_opens_the_street_door(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """admit with street_door opens only the street door, without a pass or a visit."""
    await hass.services.async_call(DOMAIN, "admit", {"config_entry_id": ENTRY_ID, "street_door": True}, blocking=True)
    await hass.async_block_till_done()
    assert openings(hass) == 1
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


@pytest.mark.parametrize("entry_data", [dict(ENTRY_DATA) | {"street_door": "switch.intercom_relay"}])
async def test_switch_opener_is_pulsed(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A switch opener is turned on, and off again after the pulse."""
    hass.config_entries.async_update_entry(init_integration, options=DEFAULT_OPTIONS | {"street_door_pulse": 1})
    await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    seen: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: seen.append(event.data["new_state"].state)
        if event.data["entity_id"] == "switch.intercom_relay"
        else None,
    )
    await hass.services.async_call(DOMAIN, "admit", {"config_entry_id": ENTRY_ID, "street_door": True}, blocking=True)
    await hass.async_block_till_done()
    assert seen == ["on"]
    await tick(hass, freezer, 1)
    assert seen == ["on", "off"]


@pytest.mark.parametrize("entry_data", [dict(ENTRY_DATA) | {"street_door": "lock.intercom_opener"}])
async def test_lock_opener_is_opened(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """An intercom opener that is a lock is opened (lock.open), not unlocked."""
    await hass.services.async_call(DOMAIN, "admit", {"config_entry_id": ENTRY_ID, "street_door": True}, blocking=True)
    await hass.async_block_till_done()
    assert openings(hass, "counter.sim_intercom_lock_openings") == 1


@pytest.mark.usefixtures("hardware")
async def test_config_flow_entrance_kinds(hass: HomeAssistant) -> None:
    """A garage door entrance is stored without a lock; both, neither, or the lock as its own street
    door opener are clear errors."""

    async def submit(**fields: Any) -> Any:
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        values = {"name": "Garage", "door": {}, "camera": {}, "comfort": {"notify_targets": [PHONE]}, "alarm": {}}
        for key, value in fields.items():
            if key == "street_door":
                values["door"] = {"street_door": value}
            else:
                values[key] = value
        return await hass.config_entries.flow.async_configure(result["flow_id"], values)

    result = await submit()
    assert result["errors"] == {"base": "one_access_point"}
    result = await submit(lock=LOCK, garage_door="cover.garage_door")
    assert result["errors"] == {"base": "one_access_point"}
    result = await submit(lock=LOCK, street_door=LOCK)
    assert result["errors"] == {"door": "street_door_is_access_point"}  # on the section of the street door
    result = await submit(garage_door="cover.garage_door", street_door="button.street_door_opener")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["garage_door"] == "cover.garage_door"
    assert "lock" not in result["data"]
    assert result["data"]["street_door"] == "button.street_door_opener"


RELAY = "switch.street_door_relay"
RELAY_CONTACT = "input_boolean.sim_street_relay"
RELAY_DATA = dict(ENTRY_DATA) | {"street_door": RELAY}
PULSE = DEFAULT_OPTIONS.get("street_door_pulse", 2)


async def owner_opens_street_door(hass: HomeAssistant) -> None:
    """The owner opens the street door (admit with street_door), as from a dashboard."""
    await hass.services.async_call(DOMAIN, "admit", {"config_entry_id": ENTRY_ID, "street_door": True}, blocking=True)


def relay_states(hass: HomeAssistant) -> list[str]:
    """Every state the street door relay reports from now on."""
    seen: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: seen.append(event.data["new_state"].state) if event.data["entity_id"] == RELAY else None,
    )
    return seen


def critical_alerts(phone_messages: list[ServiceCall]) -> list[str]:
    """The critical alerts the owner's phone received."""
    return [
        call.data["message"]
        for call in phone_messages
        if call.data.get("data", {}).get("push", {}).get("interruption-level") == "critical"
    ]


def turn_off_attempts(calls: list[Event]) -> list[Event]:
    """The switch.turn_off actions called for the street door relay."""
    return [
        call
        for call in calls
        if (call.data["domain"], call.data["service"]) == ("switch", "turn_off")
        and call.data["service_data"].get("entity_id") == RELAY
    ]


@pytest.mark.parametrize("entry_data", [RELAY_DATA])
async def test_relay_turn_off_failing_once_is_retried_until_off(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
) -> None:
    """The relay refuses the turn-off at the end of the pulse: it is turned off again at once, and the
    street door is held open no longer than that; nobody is alarmed."""
    await set_switch(hass, "input_boolean.sim_street_relay_fails_once", True)
    seen = relay_states(hass)
    await owner_opens_street_door(hass)
    await tick(hass, freezer, PULSE)
    for _ in range(10):
        await tick(hass, freezer, 0.5)
    assert seen == ["on", "off"]
    assert hass.states.get(RELAY_CONTACT).state == "off"
    assert not critical_alerts(phone_messages)
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"street_door_relay_{ENTRY_ID}") is None


@pytest.mark.parametrize("entry_data", [RELAY_DATA])
async def test_welded_relay_alerts_and_raises_repair(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
) -> None:
    """A relay that takes turn-off but stays on (a welded contact) holds the building's door open: after a
    few seconds of attempts the owner gets a critical alert and a repair; it is tried slowly on, and the
    repair goes away once the relay reports off."""
    await set_switch(hass, "input_boolean.sim_street_relay_welded", True)
    calls = async_capture_events(hass, "call_service")
    await owner_opens_street_door(hass)
    await tick(hass, freezer, PULSE)
    for _ in range(20):
        await tick(hass, freezer, 0.5)
    attempts = turn_off_attempts(calls)
    assert len(attempts) >= 3
    assert hass.states.get(RELAY).state == "on"
    (alert,) = critical_alerts(phone_messages)
    assert "street door" in alert
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"street_door_relay_{ENTRY_ID}")
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.CRITICAL
    tried = len(attempts)
    await tick(hass, freezer, 60)
    assert len(turn_off_attempts(calls)) == tried + 1  # slowly: once a minute
    await set_switch(hass, "input_boolean.sim_street_relay_welded", False)
    await tick(hass, freezer, 60)
    assert hass.states.get(RELAY).state == "off"
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"street_door_relay_{ENTRY_ID}") is None
    assert len(critical_alerts(phone_messages)) == 1


@pytest.mark.parametrize("entry_data", [RELAY_DATA])
async def test_restart_during_pulse_turns_relay_off(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Home Assistant goes down while the relay holds the street door open (nothing it was running
    survives): the pulse's end was stored before the relay went on, so the next start turns it off."""
    await owner_opens_street_door(hass)
    assert hass.states.get(RELAY).state == "on"
    await hass.config_entries.async_unload(ENTRY_ID)
    for task in [*hass._tasks, *hass._background_tasks]:  # the process is gone: so is whatever it ran
        task.cancel()
    await hass.async_block_till_done()
    assert hass.states.get(RELAY).state == "on"
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()
    assert hass.states.get(RELAY).state == "off"


@pytest.mark.parametrize(
    ("entry_data", "offline"),
    [
        (RELAY_DATA, "input_boolean.sim_street_relay_online"),  # the relay is unavailable
        (dict(ENTRY_DATA) | {"street_door": "switch.removed_relay"}, None),  # the opener is gone
    ],
    ids=["unavailable", "missing"],
)
async def test_unavailable_opener_is_503_not_counted_not_announced(
    hass: HomeAssistant,
    link_client: Any,
    bus_events: list[Event],
    phone_messages: list[ServiceCall],
    hass_storage: dict[str, Any],
    offline: str | None,
) -> None:
    """Home Assistant skips an action on an unavailable entity without an error: the street door did not
    open. The courier is told so (503), the opening is not counted, nobody is told it opened, and the
    apartment door can still be unlocked."""
    if offline:
        await set_switch(hass, offline, False)
    link = await delivery_link(hass)
    response = await post_link(link_client, link, "street_door")
    body = await response.json()
    await hass.async_block_till_done()
    assert (response.status, body["reason"]) == (503, "street_door_unavailable")
    assert body["view"]["button"]["action"] == "unlock"
    assert [(event.data["type"], event.data["reason"]) for event in bus_events] == [
        ("denied", "street_door_unavailable")
    ]
    assert not any("street door was opened" in call.data["message"] for call in phone_messages)
    stored = hass_storage.get(f"{DOMAIN}.{ENTRY_ID}.visit", {}).get("data", {}).get("street_door_openings", {})
    assert not stored
    assert hass.states.get(RELAY_CONTACT).state == "off"
    with pytest.raises(ServiceValidationError) as raised:
        await owner_opens_street_door(hass)
    assert raised.value.translation_key == "denied_street_door_unavailable"
    assert hass.states.get(RELAY_CONTACT).state == "off"


@pytest.mark.parametrize("entry_data", [RELAY_DATA])
async def test_relay_stays_off_when_pulse_end_cannot_be_stored(
    hass: HomeAssistant, link_client: Any, bus_events: list[Event]
) -> None:
    """Write, or do not act: where the pulse's end cannot be written, the relay is not switched on (a
    restart could not turn it off) and the courier is told the street door did not open."""
    from custom_components.in_home_delivery.relay import pulse_end_key  # noqa: PLC0415

    Path(hass.config.path(".storage", pulse_end_key(ENTRY_ID))).mkdir(parents=True)  # the disk refuses the file
    link = await delivery_link(hass)
    with patch.object(Store, "_async_write_data", REAL_STORE_WRITE):  # the harness keeps Stores in memory
        response = await post_link(link_client, link, "street_door")
    await hass.async_block_till_done()
    assert (response.status, (await response.json())["reason"]) == (503, "street_door_failed")
    assert hass.states.get(RELAY_CONTACT).state == "off"
    assert "street_door_opened" not in [event.data["type"] for event in bus_events]

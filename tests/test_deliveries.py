"""Deliveries through the actions: schedule, change, cancel, renew, list; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser, async_capture_events

from custom_components.in_home_delivery.const import DOMAIN, EVENT_IN_HOME_DELIVERY
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.util import dt as dt_util

from .helpers import ENTRY_ID, schedule_now, tick

NEXT = "sensor.front_door_next_delivery"


async def call(hass: HomeAssistant, action: str, **data: Any) -> dict[str, Any] | None:
    """Call one of our actions, with a response where it gives one."""
    response = action in ("schedule_delivery", "renew_link", "list_passes")
    result = await hass.services.async_call(
        DOMAIN, action, {"config_entry_id": ENTRY_ID, **data}, blocking=True, return_response=response
    )
    await hass.async_block_till_done()
    return result


async def schedule(
    hass: HomeAssistant, start_in: timedelta = timedelta(hours=1), hours: float = 2, **fields: str
) -> dict[str, Any]:
    """Schedule a delivery starting after start_in, without a carrier unless given."""
    carrier = fields.pop("carrier", None)
    return await schedule_now(hass, carrier=carrier, start_in=start_in, hours=hours, **fields)


@pytest.fixture(autouse=True)
async def external_url(hass: HomeAssistant) -> None:
    """The home is reachable from outside at this address."""
    await hass.config.async_update(external_url="https://home.example.org")


@pytest.mark.usefixtures("init_integration")
async def test_schedule_and_list(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    """A delivery gets an id and a one-time link; list_passes shows it without any token."""
    result = await schedule(hass, carrier="DHL", tracking_number="00340434161094042557")
    token = result["token"]
    assert len(token) >= 22
    webhook_id = hass_storage[f"{DOMAIN}.{ENTRY_ID}"]["data"]["webhook_id"]
    assert result["link"] == f"https://home.example.org/api/webhook/{webhook_id}#pass={token}"

    listed = await call(hass, "list_passes")
    assert listed is not None
    (item,) = listed["passes"]
    assert item["pass_id"] == result["delivery_id"]
    assert item["status"] == "scheduled"
    assert item["carrier"] == "DHL"
    assert token not in str(listed)
    assert "token_hash" not in item
    assert token not in str(hass_storage)
    assert hass.states.get(NEXT).attributes["carrier"] == "DHL"
    assert hass.states.get(NEXT).state != "unknown"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("start_in", "hours", "error"),
    [
        (timedelta(hours=1), -1, "window_end_before_start"),
        (timedelta(hours=1), 0, "window_end_before_start"),
        (timedelta(hours=-5), 2, "window_over"),
        (timedelta(hours=1), 25, "window_too_long"),
    ],
)
async def test_bad_windows_change_nothing(hass: HomeAssistant, start_in: timedelta, hours: float, error: str) -> None:
    """Each bad window is a translated error, and no delivery is stored."""
    with pytest.raises(ServiceValidationError) as err:
        await schedule(hass, start_in, hours)
    assert err.value.translation_key == error
    listed = await call(hass, "list_passes")
    assert listed == {"passes": []}


@pytest.mark.usefixtures("init_integration")
async def test_unknown_ids_and_entrances(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Unknown delivery, unknown entrance, unloaded entrance: clear errors."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "cancel_delivery", delivery_id="nope")
    assert err.value.translation_key == "unknown_pass"
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "list_passes", {"config_entry_id": "nope"}, blocking=True, return_response=True
        )
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError):
        await call(hass, "list_passes")


@pytest.mark.usefixtures("init_integration")
async def test_update_cancel_renew(hass: HomeAssistant) -> None:
    """Move the window; renew the link (the old token stops matching); cancel; a cancelled one cannot change."""
    result = await schedule(hass)
    delivery_id = result["delivery_id"]
    new_start = dt_util.now() + timedelta(hours=3)
    await call(
        hass,
        "update_delivery",
        delivery_id=delivery_id,
        window_start=new_start.isoformat(),
        window_end=(new_start + timedelta(hours=1)).isoformat(),
        carrier="UPS",
    )
    listed = await call(hass, "list_passes")
    assert listed["passes"][0]["carrier"] == "UPS"
    assert dt_util.parse_datetime(listed["passes"][0]["window_start"]) == dt_util.as_utc(new_start)

    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "update_delivery", delivery_id=delivery_id, window_end=(new_start - timedelta(hours=1)).isoformat()
        )
    assert err.value.translation_key == "window_end_before_start"

    renewed = await call(hass, "renew_link", pass_id=delivery_id)
    assert renewed["token"] != result["token"]
    controller = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.controller
    assert controller.passes.find(result["token"]) is None
    assert controller.passes.find(renewed["token"]).pass_id == delivery_id

    await call(hass, "cancel_delivery", delivery_id=delivery_id)
    listed = await call(hass, "list_passes")
    assert listed["passes"][0]["status"] == "cancelled"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "update_delivery", delivery_id=delivery_id, carrier="DPD")
    assert err.value.translation_key == "pass_closed"
    with pytest.raises(ServiceValidationError):
        await call(hass, "renew_link", pass_id=delivery_id)


@pytest.mark.usefixtures("init_integration")
async def test_missed_window(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """A window that passes unused (with grace) is missed: event, owner told, status, sensor moves on."""
    events = async_capture_events(hass, EVENT_IN_HOME_DELIVERY)
    await schedule(hass, timedelta(minutes=10), 1, carrier="GLS")
    await tick(hass, freezer, (70 + 14) * 60)
    assert not [event for event in events if event.data["type"] == "missed"]
    await tick(hass, freezer, 2 * 60)
    (missed,) = [event for event in events if event.data["type"] == "missed"]
    assert missed.data["pass_label"] == "GLS"
    assert missed.data["pass_kind"] == "delivery"
    listed = await call(hass, "list_passes")
    assert listed["passes"][0]["status"] == "missed"
    assert any("GLS passed unused" in message.data["message"] for message in phone_messages)
    assert hass.states.get(NEXT).state == "unknown"


async def test_passes_survive_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Everything is in the store at once; after setting the entrance up again the link still works."""
    result = await schedule(hass)
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    controller = init_integration.runtime_data.controller
    assert controller.passes.find(result["token"]).pass_id == result["delivery_id"]
    listed = await call(hass, "list_passes")
    assert listed["passes"][0]["status"] == "scheduled"


@pytest.mark.usefixtures("init_integration")
async def test_no_external_url_raises_a_repair(hass: HomeAssistant, issue_registry) -> None:
    """Without an address from outside, the link is internal and a repair issue says why."""
    await hass.config.async_update(external_url=None, internal_url="http://192.168.1.2:8123")
    result = await schedule(hass)
    assert result["link"].startswith("http://192.168.1.2:8123/api/webhook/")
    assert [issue.translation_key for issue in issue_registry.issues.values() if issue.domain == DOMAIN] == [
        "no_external_url"
    ]
    await hass.config.async_update(external_url="https://home.example.org")
    await schedule(hass)
    assert not [issue for issue in issue_registry.issues.values() if issue.domain == DOMAIN]


@pytest.mark.usefixtures("init_integration")
async def test_owner_admits_a_delivery(hass: HomeAssistant) -> None:
    """The owner may admit a scheduled delivery before its window; the visit carries the pass."""
    events = async_capture_events(hass, EVENT_IN_HOME_DELIVERY)
    result = await schedule(hass, carrier="DHL")
    await call(hass, "admit", pass_id=result["delivery_id"])
    assert events[0].data["pass_id"] == result["delivery_id"]
    assert events[0].data["pass_label"] == "DHL"
    with pytest.raises(ServiceValidationError):
        await call(hass, "admit", pass_id="unknown")


@pytest.mark.usefixtures("init_integration")
async def test_finished_deliveries_are_forgotten_after_90_days(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A cancelled delivery stays listed for 90 days after its window, then the daily clean-up drops it."""
    cancelled = await schedule(hass, carrier="DHL")
    await call(hass, "cancel_delivery", delivery_id=cancelled["delivery_id"])
    kept = await schedule(hass, timedelta(days=120), 1, carrier="UPS")
    await tick(hass, freezer, 89 * 24 * 3600)
    await hass.async_block_till_done(wait_background_tasks=True)
    listed = await call(hass, "list_passes")
    assert {item["carrier"] for item in listed["passes"]} == {"DHL", "UPS"}
    await tick(hass, freezer, 2 * 24 * 3600)
    await hass.async_block_till_done(wait_background_tasks=True)
    listed = await call(hass, "list_passes")
    assert [item["pass_id"] for item in listed["passes"]] == [kept["delivery_id"]]


OWNER_ACTIONS = {
    "admit": {},
    "schedule_delivery": {"window_start": "2030-01-01T10:00:00", "window_end": "2030-01-01T11:00:00"},
    "update_delivery": {"delivery_id": "x", "carrier": "UPS"},
    "cancel_delivery": {"delivery_id": "x"},
    "renew_link": {"pass_id": "x"},
    "add_guest": {"name": "Eve", "weekdays": ["mon"], "start_time": "09:00", "end_time": "10:00"},
    "remove_guest": {"guest_id": "x"},
    "list_passes": {},
}


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(("action", "data"), OWNER_ACTIONS.items())
async def test_owner_only_actions_refuse_other_users(
    hass: HomeAssistant, hass_read_only_user: MockUser, action: str, data: dict[str, Any]
) -> None:
    """A user without admin rights cannot mint links, change passes, list them or open the door."""
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            action,
            {"config_entry_id": ENTRY_ID, **data},
            blocking=True,
            context=Context(user_id=hass_read_only_user.id),
            return_response=action == "list_passes",
        )
    assert hass.states.get("lock.smart_lock").state == "locked"
    listed = await call(hass, "list_passes")
    assert listed == {"passes": []}


@pytest.mark.usefixtures("init_integration")
async def test_any_user_may_end_a_visit(hass: HomeAssistant, hass_read_only_user: MockUser) -> None:
    """Ending a visit locks, which is safe for everyone to ask."""
    await call(hass, "admit")
    await hass.services.async_call(
        DOMAIN,
        "end_visit",
        {"config_entry_id": ENTRY_ID},
        blocking=True,
        context=Context(user_id=hass_read_only_user.id),
    )
    await hass.async_block_till_done()
    assert hass.states.get("lock.smart_lock").state == "locked"
    assert hass.states.get("sensor.front_door_visit_phase").state == "idle"

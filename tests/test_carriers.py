"""A carrier's standing link: it opens only for a delivery expected from that carrier, once each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .helpers import ENTRY_ID, close_door, open_door, post_link, schedule_now, tick

PHASE = "sensor.front_door_visit_phase"


async def add_carrier(hass: HomeAssistant, name: str = "DHL", **data: Any) -> dict[str, Any]:
    """add_carrier's response."""
    result = await hass.services.async_call(
        DOMAIN,
        "add_carrier",
        {"config_entry_id": ENTRY_ID, "name": name, **data},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    return result


async def list_passes(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Every pass as list_passes answers it."""
    result = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": ENTRY_ID}, blocking=True, return_response=True
    )
    assert result is not None
    return list(result["passes"])  # type: ignore[arg-type]


async def deliver(hass: HomeAssistant, client: Any, link: str) -> dict[str, Any]:
    """A driver unlocks with the link, goes in with the parcel and leaves; the last answer."""
    response = await post_link(client, link, "unlock")
    body = await response.json()
    assert response.status == 200, body
    await hass.async_block_till_done()
    await open_door(hass)
    await close_door(hass)
    await post_link(client, link, "done")
    await hass.async_block_till_done()
    return dict(body)


async def test_nothing_expected_opens_nothing(
    hass: HomeAssistant, link_client: Any, phone_messages: list[ServiceCall], bus_events: list[Event]
) -> None:
    """Nothing expected from DHL: 403, a page that names nothing of the home, the owner told once."""
    link = (await add_carrier(hass))["link"]
    await schedule_now(hass, carrier="UPS")  # another carrier's delivery does not count
    response = await post_link(link_client, link, "unlock")
    body = await response.json()
    assert (response.status, body["reason"]) == (403, "no_delivery_expected")
    assert "Front door" not in str(body)
    assert body["view"]["message"].startswith("No delivery is expected here right now")
    assert hass.states.get("lock.smart_lock").state == "locked"
    page = await (await post_link(link_client, link, "status", form=True)).text()
    assert "Front door" not in page
    assert "No delivery is expected" in page
    await hass.async_block_till_done()
    told = [call for call in phone_messages if "DHL link" in call.data["message"]]
    assert len(told) == 1  # twice tried, told once
    assert (bus_events[-1].data["type"], bus_events[-1].data["reason"]) == ("denied", "no_delivery_expected")
    assert bus_events[-1].data["pass_kind"] == "carrier"


async def test_expected_delivery_is_let_in_once(hass: HomeAssistant, link_client: Any) -> None:
    """The link opens for the expected delivery (name matched case-insensitively), as that delivery's visit."""
    link = (await add_carrier(hass, "dhl"))["link"]
    delivery = await schedule_now(hass, carrier="DHL")
    status = await (await post_link(link_client, link, "status")).json()
    assert status["view"]["title"] == "Front door"
    assert status["view"]["button"]["action"] == "unlock"
    body = await deliver(hass, link_client, link)
    assert body["result"] == "admitted"
    assert hass.states.get("lock.smart_lock").state == "locked"
    passes = {item["pass_id"]: item for item in await list_passes(hass)}
    assert passes[delivery["delivery_id"]]["status"] == "completed"
    history = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.controller.history
    assert history[-1]["pass_id"] == delivery["delivery_id"]
    # The same delivery cannot be used twice; the page shows how its visit ended for a while.
    response = await post_link(link_client, link, "unlock")
    body = await response.json()
    assert (response.status, body["reason"]) == (403, "used")
    assert body["view"]["message"] == "Locked — thank you!"
    assert hass.states.get("lock.smart_lock").state == "locked"


async def test_two_expected_deliveries_two_visits(hass: HomeAssistant, link_client: Any) -> None:
    """Two parcels expected from the carrier: two visits, one for each delivery, in window order."""
    link = (await add_carrier(hass))["link"]
    first = await schedule_now(hass, start_in=timedelta(minutes=-30))
    second = await schedule_now(hass, start_in=timedelta(minutes=-10))
    await deliver(hass, link_client, link)
    await deliver(hass, link_client, link)
    history = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.controller.history
    assert [record["pass_id"] for record in history[-2:]] == [first["delivery_id"], second["delivery_id"]]
    response = await post_link(link_client, link, "unlock")
    assert response.status == 403


async def test_any_carrier_and_hours(hass: HomeAssistant, link_client: Any) -> None:
    """`*` stands for any carrier; hours narrow the link further (outside them it says nothing is expected)."""
    now = dt_util.now()
    closed = {"weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
    closed |= {
        "start_time": (now + timedelta(hours=3)).strftime("%H:%M"),
        "end_time": (now + timedelta(hours=4)).strftime("%H:%M"),
    }
    later = (await add_carrier(hass, "*", hours=closed))["link"]
    anyone = (await add_carrier(hass, "*"))["link"]
    await schedule_now(hass, carrier="Hermes")
    response = await post_link(link_client, later, "unlock")
    assert (response.status, (await response.json())["reason"]) == (403, "no_delivery_expected")
    response = await post_link(link_client, anyone, "unlock")
    assert response.status == 200


async def test_renew_remove_and_list(hass: HomeAssistant, link_client: Any) -> None:
    """Carrier links are listed without token, renewed (the old link stops) and removed (revoked at once)."""
    carrier = await add_carrier(hass)
    await schedule_now(hass)
    listed = [item for item in await list_passes(hass) if item["kind"] == "carrier"]
    assert listed == [
        {
            "kind": "carrier",
            "pass_id": carrier["carrier_id"],
            "name": "DHL",
            "weekdays": None,
            "start_time": None,
            "end_time": None,
            "revoked": False,
            "suspended": False,
            "uses": 0,
            "last_used": None,
            "status": "active",
        }
    ]
    renewed = await hass.services.async_call(
        DOMAIN,
        "renew_link",
        {"config_entry_id": ENTRY_ID, "pass_id": carrier["carrier_id"]},
        blocking=True,
        return_response=True,
    )
    assert renewed is not None
    assert (await post_link(link_client, carrier["link"], "status")).status == 401
    await hass.services.async_call(
        DOMAIN, "remove_carrier", {"config_entry_id": ENTRY_ID, "carrier_id": carrier["carrier_id"]}, blocking=True
    )
    response = await post_link(link_client, str(renewed["link"]), "unlock")
    assert (response.status, (await response.json())["reason"]) == (403, "revoked")
    assert hass.states.get("lock.smart_lock").state == "locked"


async def test_carrier_kept_across_restart(hass: HomeAssistant, link_client: Any) -> None:
    """A carrier link survives a reload of the entrance."""
    link = (await add_carrier(hass))["link"]
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    await schedule_now(hass)
    assert (await post_link(link_client, link, "unlock")).status == 200


async def test_page_follows_its_visit_across_a_restart(
    hass: HomeAssistant, link_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    """Home Assistant restarts while the driver is inside: the carrier's page still follows that visit to
    the lock (it does not turn into "no delivery expected"), and the delivery is used once."""
    link = (await add_carrier(hass))["link"]
    await schedule_now(hass, carrier="DHL")
    admitted = await (await post_link(link_client, link, "unlock")).json()
    await hass.async_block_till_done()
    await open_door(hass)
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    response = await post_link(link_client, link, "status")
    body = await response.json()
    assert (response.status, body["visit_id"]) == (200, admitted["visit_id"])  # the door locks once closed
    await close_door(hass)
    await tick(hass, freezer, 15)
    body = await (await post_link(link_client, link, "status")).json()
    assert (body["lock"], body["view"]["message"]) == ("locked", "Locked — thank you!")


@pytest.mark.parametrize("name", ["", "   "])
async def test_bad_carrier_name(hass: HomeAssistant, init_integration: MockConfigEntry, name: str) -> None:
    """A carrier link needs a name; nothing is stored otherwise."""
    with pytest.raises((ServiceValidationError, probatio.Invalid)):
        await add_carrier(hass, name)
    assert not [item for item in await list_passes(hass) if item["kind"] == "carrier"]


async def test_schedule_delivery_is_idempotent_per_tracking_number(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The same tracking number again updates that delivery: same id, no new token, no duplicate."""
    start = dt_util.now() + timedelta(hours=1)

    async def schedule(hours: int, carrier: str = "DHL") -> dict[str, Any]:
        result = await hass.services.async_call(
            DOMAIN,
            "schedule_delivery",
            {
                "config_entry_id": ENTRY_ID,
                "window_start": start.isoformat(),
                "window_end": (start + timedelta(hours=hours)).isoformat(),
                "carrier": carrier,
                "tracking_number": "00340434161234567890",
            },
            blocking=True,
            return_response=True,
        )
        assert result is not None
        return dict(result)

    first = await schedule(2)
    assert first["link"]
    assert first["token"]
    again = await schedule(4, "DHL Express")
    assert again == {"delivery_id": first["delivery_id"], "status": "scheduled", "updated": True}
    deliveries = [item for item in await list_passes(hass) if item["kind"] == "delivery"]
    assert len(deliveries) == 1
    assert deliveries[0]["carrier"] == "DHL Express"
    assert deliveries[0]["window_end"] == dt_util.as_utc(start + timedelta(hours=4)).isoformat()


async def test_visit_named_by_its_parcel(
    hass: HomeAssistant, link_client: Any, phone_messages: list[ServiceCall], bus_events: list[Event]
) -> None:
    """Through a carrier's link the visit is the delivery's: the owner reads the carrier and the parcel."""
    link = (await add_carrier(hass))["link"]
    await schedule_now(hass, carrier="DHL", tracking_number="00340434161234567890")
    await deliver(hass, link_client, link)
    admitted = next(event for event in bus_events if event.data["type"] == "admitted")
    assert (admitted.data["pass_kind"], admitted.data["pass_label"]) == ("delivery", "DHL, parcel 00340434161234567890")
    assert any("DHL, parcel 00340434161234567890" in call.data["message"] for call in phone_messages)

"""The deliveries calendar: shows every delivery; create, move and delete from the calendar UI."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.typing import WebSocketGenerator
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

CALENDAR = "calendar.front_door_deliveries"


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the calendar platform."""
    return [Platform.CALENDAR]


@pytest.fixture(autouse=True)
async def external_url(hass: HomeAssistant) -> None:
    """The home is reachable from outside."""
    await hass.config.async_update(external_url="https://home.example.org")


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The calendar entity."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def ws(client: Any, message: dict[str, Any]) -> dict[str, Any]:
    """One websocket round trip, as the calendar UI makes it."""
    await client.send_json_auto_id(message)
    return await client.receive_json()


async def events(hass: HomeAssistant) -> list[dict[str, Any]]:
    """The calendar's events over the next two days."""
    now = dt_util.now()
    result = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": CALENDAR, "start_date_time": now - timedelta(hours=1), "end_date_time": now + timedelta(days=2)},
        blocking=True,
        return_response=True,
    )
    return result[CALENDAR]["events"]


async def test_create_move_delete_from_the_ui(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    phone_messages: list[ServiceCall],
) -> None:
    """The calendar UI's create, update and delete become a delivery, a moved window and a cancellation."""
    client = await hass_ws_client(hass)
    start = dt_util.now().replace(microsecond=0) + timedelta(hours=2)
    created = await ws(
        client,
        {
            "type": "calendar/event/create",
            "entity_id": CALENDAR,
            "event": {
                "summary": "Hermes",
                "dtstart": start.isoformat(),
                "dtend": (start + timedelta(hours=2)).isoformat(),
            },
        },
    )
    assert created["success"], created
    await hass.async_block_till_done()
    (event,) = await events(hass)
    assert event["summary"] == "Hermes"
    assert dt_util.parse_datetime(event["start"]) == start

    # The link goes to the owner's phone (not to a persistent notification every user could read).
    (notification,) = [call.data for call in phone_messages if "Courier link" in call.data["message"]]
    assert "https://home.example.org/api/webhook/" in notification["message"]
    assert "#pass=" in notification["message"]
    assert "?pass=" not in notification["message"]
    notifications = await ws(client, {"type": "persistent_notification/get"})
    assert not [item for item in notifications["result"] if "#pass=" in item["message"]]

    uid = init_integration.runtime_data.passes.next_delivery(dt_util.utcnow()).pass_id  # type: ignore[union-attr]
    moved = start + timedelta(hours=5)
    updated = await ws(
        client,
        {
            "type": "calendar/event/update",
            "entity_id": CALENDAR,
            "uid": uid,
            "event": {
                "summary": "Hermes",
                "dtstart": moved.isoformat(),
                "dtend": (moved + timedelta(hours=1)).isoformat(),
            },
        },
    )
    assert updated["success"], updated
    (event,) = await events(hass)
    assert dt_util.parse_datetime(event["start"]) == moved
    assert hass.states.get(CALENDAR).attributes["message"] == "Hermes"

    deleted = await ws(client, {"type": "calendar/event/delete", "entity_id": CALENDAR, "uid": uid})
    assert deleted["success"], deleted
    assert await events(hass) == []
    assert init_integration.runtime_data.passes.get(uid).status == "cancelled"


async def test_whole_day_events_are_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """A delivery needs times; an all-day event is a clear error and creates nothing."""
    client = await hass_ws_client(hass)
    tomorrow = dt_util.now().date() + timedelta(days=1)
    result = await ws(
        client,
        {
            "type": "calendar/event/create",
            "entity_id": CALENDAR,
            "event": {
                "summary": "Parcel",
                "dtstart": tomorrow.isoformat(),
                "dtend": (tomorrow + timedelta(days=1)).isoformat(),
            },
        },
    )
    assert not result["success"]
    assert "not whole days" in result["error"]["message"]
    assert list(init_integration.runtime_data.passes.passes.values()) == []

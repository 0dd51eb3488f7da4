"""The deliveries calendar: shows every delivery; administrators create, move and delete from the calendar UI."""

from __future__ import annotations

from datetime import timedelta
import re
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import CLIENT_ID, MockConfigEntry, MockUser, snapshot_platform
from pytest_homeassistant_custom_component.typing import WebSocketGenerator
from syrupy.assertion import SnapshotAssertion

from homeassistant.auth.const import GROUP_ID_USER
from homeassistant.auth.models import User
from homeassistant.const import Platform
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .helpers import schedule_now

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
    # Its window as people read it, in the home's time: "Courier link for Hermes (today 15:00-17:00): …".
    window = notification["message"].split("(", 1)[1].split(")", 1)[0]
    assert window.split(" ")[0] in ("today", "tomorrow")
    assert window.split(" ")[1].startswith(f"{dt_util.as_local(start):%H:%M}")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", window)
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
    assert list(init_integration.runtime_data.passes.all()) == []


@pytest.fixture
async def family_user(hass: HomeAssistant, hass_admin_user: MockUser) -> User:
    """A member of the household who is not an administrator (Home Assistant's "Users" group)."""
    return MockUser(name="Family", groups=[await hass.auth.async_get_group(GROUP_ID_USER)]).add_to_hass(hass)


async def access_token(hass: HomeAssistant, user: User) -> str:
    """An access token of user, as the companion app or a browser holds it."""
    return hass.auth.async_create_access_token(await hass.auth.async_create_refresh_token(user, CLIENT_ID))


def event_in(hours: float, summary: str = "DHL") -> dict[str, str]:
    """A calendar UI event starting in hours, an hour long."""
    start = dt_util.now().replace(microsecond=0) + timedelta(hours=hours)
    return {"summary": summary, "dtstart": start.isoformat(), "dtend": (start + timedelta(hours=1)).isoformat()}


def create_event_data(hours: float, summary: str = "DHL") -> dict[str, Any]:
    """calendar.create_event's data for an event starting in hours, an hour long."""
    start = dt_util.now().replace(microsecond=0) + timedelta(hours=hours)
    return {
        "entity_id": CALENDAR,
        "summary": summary,
        "start_date_time": start.isoformat(),
        "end_date_time": (start + timedelta(hours=1)).isoformat(),
    }


async def test_non_admin_cannot_create_delivery_in_calendar(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    family_user: User,
    phone_messages: list[ServiceCall],
) -> None:
    """A user who is not an administrator cannot make a delivery (and so open the door for a carrier's link).

    Neither from the calendar UI nor with calendar.create_event, directly or over the websocket: Home
    Assistant's unauthorized error, and no delivery, no link sent.
    """
    family = await hass_ws_client(hass, await access_token(hass, family_user))
    created = await ws(family, {"type": "calendar/event/create", "entity_id": CALENDAR, "event": event_in(2)})
    assert not created["success"]
    assert created["error"]["message"] == "Unauthorized"

    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            "calendar", "create_event", create_event_data(3), blocking=True, context=Context(user_id=family_user.id)
        )
    called = await ws(
        family,
        {"type": "call_service", "domain": "calendar", "service": "create_event", "service_data": create_event_data(4)},
    )
    assert (called["success"], called["error"]["message"]) == (False, "Unauthorized")  # as for admin actions

    await hass.async_block_till_done()
    assert list(init_integration.runtime_data.passes.all()) == []
    assert await events(hass) == []
    assert not [call for call in phone_messages if "Courier link" in call.data["message"]]


async def test_non_admin_cannot_move_or_delete_delivery_in_calendar(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    family_user: User,
) -> None:
    """Moving or deleting a delivery in the calendar UI is refused to a user who is not an administrator."""
    delivery_id = (await schedule_now(hass, start_in=timedelta(hours=2)))["delivery_id"]
    before = init_integration.runtime_data.passes.get(delivery_id)
    family = await hass_ws_client(hass, await access_token(hass, family_user))

    moved = await ws(
        family,
        {"type": "calendar/event/update", "entity_id": CALENDAR, "uid": delivery_id, "event": event_in(5)},
    )
    assert not moved["success"]
    assert moved["error"]["message"] == "Unauthorized"
    deleted = await ws(family, {"type": "calendar/event/delete", "entity_id": CALENDAR, "uid": delivery_id})
    assert not deleted["success"]
    assert deleted["error"]["message"] == "Unauthorized"

    after = init_integration.runtime_data.passes.get(delivery_id)
    assert after == before
    assert after.status == "scheduled"
    (event,) = await events(hass)
    assert dt_util.parse_datetime(event["start"]) == dt_util.as_local(before.window_start)


async def test_admin_writes_the_calendar_whoever_asked_before(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: MockUser,
    family_user: User,
) -> None:
    """Each request is judged by who makes it, not by who used the calendar a moment before.

    An administrator's action right before does not let a user through the calendar UI, a user refused a
    moment before does not stop an administrator, and an automation (no user) may still make deliveries.
    """
    admin = await hass_ws_client(hass)
    family = await hass_ws_client(hass, await access_token(hass, family_user))
    passes = init_integration.runtime_data.passes

    await hass.services.async_call(
        "calendar", "create_event", create_event_data(2), blocking=True, context=Context(user_id=hass_admin_user.id)
    )
    assert len(passes) == 1
    refused = await ws(family, {"type": "calendar/event/create", "entity_id": CALENDAR, "event": event_in(3)})
    assert not refused["success"]
    assert len(passes) == 1

    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            "calendar", "create_event", create_event_data(4), blocking=True, context=Context(user_id=family_user.id)
        )
    created = await ws(admin, {"type": "calendar/event/create", "entity_id": CALENDAR, "event": event_in(5)})
    assert created["success"], created
    await hass.services.async_call("calendar", "create_event", create_event_data(6, "UPS"), blocking=True)
    assert sorted(event["summary"] for event in await events(hass)) == ["DHL", "DHL", "UPS"]

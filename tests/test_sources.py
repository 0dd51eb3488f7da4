"""Expected deliveries from the sources people already run: a calendar, a package tracker, a parcel counter."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DEFAULT_OPTIONS, DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .helpers import ENTRY_ID, close_door, open_door, post_link, tick

CALENDAR = "calendar.parcels"
TRACKER = "sensor.aftership"
COUNTER = "sensor.mail_dhl_delivering"
EXPECTED = "sensor.front_door_deliveries_expected_today"
ALL_WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture(autouse=True)
async def at_noon(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """A Wednesday at noon in Berlin, inside the default delivery hours."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to("2026-11-25 12:00:00+01:00")


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """The Front door, reading a calendar, an AfterShip sensor and Mail and Packages' DHL counter."""
    return DEFAULT_OPTIONS | {
        "delivery_days": ALL_WEEK,
        "delivery_from": "08:00:00",
        "delivery_until": "20:00:00",
        "source_calendars": [CALENDAR],
        "source_trackers": [TRACKER],
        "source_counters": {COUNTER: "DHL"},
    }


@pytest.fixture
async def sources(hass: HomeAssistant, hardware: None) -> None:
    """A local calendar "Parcels", and the two sensors as their integrations report them."""
    assert await async_setup_component(hass, "http", {})
    calendar = MockConfigEntry(domain="local_calendar", data={"calendar_name": "Parcels", "storage_key": "parcels"})
    calendar.add_to_hass(hass)
    assert await hass.config_entries.async_setup(calendar.entry_id)
    hass.states.async_set(COUNTER, "0", {"friendly_name": "Mail DHL delivering"})
    hass.states.async_set(TRACKER, "0", {"trackings": []})
    await hass.async_block_till_done()


async def deliveries(hass: HomeAssistant) -> list[dict[str, Any]]:
    """The entrance's deliveries, as list_passes answers."""
    result = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": ENTRY_ID}, blocking=True, return_response=True
    )
    assert result is not None
    return [item for item in result["passes"] if item["kind"] == "delivery"]  # type: ignore[union-attr]


def by_status(found: list[dict[str, Any]], status: str = "scheduled") -> list[dict[str, Any]]:
    """Only the deliveries of one status."""
    return [item for item in found if item["status"] == status]


async def add_event(hass: HomeAssistant, summary: str, start: str, end: str) -> None:
    """Put an event in the Parcels calendar, as its UI or a mail automation would."""
    await hass.services.async_call(
        "calendar",
        "create_event",
        {"entity_id": CALENDAR, "summary": summary, "start_date_time": start, "end_date_time": end},
        blocking=True,
    )
    await hass.async_block_till_done()


async def calendar_read(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the 15 minutes pass after which calendars are read again (a background job, as in Home Assistant)."""
    await tick(hass, freezer, 15 * 60)
    await hass.async_block_till_done(wait_background_tasks=True)


async def carrier_link(hass: HomeAssistant, name: str) -> str:
    """A standing link for a carrier."""
    result = await hass.services.async_call(
        DOMAIN, "add_carrier", {"config_entry_id": ENTRY_ID, "name": name}, blocking=True, return_response=True
    )
    assert result is not None
    return str(result["link"])


async def test_counter_expects_one_delivery_today(
    hass: HomeAssistant,
    sources: None,
    init_integration: MockConfigEntry,
    link_client: Any,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Above zero: one DHL delivery today within the delivery hours; used through the DHL link; zero again cancels
    nothing already used. A string state is skipped, and the next day starts afresh."""
    assert hass.states.get(EXPECTED).state == "0"
    hass.states.async_set(COUNTER, "2", {"friendly_name": "Mail DHL delivering"})
    await hass.async_block_till_done()
    expected = by_status(await deliveries(hass))
    assert [(item["carrier"], item["window_start"], item["window_end"]) for item in expected] == [
        ("DHL", "2026-11-25T07:00:00+00:00", "2026-11-25T19:00:00+00:00")
    ]
    assert hass.states.get(EXPECTED).state == "1"
    assert hass.states.get(EXPECTED).attributes["carriers"] == ["DHL"]
    assert hass.states.get(EXPECTED).attributes["open_now"] == ["DHL"]  # 08:00 to 20:00, and it is noon
    assert hass.states.get("sensor.front_door_next_delivery").state == "unknown"  # open now is not "next"
    hass.states.async_set(COUNTER, "3", {"friendly_name": "Mail DHL delivering"})
    await hass.async_block_till_done()
    assert len(await deliveries(hass)) == 1  # still one: no duplicates

    link = await carrier_link(hass, "DHL")
    assert (await post_link(link_client, link, "unlock")).status == 200
    await hass.async_block_till_done()
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 15)
    assert by_status(await deliveries(hass), "completed")
    hass.states.async_set(COUNTER, "0", {"friendly_name": "Mail DHL delivering"})
    await hass.async_block_till_done()
    assert by_status(await deliveries(hass), "completed")  # a used delivery stays as it was

    for _ in range(2):
        hass.states.async_set(COUNTER, "many", {"friendly_name": "Mail DHL delivering"})
        await hass.async_block_till_done()
        hass.states.async_set(COUNTER, "0", {"friendly_name": "Mail DHL delivering"})
        await hass.async_block_till_done()
    assert len(await deliveries(hass)) == 1
    assert [record.message for record in caplog.records if "is not a number" in record.message] == [
        "Front door: skipped from sensor.mail_dhl_delivering, its state 'many' is not a number"
    ]

    hass.states.async_set(COUNTER, "1", {"friendly_name": "Mail DHL delivering"})
    await hass.async_block_till_done()
    await tick(hass, freezer, 13 * 3600)  # the next morning: today's delivery is a new one
    assert [item["window_start"] for item in by_status(await deliveries(hass))] == ["2026-11-26T07:00:00+00:00"]


async def test_tracker_parcels_out_for_delivery(
    hass: HomeAssistant, sources: None, init_integration: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Every tracking out for delivery (or due today) is a delivery today, with its tracking number; delivered
    without a visit cancels it; bad items are skipped and logged once."""
    trackings = [
        {"name": "Shoes", "tracking_number": "00340434", "slug": "dhl", "status": "OutForDelivery"},
        {"tracking_number": "1Z999", "slug": "ups", "status": "InTransit", "expected_delivery": "2026-11-25"},
        {"tracking_number": "LATER", "slug": "ups", "status": "InTransit", "expected_delivery": "2026-11-28"},
        {"slug": "dpd", "status": "OutForDelivery"},
        {"tracking_number": "ODD", "slug": "gls", "status": "InTransit", "expected_delivery": "soon"},
        {"tracking_number": "WEIRD", "slug": "gls", "status": "Teleported", "expected_delivery": "2026-11-25"},
        "not a tracking",
    ]
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            hass.states.async_set(TRACKER, "6", {"trackings": trackings})
            await hass.async_block_till_done()
    expected = by_status(await deliveries(hass))
    assert sorted((item["carrier"], item["tracking_number"], item["description"]) for item in expected) == [
        ("DHL", "00340434", "Shoes"),
        ("UPS", "1Z999", None),
    ]
    skipped = [record.message for record in caplog.records if "skipped from sensor.aftership" in record.message]
    assert len(skipped) == 3  # the tracking without number, the date that is none, the unknown status; each once

    trackings[0] = trackings[0] | {"status": "Delivered"}
    hass.states.async_set(TRACKER, "5", {"trackings": trackings})
    await hass.async_block_till_done()
    assert [item["tracking_number"] for item in by_status(await deliveries(hass), "cancelled")] == ["00340434"]

    # The same parcel scheduled by an automation as well: never a duplicate.
    await hass.services.async_call(
        DOMAIN,
        "schedule_delivery",
        {
            "config_entry_id": ENTRY_ID,
            "window_start": "2026-11-25T13:00:00+01:00",
            "window_end": "2026-11-25T15:00:00+01:00",
            "carrier": "UPS",
            "tracking_number": "1Z999",
        },
        blocking=True,
        return_response=True,
    )
    assert [item["tracking_number"] for item in await deliveries(hass)].count("1Z999") == 1


async def test_calendar_events_become_deliveries(
    hass: HomeAssistant, sources: None, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Each event is a delivery (title = carrier, times = window); moved events move it, deleted ones cancel it."""
    await add_event(hass, "Hermes", "2026-11-25T15:00:00+01:00", "2026-11-25T17:00:00+01:00")
    await add_event(hass, "UPS", "2026-11-27T09:00:00+01:00", "2026-11-27T11:00:00+01:00")
    await calendar_read(hass, freezer)
    expected = {item["carrier"]: item for item in by_status(await deliveries(hass))}
    assert expected["Hermes"]["window_start"] == "2026-11-25T14:00:00+00:00"
    assert expected["UPS"]["window_end"] == "2026-11-27T10:00:00+00:00"

    calendar_entity = hass.data["calendar"].get_entity(CALENDAR)
    upcoming = await calendar_entity.async_get_events(hass, dt_util.utcnow(), dt_util.utcnow() + timedelta(days=3))
    ups = next(event for event in upcoming if event.summary == "UPS")
    await calendar_entity.async_update_event(
        ups.uid,
        {
            "summary": "UPS",
            "dtstart": dt_util.parse_datetime("2026-11-27T13:00:00+01:00"),
            "dtend": dt_util.parse_datetime("2026-11-27T14:00:00+01:00"),
        },
    )
    await calendar_read(hass, freezer)
    moved = {item["carrier"]: item for item in by_status(await deliveries(hass))}
    assert moved["UPS"]["pass_id"] == expected["UPS"]["pass_id"]
    assert moved["UPS"]["window_start"] == "2026-11-27T12:00:00+00:00"

    await calendar_entity.async_delete_event(ups.uid)
    await calendar_read(hass, freezer)
    assert [item["carrier"] for item in by_status(await deliveries(hass), "cancelled")] == ["UPS"]
    assert len(await deliveries(hass)) == 2


async def test_sources_survive_a_restart(hass: HomeAssistant, sources: None, init_integration: MockConfigEntry) -> None:
    """Deliveries made from sources are kept, and reading the source again after a reload adds none."""
    hass.states.async_set(COUNTER, "1", {"friendly_name": "Mail DHL delivering"})
    await hass.async_block_till_done()
    before = await deliveries(hass)
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    hass.states.async_set(COUNTER, "2", {"friendly_name": "Mail DHL delivering"})
    await hass.async_block_till_done()
    assert await deliveries(hass) == before


async def test_a_missing_source_raises_the_repair(
    hass: HomeAssistant, sources: None, init_integration: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    """A source entity that disappears raises the same repair as a missing lock; what it expected stays."""
    hass.states.async_set(COUNTER, "1", {"friendly_name": "Mail DHL delivering"})
    await hass.async_block_till_done()
    hass.states.async_remove(COUNTER)
    await hass.async_block_till_done()
    assert any(COUNTER in str(issue.translation_placeholders) for issue in issue_registry.issues.values())
    assert len(by_status(await deliveries(hass))) == 1

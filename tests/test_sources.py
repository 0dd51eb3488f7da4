"""Expected deliveries from the sources people already run: a calendar, a package tracker, a parcel counter."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.settings import DEFAULT_OPTIONS
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
    next_delivery = hass.states.get("sensor.front_door_next_delivery")
    assert (next_delivery.state, next_delivery.attributes["carrier"]) == ("2026-11-25T07:00:00+00:00", "DHL")  # now
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


# A courier or guest let in by a source must be what the source says now: "Sources keep what they had" (issue 21).

TODAY = "2026-11-25"


async def link_status(client: Any, link: str) -> int:
    """What a driver's phone is answered for a carrier link now: 200 while a delivery is expected, else 403."""
    return (await post_link(client, link, "status")).status


def tracking(number: str, status: str = "OutForDelivery", slug: str = "dhl", **fields: Any) -> dict[str, Any]:
    """One parcel as AfterShip's sensor lists it."""
    return {"tracking_number": number, "slug": slug, "status": status, **fields}


async def set_trackings(hass: HomeAssistant, trackings: Any, state: str = "1") -> None:
    """The AfterShip sensor reports its parcels."""
    hass.states.async_set(TRACKER, state, {"trackings": trackings})
    await hass.async_block_till_done()


async def set_count(hass: HomeAssistant, state: str) -> None:
    """Mail and Packages' DHL counter reports a state."""
    hass.states.async_set(COUNTER, state, {"friendly_name": "Mail DHL delivering"})
    await hass.async_block_till_done()


def skipped(caplog: pytest.LogCaptureFixture, source: str = TRACKER) -> list[str]:
    """What was logged as skipped from a source."""
    return [record.message for record in caplog.records if f"skipped from {source}" in record.message]


@pytest.mark.parametrize(
    "expected_delivery",
    ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+05:00"],
    ids=["year_9999", "year_1_with_offset"],
)
async def test_tracking_at_calendar_edge_skips_only_that_parcel(
    hass: HomeAssistant,
    sources: None,
    init_integration: MockConfigEntry,
    link_client: Any,
    caplog: pytest.LogCaptureFixture,
    expected_delivery: str,
) -> None:
    """A date at the edge of the calendar is one bad parcel: the rest of the reading counts (a delivered one
    disarms the link), and the bad one is logged once."""
    link = await carrier_link(hass, "DHL")
    await set_trackings(hass, [tracking("00340434")])
    assert await link_status(link_client, link) == 200

    edge = tracking("1Z999", "InTransit", "ups", expected_delivery=expected_delivery)
    for _ in range(2):
        await set_trackings(hass, [tracking("00340434", "Delivered"), edge])
    assert await link_status(link_client, link) == 403
    assert hass.states.get(EXPECTED).state == "0"
    assert [item["tracking_number"] for item in by_status(await deliveries(hass), "cancelled")] == ["00340434"]
    assert skipped(caplog) == [
        "Front door: skipped from sensor.aftership, tracking Z999: expected_delivery is not a date"
    ]


@pytest.mark.parametrize("status", ["Exception", "Expired", "AvailableForPickup", "AttemptFail"])
async def test_exception_status_disarms_carrier_link(
    hass: HomeAssistant, sources: None, init_integration: MockConfigEntry, link_client: Any, status: str
) -> None:
    """A parcel due today whose status says no driver is coming opens nothing: expected before, it is cancelled
    as gone from the source; new in that status, it is never expected."""
    link = await carrier_link(hass, "DHL")
    await set_trackings(hass, [tracking("00340434", "InTransit", expected_delivery=TODAY)])
    assert await link_status(link_client, link) == 200

    await set_trackings(
        hass,
        [
            tracking("00340434", status, expected_delivery=TODAY),
            tracking("00999999", status, expected_delivery=f"{TODAY}T14:00:00+01:00"),
        ],
    )
    assert await link_status(link_client, link) == 403
    assert hass.states.get(EXPECTED).state == "0"
    assert [item["tracking_number"] for item in await deliveries(hass)] == ["00340434"]
    assert by_status(await deliveries(hass), "cancelled")

    await set_trackings(hass, [tracking("00340434", "OutForDelivery")])  # a driver after all: expected again
    assert await link_status(link_client, link) == 200


async def test_count_back_above_zero_expects_again(
    hass: HomeAssistant, sources: None, init_integration: MockConfigEntry, link_client: Any
) -> None:
    """A counter flapping 1 → 0 → 1: the delivery cancelled at 0 is expected again, the same delivery, and the
    DHL link opens for it."""
    link = await carrier_link(hass, "DHL")
    await set_count(hass, "1")
    first = by_status(await deliveries(hass))
    own = await hass.services.async_call(
        DOMAIN,
        "renew_link",
        {"config_entry_id": ENTRY_ID, "pass_id": first[0]["pass_id"]},
        blocking=True,
        return_response=True,
    )
    await set_count(hass, "0")
    assert await link_status(link_client, link) == 403
    await set_count(hass, "1")
    assert await link_status(link_client, link) == 200
    assert hass.states.get(EXPECTED).state == "1"
    assert [item["pass_id"] for item in by_status(await deliveries(hass))] == [first[0]["pass_id"]]
    assert len(await deliveries(hass)) == 1
    # The delivery's own link, handed out before it was cancelled, stays shut; the carrier's opens.
    assert (await post_link(link_client, own["link"], "unlock")).status == 401
    assert (await post_link(link_client, link, "unlock")).status == 200


async def test_count_back_above_zero_keeps_the_owners_cancel(
    hass: HomeAssistant, sources: None, init_integration: MockConfigEntry, link_client: Any
) -> None:
    """Only what the source cancelled comes back: a delivery the owner cancelled stays cancelled, whatever the
    counter says, and its carrier link stays shut."""
    link = await carrier_link(hass, "DHL")
    await set_count(hass, "1")
    delivery_id = by_status(await deliveries(hass))[0]["pass_id"]
    await hass.services.async_call(
        DOMAIN, "cancel_delivery", {"config_entry_id": ENTRY_ID, "delivery_id": delivery_id}, blocking=True
    )
    for count in ("0", "1", "2"):
        await set_count(hass, count)
        assert await link_status(link_client, link) == 403
    assert by_status(await deliveries(hass), "cancelled")[0]["pass_id"] == delivery_id
    assert hass.states.get(EXPECTED).state == "0"


async def test_missing_trackings_keeps_todays_delivery(
    hass: HomeAssistant,
    sources: None,
    init_integration: MockConfigEntry,
    link_client: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An AfterShip sensor briefly without its parcels (no `trackings`, not a list, unavailable, unknown) keeps
    today's delivery; the link still opens, and the bad attribute is logged once (an unavailable sensor is not news)."""
    link = await carrier_link(hass, "DHL")
    await set_trackings(hass, [tracking("00340434")])
    for _ in range(2):
        hass.states.async_set(TRACKER, "1", {})
        await hass.async_block_till_done()
        await set_trackings(hass, "00340434")
        await set_trackings(hass, None, "unavailable")
        await set_trackings(hass, None, "unknown")
    assert await link_status(link_client, link) == 200
    assert hass.states.get(EXPECTED).state == "1"
    assert len(skipped(caplog)) == 1  # "trackings is not a list", said once

    await set_trackings(hass, [tracking("00340434")])
    assert [item["tracking_number"] for item in by_status(await deliveries(hass))] == ["00340434"]
    assert len(await deliveries(hass)) == 1


@pytest.mark.parametrize("state", ["nan", "NaN", "inf", "-inf", "-1"])
async def test_nan_count_arms_nothing(
    hass: HomeAssistant,
    sources: None,
    init_integration: MockConfigEntry,
    link_client: Any,
    caplog: pytest.LogCaptureFixture,
    state: str,
) -> None:
    """A count that is no count of parcels arms nothing and, once something is expected, keeps it; said once."""
    link = await carrier_link(hass, "DHL")
    for _ in range(2):
        await set_count(hass, state)
    assert await link_status(link_client, link) == 403
    assert hass.states.get(EXPECTED).state == "0"
    assert await deliveries(hass) == []

    await set_count(hass, "1")
    await set_count(hass, state)
    assert await link_status(link_client, link) == 200
    assert hass.states.get(EXPECTED).state == "1"
    assert len(skipped(caplog, COUNTER)) == 1


async def test_trackings_capped_per_reading(
    hass: HomeAssistant,
    sources: None,
    init_integration: MockConfigEntry,
    link_client: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A `trackings` attribute of 100,000 parcels is read as its first 100; the rest is logged once, and
    what the rest had stays."""
    await set_trackings(hass, [tracking("LAST", slug="ups")])
    link = await carrier_link(hass, "UPS")
    many = [tracking(f"P{number:06}") for number in range(100_000)]
    for _ in range(2):
        await set_trackings(hass, [*many, tracking("LAST", slug="ups")])
    found = await deliveries(hass)
    assert len(by_status(found)) == 101  # the first 100, and the one already expected from the rest
    assert await link_status(link_client, link) == 200
    assert skipped(caplog) == [
        "Front door: skipped from sensor.aftership, more than 100 trackings, only the first 100 are read"
    ]

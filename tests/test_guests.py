"""Guest access through the real link and actions: schedules, DST, validity, uses, revocation."""

from __future__ import annotations

from datetime import datetime, timedelta
import re
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.core.when import DASH
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import LOCK
from .helpers import ENTRY_ID, PHASE, close_door, open_door, post_link, set_switch, tick, try_unlock as try_link

type Client = Any
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


@pytest.fixture(autouse=True)
async def home(hass: HomeAssistant) -> None:
    """A home in Berlin, reachable from outside."""
    assert await async_setup_component(hass, "http", {})
    await hass.config.async_set_time_zone(BERLIN)
    await hass.config.async_update(external_url="https://home.example.org")


@pytest.fixture
async def client(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> Client:
    """The guest's phone."""
    return await hass_client_no_auth()


def at(local: str, zone: str = BERLIN) -> datetime:
    """A local wall-clock time in a zone."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone))


async def add_guest(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Add a guest and return the response, once its listing on the entrance's page is on disk too.

    (Until that write settles the pass opens nothing: `not_stored`; a slow executor would make the next
    step of a test race it.)
    """
    response = await hass.services.async_call(
        DOMAIN, "add_guest", {"config_entry_id": ENTRY_ID, "name": "Maria", **data}, blocking=True, return_response=True
    )
    await hass.async_block_till_done()
    return response


async def try_unlock(hass: HomeAssistant, client: Client, guest: dict[str, Any]) -> tuple[int, str | None]:
    """The guest taps Unlock; return the status and reason, and end any visit it started."""
    return await try_link(hass, client, guest["link"])


async def test_weekly_cleaner(hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory) -> None:
    """Tuesdays 9:00-12:00: in on Tuesday at 10, out at 12:30 and on Wednesday at 10."""
    freezer.move_to(at("2026-11-23T08:00"))  # a Monday
    guest = await add_guest(hass, weekdays=["tue"], start_time="09:00", end_time="12:00")
    freezer.move_to(at("2026-11-24T10:00"))
    assert await try_unlock(hass, client, guest) == (200, None)
    freezer.move_to(at("2026-11-24T12:30"))
    assert await try_unlock(hass, client, guest) == (403, "outside_window")
    freezer.move_to(at("2026-11-25T10:00"))
    assert await try_unlock(hass, client, guest) == (403, "outside_window")
    freezer.move_to(at("2026-11-24T08:59"))
    assert await try_unlock(hass, client, guest) == (403, "outside_window")


async def test_rrule_every_other_tuesday(hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory) -> None:
    """An RRULE with a duration: every second Tuesday from 9:00 for three hours."""
    freezer.move_to(at("2026-11-02T08:00"))
    guest = await add_guest(
        hass, rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;BYHOUR=9;BYMINUTE=0;BYSECOND=0", duration="03:00:00"
    )
    freezer.move_to(at("2026-11-03T11:00"))
    assert await try_unlock(hass, client, guest) == (200, None)
    freezer.move_to(at("2026-11-10T11:00"))
    assert await try_unlock(hass, client, guest) == (403, "outside_window")
    freezer.move_to(at("2026-11-17T09:30"))
    assert await try_unlock(hass, client, guest) == (200, None)


@pytest.mark.parametrize(
    ("zone", "saturday"),
    [(BERLIN, "2026-10-24"), (BERLIN, "2026-03-28"), (NEW_YORK, "2026-10-31"), (NEW_YORK, "2026-03-07")],
)
async def test_overnight_window_across_dst(
    hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory, zone: str, saturday: str
) -> None:
    """Saturday 22:00 to Sunday 06:00 in local time, on the nights the clocks change, in both zones."""
    await hass.config.async_set_time_zone(zone)
    day = datetime.fromisoformat(saturday).date()
    sunday = day + timedelta(days=1)
    freezer.move_to(at(f"{day}T12:00", zone))
    guest = await add_guest(hass, weekdays=["sat"], start_time="22:00", end_time="06:00")
    for local, expected in (
        (f"{day}T21:55", 403),
        (f"{day}T22:05", 200),
        (f"{sunday}T05:50", 200),
        (f"{sunday}T06:10", 403),
    ):
        freezer.move_to(at(local, zone))
        status, _ = await try_unlock(hass, client, guest)
        assert status == expected, local


@pytest.mark.parametrize(
    ("zone", "before", "after"), [(BERLIN, "2026-03-22", "2026-03-29"), (NEW_YORK, "2026-10-25", "2026-11-01")]
)
async def test_same_wall_clock_after_dst(
    hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory, zone: str, before: str, after: str
) -> None:
    """A Sunday 9:00-12:00 window is 9:00-12:00 on the clock before and after the change."""
    await hass.config.async_set_time_zone(zone)
    freezer.move_to(at(f"{before}T06:00", zone))
    guest = await add_guest(hass, weekdays=["sun"], start_time="09:00", end_time="12:00")
    for day in (before, after):
        for local, expected in (
            (f"{day}T08:50", 403),
            (f"{day}T09:10", 200),
            (f"{day}T11:50", 200),
            (f"{day}T12:10", 403),
        ):
            freezer.move_to(at(local, zone))
            status, _ = await try_unlock(hass, client, guest)
            assert status == expected, local


async def test_validity_and_uses(hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory) -> None:
    """Not before valid_from, not after valid_until; max_uses counts visits in which the guest went in."""
    freezer.move_to(at("2026-12-01T08:00"))
    guest = await add_guest(
        hass,
        weekdays=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        start_time="08:00",
        end_time="20:00",
        valid_from="2026-12-02T00:00:00",
        valid_until="2026-12-10T00:00:00",
        max_uses=2,
    )
    freezer.move_to(at("2026-12-01T10:00"))
    assert await try_unlock(hass, client, guest) == (403, "too_early")
    freezer.move_to(at("2026-12-02T10:00"))
    for _ in range(2):
        assert (await post_link(client, guest["link"], "unlock")).status == 200
        await hass.async_block_till_done()
        await open_door(hass)
        await close_door(hass)
        await tick(hass, freezer, 11)
        assert hass.states.get(PHASE).state == "idle"
    assert await try_unlock(hass, client, guest) == (403, "used")
    freezer.move_to(at("2026-12-11T10:00"))
    assert await try_unlock(hass, client, guest) == (403, "too_late")


async def test_valid_until(hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory) -> None:
    """After valid_until the pass is expired."""
    freezer.move_to(at("2026-12-01T08:00"))
    guest = await add_guest(
        hass, weekdays=["tue", "wed"], start_time="08:00", end_time="20:00", valid_until="2026-12-02T12:00:00"
    )
    freezer.move_to(at("2026-12-01T10:00"))
    assert await try_unlock(hass, client, guest) == (200, None)
    freezer.move_to(at("2026-12-02T13:00"))
    assert await try_unlock(hass, client, guest) == (403, "too_late")
    listed = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": ENTRY_ID}, blocking=True, return_response=True
    )
    assert listed["passes"][0]["status"] == "expired"


async def test_revocation_during_window_and_visit(
    hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """Removing a guest during their visit: the visit still ends locked; the link is refused at once."""
    freezer.move_to(at("2026-11-24T10:00"))
    guest = await add_guest(hass, weekdays=["tue"], start_time="09:00", end_time="12:00")
    assert (await post_link(client, guest["link"], "unlock")).status == 200
    await hass.async_block_till_done()
    await open_door(hass)
    await hass.services.async_call(
        DOMAIN, "remove_guest", {"config_entry_id": ENTRY_ID, "guest_id": guest["guest_id"]}, blocking=True
    )
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"
    assert await try_unlock(hass, client, guest) == (403, "revoked")
    assert any("Maria is being let in" in call.data["message"] for call in phone_messages)
    assert any("refused" in call.data["message"] for call in phone_messages)


async def test_renewal_and_page(hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory) -> None:
    """The page greets the guest by name, never by the home; a renewed link replaces the old."""
    freezer.move_to(at("2026-11-24T10:00"))
    guest = await add_guest(hass, weekdays=["tue"], start_time="09:00", end_time="12:00")
    page = await post_link(client, guest["link"], "status", form=True)
    html = await page.text()
    assert '<h1 id="title">Maria</h1>' in html
    assert "Front door" not in html
    assert "parcel" not in html  # a guest's page speaks to a guest
    assert "Close the door behind you" in html
    renewed = await hass.services.async_call(
        DOMAIN,
        "renew_link",
        {"config_entry_id": ENTRY_ID, "pass_id": guest["guest_id"]},
        blocking=True,
        return_response=True,
    )
    assert (await post_link(client, guest["link"], "status")).status == 401
    assert (await post_link(client, renewed["link"], "status")).status == 200


async def test_guest_maximum_visit(hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory) -> None:
    """A guest's own maximum visit replaces the entrance's 15 minutes."""
    freezer.move_to(at("2026-11-24T10:00"))
    guest = await add_guest(hass, weekdays=["tue"], start_time="09:00", end_time="12:00", max_visit="02:00:00")
    assert (await post_link(client, guest["link"], "unlock")).status == 200
    await hass.async_block_till_done()
    await open_door(hass)
    await close_door(hass)
    await open_door(hass)  # in and out with the door open for a while; not ended at 15 minutes
    await tick(hass, freezer, 20 * 60)
    assert hass.states.get(PHASE).state == "inside"
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "guest_no_schedule"),
        ({"weekdays": ["tue"], "start_time": "09:00"}, "guest_no_schedule"),
        ({"weekdays": ["tuesday"], "start_time": "09:00", "end_time": "12:00"}, "guest_unknown_weekday"),
        ({"weekdays": ["tue"], "start_time": "09:00", "end_time": "09:00"}, "guest_empty_window"),
        (
            {"weekdays": ["tue"], "start_time": "09:00", "end_time": "12:00", "rrule": "FREQ=DAILY"},
            "guest_two_schedules",
        ),
        ({"rrule": "FREQ=SOMETIMES", "duration": "01:00:00"}, "guest_bad_rrule"),
        ({"rrule": "FREQ=DAILY;UNTIL=20200101T000000Z", "duration": "01:00:00"}, "guest_never_occurs"),
        ({"rrule": "FREQ=DAILY"}, "guest_bad_duration"),
        (
            {
                "weekdays": ["tue"],
                "start_time": "09:00",
                "end_time": "12:00",
                "valid_from": "2027-01-02",
                "valid_until": "2027-01-01",
            },
            "guest_validity_reversed",
        ),
    ],
)
async def test_invalid_schedules_change_nothing(hass: HomeAssistant, data: dict[str, Any], error: str) -> None:
    """Each bad schedule is a translated error and no guest is stored."""
    with pytest.raises(ServiceValidationError) as err:
        await add_guest(hass, **data)
    assert err.value.translation_key == error
    listed = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": ENTRY_ID}, blocking=True, return_response=True
    )
    assert listed == {"passes": []}


async def test_calendar_month(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """November 2026 shows every Tuesday and Thursday window of the cleaner, and none of a removed guest."""
    freezer.move_to(at("2026-10-30T08:00"))
    await add_guest(hass, weekdays=["tue", "thu"], start_time="09:00", end_time="12:00")
    gone = await add_guest(hass, name="Former sitter", weekdays=["mon"], start_time="12:00", end_time="13:00")
    await hass.services.async_call(
        DOMAIN, "remove_guest", {"config_entry_id": ENTRY_ID, "guest_id": gone["guest_id"]}, blocking=True
    )
    result = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "entity_id": "calendar.front_door_guest_access",
            "start_date_time": at("2026-11-01T00:00"),
            "end_date_time": at("2026-12-01T00:00"),
        },
        blocking=True,
        return_response=True,
    )
    events = result["calendar.front_door_guest_access"]["events"]
    assert len(events) == 8
    assert {event["summary"] for event in events} == {"Maria"}
    starts = [dt_util.parse_datetime(event["start"]) for event in events]
    assert [start.strftime("%a %H:%M") for start in starts[:2]] == ["Tue 09:00", "Thu 09:00"]


async def test_calendar_shows_the_next_guest_window(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The calendar's state is the guest window open now or next, whatever order guests come and go in."""
    calendar = "calendar.front_door_guest_access"

    def shown() -> tuple[str, str | None, str | None]:
        state = hass.states.get(calendar)
        assert state is not None
        return state.state, state.attributes.get("message"), state.attributes.get("start_time")

    freezer.move_to(at("2026-11-23T08:00"))  # a Monday
    assert shown() == ("off", None, None)
    await add_guest(hass, name="Cleaner", weekdays=["thu"], start_time="09:00", end_time="12:00")
    assert shown() == ("off", "Cleaner", "2026-11-26 09:00:00")
    await add_guest(hass, name="Gardener", weekdays=["fri"], start_time="09:00", end_time="12:00")
    assert shown() == ("off", "Cleaner", "2026-11-26 09:00:00")  # a later window leaves the next one
    sitter = await add_guest(hass, name="Sitter", weekdays=["mon"], start_time="07:00", end_time="10:00")
    assert shown() == ("on", "Sitter", "2026-11-23 07:00:00")  # open now
    await hass.services.async_call(
        DOMAIN, "remove_guest", {"config_entry_id": ENTRY_ID, "guest_id": sitter["guest_id"]}, blocking=True
    )
    assert shown() == ("off", "Cleaner", "2026-11-26 09:00:00")
    await add_guest(hass, name="Plumber", weekdays=["tue"], start_time="13:00", end_time="14:00")
    assert shown() == ("off", "Plumber", "2026-11-24 13:00:00")  # sooner than the cleaner
    freezer.move_to(at("2026-11-24T14:30"))  # the plumber's window is over
    await add_guest(hass, name="Neighbour", weekdays=["sat"], start_time="09:00", end_time="10:00")
    assert shown() == ("off", "Cleaner", "2026-11-26 09:00:00")


async def test_guests_survive_restart(
    hass: HomeAssistant, client: Client, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """After setting the entrance up again, the guest's link and schedule still work."""
    freezer.move_to(at("2026-11-24T10:00"))
    guest = await add_guest(hass, weekdays=["tue"], start_time="09:00", end_time="12:00", max_uses=5)
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert await try_unlock(hass, client, guest) == (200, None)


async def test_a_guest_reads_du_a_courier_sie_and_both_read_local_times(
    hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory
) -> None:
    """On German pages a guest is addressed with du throughout, a courier with Sie; both read their
    time as "heute 09:00-12:00" (with an en dash), in the home's time zone, never as an ISO date."""
    freezer.move_to(at("2026-11-24T08:30"))  # a Tuesday, before the guest's window
    guest = await add_guest(hass, weekdays=["tue"], start_time="09:00", end_time="12:00")

    async def german(link: str, action: str = "status") -> dict[str, Any]:
        return dict((await (await post_link(client, link, action, language="de")).json())["view"])

    view = await german(guest["link"])
    assert view["window"] == f"Deine Zeit: heute 09:00{DASH}12:00"
    assert view["message"].startswith("Dein Link öffnet die Tür zu dieser Zeit nicht.")
    english = (await (await post_link(client, guest["link"], "status")).json())["view"]
    assert english["window"] == f"Your time: today 09:00{DASH}12:00"

    freezer.move_to(at("2026-11-24T10:00"))
    await set_switch(hass, "input_boolean.sim_lock_online", False)
    refused = await german(guest["link"], "unlock")
    assert refused["message"] == "Die Tür kann gerade nicht geöffnet werden. Der Eigentümer wurde informiert."
    await set_switch(hass, "input_boolean.sim_lock_online", True)
    seen = [view["message"], refused["message"], (await german(guest["link"]))["message"]]
    seen.append((await german(guest["link"], "unlock"))["message"])
    await hass.async_block_till_done()
    seen.append((await german(guest["link"], "done"))["message"])
    assert seen[-1] == f"Abgeschlossen {DASH} vielen Dank!"
    sie = re.compile(r"\b(Sie|Ihr|Ihre|Ihnen)\b")
    assert not [message for message in seen if sie.search(message)]

    delivery = await hass.services.async_call(
        DOMAIN,
        "schedule_delivery",
        {
            "config_entry_id": ENTRY_ID,
            "window_start": "2026-11-25T09:00:00+01:00",
            "window_end": "2026-11-25T11:00:00+01:00",
        },
        blocking=True,
        return_response=True,
    )
    courier = await german(delivery["link"])
    assert courier["window"] == f"Lieferfenster: morgen 09:00{DASH}11:00"
    assert courier["message"].startswith("Dieser Link funktioniert ab Beginn des Lieferfensters. Bitte kommen Sie")

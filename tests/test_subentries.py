"""Guests and carrier links managed on the entrance's page: config subentries, their devices and their links.

Everything goes through Home Assistant's real subentry flow manager, device and entity registries, and
the link's HTTP endpoint, as the owner's browser and the guest's phone would.
"""

from __future__ import annotations

from datetime import datetime, time
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser, async_capture_events

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.core.guests import GuestTerms, Schedule
from homeassistant.components.notify import NotifyEntity
from homeassistant.components.notify.const import DATA_COMPONENT as NOTIFY_ENTITIES
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component

from .conftest import LOCK
from .helpers import ENTRY_ID, PHASE, close_door, open_door, post_link, schedule_now, shown_state, tick, try_unlock

type Client = Any
BERLIN = "Europe/Berlin"
TRANSLATIONS = Path(__file__).parent.parent / "custom_components/in_home_delivery/translations/en.json"
SECTIONS = {"repeat": {}, "limits": {}}  # what the frontend sends for the folded sections left alone
WEEKLY = {"name": "Maria", "weekdays": ["tue"], "start_time": "09:00:00", "end_time": "12:00:00"}
CLEANER = {**WEEKLY, **SECTIONS}


def at(local: str) -> datetime:
    """A wall-clock time in Berlin."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(BERLIN))


@pytest.fixture(autouse=True)
async def home(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """A home in Berlin, reachable from outside, on a Tuesday at 10:00."""
    assert await async_setup_component(hass, "http", {})
    await hass.config.async_set_time_zone(BERLIN)
    await hass.config.async_update(external_url="https://home.example.org")
    freezer.move_to(at("2026-11-24T10:00"))


@pytest.fixture
async def client(hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: Any) -> Client:
    """The guest's phone."""
    return await hass_client_no_auth()


class Phone(NotifyEntity):
    """A phone in the Home Assistant app (a notify entity) that keeps what it was sent."""

    _attr_name = "Maria's phone"
    _attr_unique_id = "marias_phone"

    def __init__(self) -> None:
        """Nothing received yet."""
        self.received: list[tuple[str, str | None]] = []

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Keep the message."""
        self.received.append((message, title))


async def start_flow(hass: HomeAssistant, kind: str) -> dict[str, Any]:
    """The owner clicks *Add guest* (or *Add carrier link*) on the entrance's page."""
    return await hass.config_entries.subentries.async_init((ENTRY_ID, kind), context={"source": "user"})


async def add_through_page(hass: HomeAssistant, kind: str = "guest", **form: Any) -> tuple[str, dict[str, Any]]:
    """Fill in the form and finish at the link step; return the link shown and the finished flow."""
    result = await start_flow(hass, kind)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], form)
    assert result["type"] is FlowResultType.FORM, result.get("errors")
    assert result["step_id"] == "link"
    link = result["description_placeholders"]["link"]
    done = await hass.config_entries.subentries.async_configure(result["flow_id"], {})
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    return link, done


def subentry_of(hass: HomeAssistant, title: str) -> ConfigSubentry:
    """The entrance's subentry with this title."""
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    return next(item for item in entry.subentries.values() if item.title == title)


def titles(hass: HomeAssistant) -> list[str]:
    """The titles of the entrance's subentries."""
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    return sorted(item.title for item in entry.subentries.values())


async def test_add_guest_on_the_page(hass: HomeAssistant, client: Client) -> None:
    """*Add guest*: the link is shown once with its QR code; a device with its entities appears; the link opens."""
    link, done = await add_through_page(hass, **CLEANER)
    assert link.startswith("https://home.example.org/api/webhook/")
    assert "#pass=" in link
    assert done["title"] == "Maria"
    subentry = subentry_of(hass, "Maria")
    assert subentry.subentry_type == "guest"
    assert "#pass=" not in str(dict(subentry.data))  # the subentry keeps no token
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, f"{ENTRY_ID}_{subentry.subentry_id}"), ENTRY_ID)
    assert device is not None
    assert device.name == "Maria"
    assert (await shown_state(hass, "sensor.maria_access")) == "in_window"
    assert (await shown_state(hass, "sensor.maria_visits")) == "0"
    assert (await shown_state(hass, "switch.maria_access_allowed")) == "on"
    assert await try_unlock(hass, client, link) == (200, None)
    assert (await shown_state(hass, "sensor.maria_last_used")) == "2026-11-24T09:00:00+00:00"


async def test_link_step_shows_a_qr_code_and_sends_to_a_phone(hass: HomeAssistant, client: Client) -> None:
    """The QR code is a PNG made locally; sending goes straight to the phone, never through the event bus."""
    phone = Phone()
    await hass.data[NOTIFY_ENTITIES].async_add_entities([phone])
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    result = await start_flow(hass, "guest")
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], CLEANER)
    placeholders = result["description_placeholders"]
    assert placeholders["qr"].startswith("data:image/png;base64,")
    assert "{qr}" in _text(hass, "config_subentries.guest.step.link.description")
    done = await hass.config_entries.subentries.async_configure(result["flow_id"], {"send_to": "notify.maria_s_phone"})
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert phone.received == [(placeholders["link"], "Maria")]
    token = placeholders["link"].split("#pass=")[1]
    assert not any(token in str(event.data) for event in calls)


def _text(hass: HomeAssistant, key: str) -> str:
    """A text of the integration's English translations."""
    data = json.loads(TRANSLATIONS.read_text())
    for part in key.split("."):
        data = data[part]
    return str(data)


async def test_send_failure_keeps_the_link_on_screen(hass: HomeAssistant, client: Client) -> None:
    """A phone that cannot be reached is a field error; the link stays shown and the guest exists once."""
    result = await start_flow(hass, "guest")
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], CLEANER)
    again = await hass.config_entries.subentries.async_configure(result["flow_id"], {"send_to": "notify.nobody"})
    assert again["type"] is FlowResultType.FORM
    assert again["errors"] == {"send_to": "send_failed"}
    assert again["description_placeholders"]["link"] == result["description_placeholders"]["link"]
    await hass.config_entries.subentries.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    assert titles(hass) == ["Maria"]


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({"name": "Maria", **SECTIONS}, {"base": "guest_no_schedule"}),
        ({**CLEANER, "name": "  "}, {"name": "guest_name_missing"}),
        ({**CLEANER, "name": "M" * 201}, {"base": "name_too_long"}),
        ({**CLEANER, "end_time": "09:00:00"}, {"end_time": "guest_empty_window"}),
        (
            {**CLEANER, "repeat": {"rrule": "FREQ=WEEKLY", "duration": {"hours": 2}}},
            {"base": "guest_two_schedules"},
        ),
        (
            {"name": "Maria", "repeat": {"rrule": "EVERY TUESDAY", "duration": {"hours": 2}}, "limits": {}},
            {"base": "guest_bad_rrule"},
        ),
        (
            {**CLEANER, "limits": {"valid_from": "2026-12-10 00:00:00", "valid_until": "2026-12-01 00:00:00"}},
            {"base": "guest_validity_reversed"},
        ),
    ],
)
async def test_bad_input_is_a_form_error_and_makes_nothing(
    hass: HomeAssistant, client: Client, form: dict[str, Any], errors: dict[str, str]
) -> None:
    """Each refusal is shown on the form, with the owner's input kept; no pass and no subentry is made."""
    result = await start_flow(hass, "guest")
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], form)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == errors
    suggested = {
        str(key): key.description.get("suggested_value") for key in result["data_schema"].schema if key.description
    }
    assert suggested.get("name") == form["name"]
    listed = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": ENTRY_ID}, blocking=True, return_response=True
    )
    assert listed["passes"] == []
    assert titles(hass) == []


async def test_change_suspend_renew_and_delete(
    hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory
) -> None:
    """Reconfigure changes times (the link stays), the switch suspends, renewing replaces the link, delete revokes."""
    link, _ = await add_through_page(hass, **CLEANER)
    subentry = subentry_of(hass, "Maria")
    flows = hass.config_entries.subentries

    # Change: Wednesdays instead, under another name; the same link, now outside its window.
    result = await flows.async_init(
        (ENTRY_ID, "guest"), context={"source": "reconfigure", "subentry_id": subentry.subentry_id}
    )
    assert result["type"] is FlowResultType.MENU
    result = await flows.async_configure(result["flow_id"], {"next_step_id": "change"})
    suggested = {
        str(key): key.description.get("suggested_value") for key in result["data_schema"].schema if key.description
    }
    assert suggested["weekdays"] == ["tue"]
    result = await flows.async_configure(result["flow_id"], {**CLEANER, "name": "Maria Schmidt", "weekdays": ["wed"]})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert titles(hass) == ["Maria Schmidt"]
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, f"{ENTRY_ID}_{subentry.subentry_id}"), ENTRY_ID)
    assert device is not None
    assert device.name == "Maria Schmidt"
    assert (await shown_state(hass, "sensor.maria_access")) == "outside_window"
    assert await try_unlock(hass, client, link) == (403, "outside_window")
    freezer.move_to(at("2026-11-25T10:00"))
    assert await try_unlock(hass, client, link) == (200, None)

    # Suspend with the switch on its device: refused until allowed again.
    await hass.services.async_call("switch", "turn_off", {"entity_id": "switch.maria_access_allowed"}, blocking=True)
    await hass.async_block_till_done()
    assert (await shown_state(hass, "sensor.maria_access")) == "suspended"
    assert await try_unlock(hass, client, link) == (403, "suspended")
    await hass.services.async_call("switch", "turn_on", {"entity_id": "switch.maria_access_allowed"}, blocking=True)
    await hass.async_block_till_done()
    assert await try_unlock(hass, client, link) == (200, None)

    # Renew: a new link, shown once; the old one is unknown at once.
    result = await flows.async_init(
        (ENTRY_ID, "guest"), context={"source": "reconfigure", "subentry_id": subentry.subentry_id}
    )
    result = await flows.async_configure(result["flow_id"], {"next_step_id": "renew"})
    assert result["step_id"] == "renew"
    result = await flows.async_configure(result["flow_id"], {})
    assert result["step_id"] == "link"
    new_link = result["description_placeholders"]["link"]
    result = await flows.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "link_renewed"
    assert (await post_link(client, link, "status")).status == 401
    assert await try_unlock(hass, client, new_link) == (200, None)

    # Delete on the page: revoked at once, its device and entities gone.
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    assert hass.config_entries.async_remove_subentry(entry, subentry.subentry_id)
    await hass.async_block_till_done()
    assert await try_unlock(hass, client, new_link) == (403, "revoked")
    assert hass.states.get("sensor.maria_access") is None
    assert er.async_get(hass).async_get("switch.maria_access_allowed") is None
    assert (
        dr.async_get(hass).async_get_device_by_identifier((DOMAIN, f"{ENTRY_ID}_{subentry.subentry_id}"), ENTRY_ID)
        is None
    )


async def test_carrier_link_on_the_page(hass: HomeAssistant, client: Client) -> None:
    """*Add carrier link*: opens once a delivery of that carrier is expected; hours can be changed; delete revokes."""
    link, _ = await add_through_page(hass, "carrier", name="DHL")
    assert (await shown_state(hass, "sensor.dhl_access")) == "active"
    assert await try_unlock(hass, client, link) == (403, "no_delivery_expected")
    await schedule_now(hass)
    await hass.async_block_till_done()
    assert (await shown_state(hass, "sensor.dhl_access")) == "in_window"
    assert await try_unlock(hass, client, link) == (200, None)
    assert (await shown_state(hass, "sensor.dhl_visits")) == "1"

    subentry = subentry_of(hass, "DHL")
    flows = hass.config_entries.subentries
    result = await flows.async_init(
        (ENTRY_ID, "carrier"), context={"source": "reconfigure", "subentry_id": subentry.subentry_id}
    )
    result = await flows.async_configure(result["flow_id"], {"next_step_id": "change"})
    result = await flows.async_configure(
        result["flow_id"], {"name": "DHL", "weekdays": ["mon"], "start_time": "08:00:00", "end_time": "18:00:00"}
    )
    assert result["reason"] == "reconfigure_successful"
    await schedule_now(hass, tracking_number="0034")
    assert (await try_unlock(hass, client, link))[0] == 403  # Tuesday: outside its hours

    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    hass.config_entries.async_remove_subentry(entry, subentry.subentry_id)
    await hass.async_block_till_done()
    assert await try_unlock(hass, client, link) == (403, "revoked")


async def test_a_running_visit_survives_adding_changing_and_deleting(hass: HomeAssistant, client: Client) -> None:
    """The entrance is not reloaded for its guests: a courier's visit runs on and ends locked."""
    courier = await schedule_now(hass)
    assert (await post_link(client, courier["link"], "unlock")).status == 200
    await hass.async_block_till_done()
    await open_door(hass)
    assert hass.states.get(PHASE).state == "inside"
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    controller = entry.runtime_data.controller

    await add_through_page(hass, **CLEANER)
    subentry = subentry_of(hass, "Maria")
    flows = hass.config_entries.subentries
    result = await flows.async_init(
        (ENTRY_ID, "guest"), context={"source": "reconfigure", "subentry_id": subentry.subentry_id}
    )
    result = await flows.async_configure(result["flow_id"], {"next_step_id": "change"})
    await flows.async_configure(result["flow_id"], {**CLEANER, "end_time": "13:00:00"})
    hass.config_entries.async_remove_subentry(entry, subentry.subentry_id)
    await hass.async_block_till_done()

    assert entry.runtime_data.controller is controller  # not reloaded
    assert hass.states.get(PHASE).state == "inside"
    await close_door(hass)
    await hass.async_block_till_done()
    assert hass.states.get(PHASE).state in ("closing", "locking", "idle")


async def test_actions_make_and_remove_subentries(hass: HomeAssistant, client: Client) -> None:
    """add_guest and add_carrier list what they make on the page; remove_guest and remove_carrier take it away."""
    guest = await hass.services.async_call(
        DOMAIN, "add_guest", {"config_entry_id": ENTRY_ID, **WEEKLY}, blocking=True, return_response=True
    )
    carrier = await hass.services.async_call(
        DOMAIN, "add_carrier", {"config_entry_id": ENTRY_ID, "name": "UPS"}, blocking=True, return_response=True
    )
    await hass.async_block_till_done()
    assert titles(hass) == ["Maria", "UPS"]
    assert subentry_of(hass, "Maria").unique_id == guest["guest_id"]
    assert await try_unlock(hass, client, guest["link"]) == (200, None)
    await hass.services.async_call(
        DOMAIN, "remove_guest", {"config_entry_id": ENTRY_ID, "guest_id": guest["guest_id"]}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "remove_carrier", {"config_entry_id": ENTRY_ID, "carrier_id": carrier["carrier_id"]}, blocking=True
    )
    await hass.async_block_till_done()
    assert titles(hass) == []
    assert await try_unlock(hass, client, guest["link"]) == (403, "revoked")


async def test_passes_made_before_appear_and_deleting_while_stopped_revokes(
    hass: HomeAssistant, client: Client
) -> None:
    """Guests from before subentries are listed at start; one deleted while the entrance was stopped is revoked."""
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    _guest, token = await entry.runtime_data.passes.async_add_guest(
        GuestTerms(name="Maria", schedule=Schedule(weekdays=("tue",), start_time=time(9), end_time=time(12)))
    )  # as release 0.2 made it
    await hass.async_block_till_done()
    assert titles(hass) == []
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    assert titles(hass) == ["Maria"]
    assert (await shown_state(hass, "sensor.maria_access")) == "in_window"

    assert await hass.config_entries.async_unload(ENTRY_ID)
    hass.config_entries.async_remove_subentry(entry, subentry_of(hass, "Maria").subentry_id)
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()
    link = f"https://home.example.org/api/webhook/{entry.data['webhook_id']}#pass={token}"
    assert await try_unlock(hass, client, link) == (403, "revoked")
    assert titles(hass) == []


async def test_access_follows_the_clock(hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory) -> None:
    """The access sensor moves from in_window to outside_window as the window closes, with nothing else happening."""
    await add_through_page(hass, **CLEANER)
    assert (await shown_state(hass, "sensor.maria_access")) == "in_window"
    freezer.move_to(at("2026-11-24T12:00:30"))
    await tick(hass, freezer, 60)
    assert (await shown_state(hass, "sensor.maria_access")) == "outside_window"
    assert hass.states.get(LOCK).state == "locked"


async def test_a_flow_left_at_its_link_still_lists_the_guest(hass: HomeAssistant, client: Client) -> None:
    """The owner saw the link and closed the dialog: the guest exists, so it is listed (and can be deleted)."""
    result = await start_flow(hass, "guest")
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], CLEANER)
    link = result["description_placeholders"]["link"]
    hass.config_entries.subentries.async_abort(result["flow_id"])
    await hass.async_block_till_done()
    assert titles(hass) == ["Maria"]
    assert await try_unlock(hass, client, link) == (200, None)


async def test_only_an_administrator_allows_access_again(
    hass: HomeAssistant, client: Client, hass_admin_user: MockUser
) -> None:
    """Any user may suspend a guest (it only closes); allowing them again is an administrator's act."""
    link, _ = await add_through_page(hass, **CLEANER)
    family = await hass.auth.async_create_user("Family member", group_ids=["system-users"])
    user = Context(user_id=family.id)
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.maria_access_allowed"}, blocking=True, context=user
    )
    assert (await shown_state(hass, "sensor.maria_access")) == "suspended"
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            "switch", "turn_on", {"entity_id": "switch.maria_access_allowed"}, blocking=True, context=user
        )
    assert await try_unlock(hass, client, link) == (403, "suspended")
    await hass.services.async_call(
        "switch",
        "turn_on",
        {"entity_id": "switch.maria_access_allowed"},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    assert await try_unlock(hass, client, link) == (200, None)

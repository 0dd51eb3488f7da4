"""The logbook says who came, how, and how the visit ended, in the user's language, linked to the entrance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.in_home_delivery.const import DOMAIN, EVENT_IN_HOME_DELIVERY
from custom_components.in_home_delivery.core.commands import EventType
from custom_components.in_home_delivery.texts import async_get_texts
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .helpers import ENTRY_ID, close_door, open_door, post_link, schedule_now

# One event of every type, as the entrance fires them, and what the logbook says (en, de).
EVENTS: dict[str, tuple[dict[str, Any], str, str]] = {
    "arrived": (
        {"pass_kind": "delivery", "pass_label": "DHL"},
        "was told DHL is at the door",
        "meldet: DHL ist an der Tür",
    ),
    "admitted": (
        {"pass_kind": "delivery", "pass_label": "DHL, parcel 0034", "admitted_by": "carrier_link"},
        "let DHL, parcel 0034 in with the carrier link",
        "Einlass für DHL, parcel 0034 mit dem Zusteller-Link",
    ),
    "denied": (
        {"pass_kind": "carrier", "pass_label": "UPS", "reason": "no_delivery_expected"},
        "did not let someone with the UPS link in: no delivery from this carrier is expected now",
        "kein Einlass für jemanden mit dem UPS-Link: von diesem Zusteller wird gerade keine Lieferung erwartet",
    ),
    "unlocked": ({"pass_kind": "guest", "pass_label": "Anna"}, "opened for Anna", "wurde für Anna geöffnet"),
    "door_opened": (
        {"pass_kind": "guest", "pass_label": "Anna"},
        "door opened by Anna",
        "Tür geöffnet (Besuch für Anna)",
    ),
    "door_closed": (
        {"pass_kind": "guest", "pass_label": "Anna"},
        "door closed by Anna",
        "Tür geschlossen (Besuch für Anna)",
    ),
    "door_left_open": (
        {"pass_kind": "guest", "pass_label": "Anna"},
        "door left open during the visit of Anna",
        "Tür blieb offen (Besuch für Anna)",
    ),
    "locked": (
        {"pass_kind": "owner", "pass_label": "Owner", "admitted_by": "owner"},
        "locked again after your visitor",
        "wieder abgeschlossen (Besuch für deinen Gast)",
    ),
    "relock_failed": (
        {"pass_kind": "delivery", "pass_label": "DHL", "reason": "jammed"},
        "could not lock again after DHL (jammed); you were alerted",
        "konnte nicht wieder abschließen (Besuch für DHL, blockiert); du wurdest alarmiert",
    ),
    "completed": (
        {"pass_kind": "delivery", "pass_label": "DHL", "admitted_by": "link", "duration": 125},
        "visit of DHL with their link ended after 2 min 5 s: locked",
        "Besuch für DHL mit dem eigenen Link nach 2 min 5 s beendet: abgeschlossen",
    ),
    "missed": (
        {"pass_kind": "delivery", "pass_label": "DHL"},
        "DHL did not come within the window",
        "DHL kam nicht im Zeitfenster",
    ),
    "camera_lost": (
        {"pass_kind": "delivery", "pass_label": "DHL"},
        "lost the camera during the visit of DHL",
        "Kamera ausgefallen (Besuch für DHL)",
    ),
    "street_door_opened": (
        {"pass_kind": "delivery", "pass_label": "DHL"},
        "opened the street door for DHL",
        "hat die Haustür für DHL geöffnet",
    ),
    "code_used": (
        {"pass_kind": "guest", "pass_label": "Grandma"},
        "keypad code used by Grandma",
        "Tastencode von Grandma benutzt",
    ),
}


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: Any) -> None:
    """The recorder's database is prepared before Home Assistant starts, as in a real one."""


@pytest.fixture
async def logbook(recorder_mock: Any, hass: HomeAssistant) -> None:
    """The recorder and the logbook, as in every Home Assistant."""
    assert await async_setup_component(hass, "logbook", {})


async def logbook_lines(
    hass: HomeAssistant, client: Any, *, device_id: str | None = None, entity_id: str | None = None
) -> list[dict[str, Any]]:
    """What the logbook shows for the last hour (of the entrance's device or an entity where given)."""
    await async_wait_recording_done(hass)
    start = dt_util.utcnow() - timedelta(hours=1)
    query: dict[str, Any] = {"id": 1, "type": "logbook/get_events", "start_time": start.isoformat()}
    if device_id:
        query["device_ids"] = [device_id]
    if entity_id:
        query["entity_ids"] = [entity_id]
    await client.send_json(query)
    answer = await client.receive_json()
    assert answer["success"], answer
    return [line for line in answer["result"] if line.get("domain") == DOMAIN]


def test_every_event_type_is_described() -> None:
    """No event type is left without a logbook line."""
    assert set(EVENTS) == {event_type.value for event_type in EventType}


@pytest.mark.parametrize("language", ["en", "de"])
async def test_every_type_in_both_languages(
    hass: HomeAssistant,
    logbook: None,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    language: str,
) -> None:
    """Each type reads as a sentence in the user's language, under the entrance's name."""
    hass.config.language = language
    await async_get_texts(hass, language)
    for event_type, (data, _, _) in EVENTS.items():
        hass.bus.async_fire(
            EVENT_IN_HOME_DELIVERY,
            {"config_entry_id": ENTRY_ID, "type": event_type, "visit_id": None, "pass_id": None, "reason": None} | data,
        )
    await hass.async_block_till_done()
    lines = await logbook_lines(hass, await hass_ws_client(hass))
    assert [line["message"] for line in lines] == [
        english if language == "en" else german for _, english, german in EVENTS.values()
    ]
    assert {line["name"] for line in lines} == {"Front door"}


async def test_a_delivery_as_the_logbook_tells_it(
    hass: HomeAssistant,
    logbook: None,
    link_client: Any,
    hass_ws_client: WebSocketGenerator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A courier's visit by link: the entrance device's logbook says who came, how, and how it ended."""
    link = (await schedule_now(hass, carrier="DHL"))["link"]
    assert (await post_link(link_client, link, "unlock")).status == 200
    await hass.async_block_till_done()
    await open_door(hass)
    await close_door(hass)
    await post_link(link_client, link, "done")
    await hass.async_block_till_done()
    device = device_registry.async_get_device_by_identifier((DOMAIN, ENTRY_ID), ENTRY_ID)
    assert device is not None
    client = await hass_ws_client(hass)
    messages = [line["message"] for line in await logbook_lines(hass, client, device_id=device.id)]
    assert "let DHL in with their link" in messages
    assert any(message.startswith("visit of DHL with their link ended after ") for message in messages)
    assert messages[-1].endswith(": locked")
    # A logbook card of the entrance's lock (the dashboard's "What happened") shows the same sentences.
    await client.send_json(
        {
            "id": 2,
            "type": "logbook/get_events",
            "start_time": (dt_util.utcnow() - timedelta(hours=1)).isoformat(),
            "entity_ids": ["lock.front_door"],
        }
    )
    beside_the_lock = [line.get("message") for line in (await client.receive_json())["result"]]
    assert "let DHL in with their link" in beside_the_lock


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ({"type": "admitted", "admitted_by": "owner"}, "let your visitor in on your order"),
        (
            {"type": "completed", "admitted_by": "owner", "duration": 12},
            "the visit you let in on your order ended after 12 s: locked",
        ),
        ({"type": "unlocked", "admitted_by": "auto_lock"}, "was unlocked by hand; it locks again by itself"),
        (
            {"type": "completed", "admitted_by": "auto_lock", "duration": 3700},
            "locked again by itself, 1 h 1 min after an unlock by hand: locked",
        ),
        (
            {
                "type": "completed",
                "admitted_by": "doorbell",
                "duration": 65,
                "pass_kind": "delivery",
                "pass_label": "DPD",
                "reason": "relock_failed",
            },
            "visit of DPD after you said yes at the doorbell ended after 1 min 5 s: locked only after retries, you were alerted",
        ),
    ],
)
async def test_the_owners_own_words(
    hass: HomeAssistant,
    logbook: None,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    data: dict[str, Any],
    line: str,
) -> None:
    """Visits without a pass read as the owner's word; an unlock by hand reads as such."""
    hass.bus.async_fire(
        EVENT_IN_HOME_DELIVERY,
        {
            "config_entry_id": ENTRY_ID,
            "visit_id": None,
            "pass_id": None,
            "pass_kind": "owner",
            "pass_label": "Owner",
            "reason": None,
        }
        | data,
    )
    await hass.async_block_till_done()
    assert [entry["message"] for entry in await logbook_lines(hass, await hass_ws_client(hass))] == [line]


GARAGE_LINES: list[tuple[dict[str, Any], str, str]] = [
    (
        {"type": "locked", "pass_kind": "delivery", "pass_label": "DHL"},
        "closed again after DHL",
        "wieder geschlossen (Besuch für DHL)",
    ),
    (
        {"type": "relock_failed", "pass_kind": "delivery", "pass_label": "DHL", "reason": "unlocked"},
        "could not close again after DHL (open); you were alerted",
        "konnte nicht wieder schließen (Besuch für DHL, offen); du wurdest alarmiert",
    ),
    (
        {"type": "completed", "pass_kind": "delivery", "pass_label": "DHL", "admitted_by": "link", "duration": 900},
        "visit of DHL with their link ended after 15 min 0 s: closed",
        "Besuch für DHL mit dem eigenen Link nach 15 min 0 s beendet: geschlossen",
    ),
    (
        {
            "type": "completed",
            "pass_kind": "guest",
            "pass_label": "Anna",
            "admitted_by": "link",
            "reason": "relock_failed",
        },
        "visit of Anna with their link ended after 0 s: closed only after retries, you were alerted",
        "Besuch für Anna mit dem eigenen Link nach 0 s beendet: erst nach Wiederholungen geschlossen, du wurdest alarmiert",
    ),
    (
        {"type": "unlocked", "pass_kind": "owner", "pass_label": "Owner", "admitted_by": "auto_lock"},
        "was opened by hand; it closes again by itself",
        "wurde von Hand geöffnet; schließt sich von selbst wieder",
    ),
    (
        {"type": "completed", "pass_kind": "owner", "pass_label": "Owner", "admitted_by": "auto_lock", "duration": 65},
        "closed again by itself, 1 min 5 s after it was opened by hand: closed",
        "von selbst wieder geschlossen, 1 min 5 s nach dem Öffnen von Hand: geschlossen",
    ),
]


@pytest.mark.parametrize("entry_data", [{"name": "Garage", "garage_door": "cover.garage_door"}])
@pytest.mark.parametrize("language", ["en", "de"])
async def test_a_garage_door_is_closed_not_locked(
    hass: HomeAssistant,
    logbook: None,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    language: str,
) -> None:
    """At a garage entrance the logbook says opened and closed, never locked, in both languages."""
    hass.config.language = language
    await async_get_texts(hass, language)
    for data, _, _ in GARAGE_LINES:
        hass.bus.async_fire(
            EVENT_IN_HOME_DELIVERY,
            {"config_entry_id": ENTRY_ID, "visit_id": None, "pass_id": None, "reason": None} | data,
        )
    await hass.async_block_till_done()
    lines = await logbook_lines(hass, await hass_ws_client(hass))
    assert [line["message"] for line in lines] == [
        english if language == "en" else german for _, english, german in GARAGE_LINES
    ]
    assert {line["name"] for line in lines} == {"Garage"}


@pytest.mark.parametrize(
    ("data", "english", "german"),
    [
        (
            {"pass_kind": "delivery", "pass_label": "DHL", "admitted_by": "link"},
            "visit of DHL with their link was interrupted by a restart of Home Assistant and ended after it: locked",
            "Besuch für DHL mit dem eigenen Link durch einen Neustart von Home Assistant unterbrochen und danach beendet: abgeschlossen",
        ),
        (
            {"pass_kind": "owner", "pass_label": "Owner", "admitted_by": "owner"},
            "the visit you let in on your order was interrupted by a restart of Home Assistant and ended after it: locked",
            "Besuch für deinen Gast auf deine Anweisung durch einen Neustart von Home Assistant unterbrochen und danach beendet: abgeschlossen",
        ),
        (
            {"pass_kind": "owner", "pass_label": "Owner", "admitted_by": "auto_lock"},
            "locked again by itself after an unlock by hand, with a restart of Home Assistant in between: locked",
            "nach dem Aufschließen von Hand von selbst wieder abgeschlossen, mit einem Neustart von Home Assistant dazwischen: abgeschlossen",
        ),
    ],
)
async def test_a_restart_during_the_visit_is_told(
    hass: HomeAssistant,
    logbook: None,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    data: dict[str, Any],
    english: str,
    german: str,
) -> None:
    """A visit Home Assistant restarted during says so, and gives no length: it would count the downtime."""
    for language in ("en", "de"):
        hass.config.language = language
        await async_get_texts(hass, language)
        hass.bus.async_fire(
            EVENT_IN_HOME_DELIVERY,
            {"config_entry_id": ENTRY_ID, "type": "completed", "visit_id": None, "pass_id": None, "reason": None}
            | data
            | {"duration": 2712, "resumed": True},
        )
        await hass.async_block_till_done()
        lines = await logbook_lines(hass, await hass_ws_client(hass))
        assert lines[-1]["message"] == (english if language == "en" else german)
        assert "45 min" not in lines[-1]["message"]

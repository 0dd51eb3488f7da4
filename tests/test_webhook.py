"""The courier link over real HTTP: the page, each action, each status, the lockout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import ClientResponse
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.in_home_delivery.const import DOMAIN, EVENT_IN_HOME_DELIVERY
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import LOCK
from .helpers import ENTRY_ID, PHASE, close_door, open_door, set_lock_state, set_switch

type Client = Any


@pytest.fixture(autouse=True)
async def reverse_proxy(hass: HomeAssistant) -> None:
    """Home Assistant behind a reverse proxy, so requests can come from several addresses."""
    assert await async_setup_component(
        hass, "http", {"http": {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1", "::1"]}}
    )
    assert await async_setup_component(hass, "diagnostics", {})
    await hass.config.async_update(external_url="https://home.example.org")


async def schedule(
    hass: HomeAssistant, start_in: timedelta = timedelta(minutes=-5), hours: float = 2
) -> dict[str, Any]:
    """A delivery whose window is open now (by default)."""
    start = dt_util.now() + start_in
    return await hass.services.async_call(
        DOMAIN,
        "schedule_delivery",
        {
            "config_entry_id": ENTRY_ID,
            "window_start": start.isoformat(),
            "window_end": (start + timedelta(hours=hours)).isoformat(),
            "carrier": "DHL",
        },
        blocking=True,
        return_response=True,
    )


def path_of(link: str) -> str:
    """The link without its host, for the test client."""
    return link.removeprefix("https://home.example.org")


async def post_json(client: Client, path: str, action: str, address: str = "203.0.113.7") -> ClientResponse:
    """What a courier app would send."""
    return await client.post(path, json={"action": action}, headers={"X-Forwarded-For": address})


@pytest.fixture
async def client(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> Client:
    """An HTTP client from the internet."""
    return await hass_client_no_auth()


async def test_full_courier_journey(
    hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """Page, arrive, unlock, in, out, done: the door is locked and the link is used up."""
    events = async_capture_events(hass, EVENT_IN_HOME_DELIVERY)
    delivery = await schedule(hass)
    path = path_of(delivery["link"])

    page = await client.get(path, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert page.status == 200
    html = await page.text()
    assert "Front door" in html
    assert 'value="unlock"' in html
    assert "DHL" not in html  # the page says nothing the courier does not need
    assert "http://" not in html  # no outside assets
    assert "https://" not in html

    response = await post_json(client, path, "arrive")
    assert response.status == 200
    assert (await response.json())["result"] == "arrived"
    assert any("DHL is at the door" in call.data["message"] for call in phone_messages)

    response = await post_json(client, path, "unlock")
    assert response.status == 200
    body = await response.json()
    assert body["result"] == "admitted"
    assert body["visit_id"]
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"

    page = await client.get(path)
    assert 'value="done"' in await page.text()

    await open_door(hass)
    response = await post_json(client, path, "done")
    assert response.status == 409
    assert (await response.json())["reason"] == "door_open"
    await close_door(hass)
    response = await post_json(client, path, "done")
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"

    page = await client.get(path)
    assert "door is locked again" in await page.text()
    response = await post_json(client, path, "unlock")
    assert response.status == 403
    assert (await response.json())["reason"] == "used"
    types = [event.data["type"] for event in events]
    assert types[:3] == ["arrived", "admitted", "unlocked"]
    assert "completed" in types
    assert all(delivery["token"] not in str(event.data) for event in events)


async def test_form_posts_answer_with_the_page_in_german(hass: HomeAssistant, client: Client) -> None:
    """A phone's form post gets the page back, in German where the browser asks for it."""
    delivery = await schedule(hass)
    response = await client.post(
        path_of(delivery["link"]), data={"action": "unlock"}, headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
    )
    assert response.status == 200
    html = await response.text()
    assert response.content_type == "text/html"
    assert 'lang="de"' in html
    assert "Fertig" in html
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("start_in", "status", "reason"),
    [
        (timedelta(minutes=30), 403, "too_early"),
        (timedelta(minutes=14), 200, None),  # inside the 15 minutes of grace before the window
    ],
)
async def test_early_and_grace_before(
    hass: HomeAssistant, client: Client, start_in: timedelta, status: int, reason: str | None
) -> None:
    """Early is refused (and the door stays locked); within the grace before the window is admitted."""
    delivery = await schedule(hass, start_in, 1)
    response = await post_json(client, path_of(delivery["link"]), "unlock")
    assert response.status == status
    assert (await response.json())["reason"] == reason
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == ("unlocked" if status == 200 else "locked")


async def test_grace_after_the_window(hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory) -> None:
    """A courier 10 minutes late still gets in."""
    delivery = await schedule(hass, timedelta(minutes=1), 1)
    freezer.tick(timedelta(hours=1, minutes=11))
    response = await post_json(client, path_of(delivery["link"]), "unlock")
    assert response.status == 200


async def test_late_arrival_refused(hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory) -> None:
    """After the window and its grace the link no longer opens the door."""
    delivery = await schedule(hass, timedelta(minutes=1), 1)
    freezer.tick(timedelta(hours=1, minutes=17))
    response = await post_json(client, path_of(delivery["link"]), "unlock")
    assert response.status == 403
    assert (await response.json())["reason"] in ("too_late", "used")
    assert hass.states.get(LOCK).state == "locked"


async def test_cancelled_and_renewed_links(hass: HomeAssistant, client: Client) -> None:
    """A cancelled delivery's link is refused; after a renewal the old link is unknown and the new one works."""
    first = await schedule(hass)
    renewed = await hass.services.async_call(
        DOMAIN,
        "renew_link",
        {"config_entry_id": ENTRY_ID, "pass_id": first["delivery_id"]},
        blocking=True,
        return_response=True,
    )
    response = await post_json(client, path_of(first["link"]), "unlock")
    assert response.status == 401
    response = await client.get(path_of(renewed["link"]))
    assert response.status == 200

    second = await schedule(hass)
    await hass.services.async_call(
        DOMAIN, "cancel_delivery", {"config_entry_id": ENTRY_ID, "delivery_id": second["delivery_id"]}, blocking=True
    )
    response = await post_json(client, path_of(second["link"]), "unlock")
    assert response.status == 403
    assert (await response.json())["reason"] == "revoked"


async def test_statuses_of_the_entrance(hass: HomeAssistant, client: Client) -> None:
    """409 while another visit runs, 423 when not accepting, 503 when the lock is unavailable."""
    first, second = await schedule(hass), await schedule(hass)
    assert (await post_json(client, path_of(first["link"]), "unlock")).status == 200
    response = await post_json(client, path_of(second["link"]), "unlock")
    assert response.status == 409
    await hass.services.async_call(DOMAIN, "end_visit", {"config_entry_id": ENTRY_ID}, blocking=True)
    await hass.async_block_till_done()

    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.front_door_deliveries_allowed"}, blocking=True
    )
    response = await post_json(client, path_of(second["link"]), "unlock")
    assert response.status == 423
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.front_door_deliveries_allowed"}, blocking=True
    )

    await set_switch(hass, "input_boolean.sim_lock_online", False)
    response = await post_json(client, path_of(second["link"]), "unlock")
    assert response.status == 503
    assert (await response.json())["reason"] == "lock_unavailable"
    await set_switch(hass, "input_boolean.sim_lock_online", True)
    await set_lock_state(hass, "jammed")
    response = await client.post(path_of(second["link"]), data={"action": "unlock"})
    assert response.status == 503
    assert "cannot be opened" in await response.text()


@pytest.mark.parametrize(
    "body",
    [
        {"json": {"action": "explode"}},
        {"json": ["unlock"]},
        {"data": "action=unlock&" + "x" * 5000, "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
        {"data": b"\xff\xfe", "headers": {"Content-Type": "application/json"}},
        {"data": "{not json", "headers": {"Content-Type": "application/json"}},
    ],
)
async def test_malformed_requests_change_nothing(hass: HomeAssistant, client: Client, body: dict[str, Any]) -> None:
    """Unknown actions, wrong shapes, oversized or broken bodies: 400, and the door stays locked."""
    delivery = await schedule(hass)
    response = await client.post(path_of(delivery["link"]), **body)
    assert response.status == 400
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


async def test_wrong_tokens_say_nothing(hass: HomeAssistant, client: Client) -> None:
    """A token with one character changed, a missing token and a made-up one all get the same 401."""
    delivery = await schedule(hass)
    path = path_of(delivery["link"])
    token = delivery["token"]
    variants = [
        path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B")),
        path.split("?")[0],
        path.replace(token, "x" * 200),
    ]
    answers = set()
    for variant in variants:
        response = await post_json(client, variant, "unlock", address="198.51.100.1")
        answers.add((response.status, str(await response.json())))
    assert answers == {(401, "{'result': 'refused', 'reason': 'unknown_link', 'visit_id': None}")}


async def test_lockout_spares_valid_links_elsewhere(
    hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """Ten failures in ten minutes lock an address out for 15 minutes; the real courier elsewhere gets in."""
    delivery = await schedule(hass)
    bad_path = path_of(delivery["link"]).replace(delivery["token"], "guess")
    for _ in range(10):
        assert (await post_json(client, bad_path, "unlock", address="192.0.2.66")).status == 401
    response = await post_json(client, path_of(delivery["link"]), "unlock", address="192.0.2.66")
    assert response.status == 429
    assert hass.states.get(LOCK).state == "locked"

    response = await post_json(client, path_of(delivery["link"]), "unlock", address="203.0.113.7")
    assert response.status == 200

    freezer.tick(timedelta(minutes=16))
    assert (await post_json(client, bad_path, "unlock", address="192.0.2.66")).status == 401


async def test_flood_alerts_the_owner_once(
    hass: HomeAssistant, client: Client, phone_messages: list[ServiceCall]
) -> None:
    """Many failures across addresses: one critical alert, not one per request."""
    await schedule(hass)
    for number in range(60):
        await post_json(client, "/api/webhook/" + "0" * 8 + "?pass=nope", "unlock", address=f"192.0.2.{number}")
    controller = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data
    path = f"/api/webhook/{controller.passes.webhook_id}?pass=nope"
    for number in range(60):
        await post_json(client, path, "unlock", address=f"198.51.100.{number}")
    await hass.async_block_till_done()
    floods = [call for call in phone_messages if "Many failed attempts" in call.data["message"]]
    assert len(floods) == 1
    assert floods[0].data["data"]["push"]["interruption-level"] == "critical"


async def test_restart_between_scheduling_and_arrival(
    hass: HomeAssistant, client: Client, init_integration: MockConfigEntry
) -> None:
    """The entrance is set up again: the same link opens the door."""
    delivery = await schedule(hass)
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    response = await post_json(client, path_of(delivery["link"]), "unlock")
    assert response.status == 200


async def test_no_token_in_logs_states_or_diagnostics(
    hass: HomeAssistant,
    client: Client,
    caplog: pytest.LogCaptureFixture,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
) -> None:
    """The token and the link never reach a log line, a state, an event or diagnostics."""
    from pytest_homeassistant_custom_component.components.diagnostics import (  # noqa: PLC0415
        get_diagnostics_for_config_entry,
    )

    events = async_capture_events(hass, EVENT_IN_HOME_DELIVERY)
    delivery = await schedule(hass)
    await post_json(client, path_of(delivery["link"]), "arrive")
    await post_json(client, path_of(delivery["link"]), "unlock")
    await tick_done(hass)
    token, webhook_id = delivery["token"], path_of(delivery["link"]).split("/")[3].split("?")[0]
    # aiohttp's access log carries whole URLs; Home Assistant silences it (bootstrap sets it to WARNING).
    # Home Assistant's own http and webhook debug lines name the webhook id, never the token.
    records = [record for record in caplog.records if record.name not in ("aiohttp.access",)]
    records = [record for record in records if not record.name.startswith("pytest_homeassistant")]
    assert all(token not in record.getMessage() for record in records)
    ours = [record.getMessage() for record in records if record.name.startswith("custom_components")]
    assert ours
    assert all(webhook_id not in message for message in ours)
    for state in hass.states.async_all():
        assert token not in str(state.attributes)
        assert webhook_id not in str(state.attributes)
    assert all(token not in str(event.data) for event in events)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert token not in str(diagnostics)
    assert webhook_id not in str(diagnostics)


async def tick_done(hass: HomeAssistant) -> None:
    """Let pending work finish."""
    await hass.async_block_till_done()

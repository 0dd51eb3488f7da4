"""The link through Home Assistant Cloud's relay, exactly as Cloud hands it to the webhook.

Cloud turns each request to the cloudhook into `MockRequest(..., remote=None)`: no client address,
no `content_type`, no `content_length`, the headers the relay passed on, and the body as bytes.
It sends back only the answer's status, body and content type.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
import sys
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, Mock, patch
from urllib.parse import urlencode

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.livestatus import MAX_WAITING_PER_ADDRESS
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.aiohttp import MockRequest, serialize_response

from .conftest import LOCK
from .helpers import ENTRY_ID, PHASE, close_door, link_parts, open_door, set_lock_state, set_switch


async def relay(
    hass: HomeAssistant,
    link: str,
    body: bytes = b"",
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
    query: str = "",
) -> tuple[int, Any]:
    """Send a request the way Cloud's client does (cloud/client.py, async_webhook_message)."""
    webhook_id = link_parts(link)[0].rsplit("/", 1)[1]
    request = MockRequest(
        content=body,
        headers=headers or {},
        method=method,
        query_string=query,
        mock_source="cloud",
        remote=None,
    )
    response = serialize_response(await webhook.async_handle_webhook(hass, webhook_id, request))
    text = response["body"]
    if "application/json" in response["headers"].get("Content-Type", ""):
        return response["status"], json.loads(text)
    return response["status"], text


def as_json(link: str, action: str, token: str | None = None) -> bytes:
    """A JSON body as the page's script sends it; the relay may drop its Content-Type."""
    return json.dumps({"pass": link_parts(link)[1] if token is None else token, "action": action}).encode()


def as_form(link: str, action: str) -> bytes:
    """A form body as a browser without script sends it."""
    return urlencode({"pass": link_parts(link)[1], "action": action}).encode()


@pytest.fixture
async def delivery(hass: HomeAssistant, init_integration: MockConfigEntry) -> dict[str, Any]:
    """A delivery expected now, with its link."""
    start = dt_util.now() - timedelta(minutes=5)
    return await hass.services.async_call(
        DOMAIN,
        "schedule_delivery",
        {
            "config_entry_id": ENTRY_ID,
            "window_start": start,
            "window_end": start + timedelta(hours=1),
            "carrier": "DHL",
        },
        blocking=True,
        return_response=True,
    )


@pytest.mark.parametrize("headers", [{}, {"Content-Type": "application/json"}])
async def test_courier_journey_through_the_relay(
    hass: HomeAssistant, delivery: dict[str, Any], headers: dict[str, str]
) -> None:
    """Page, status, unlock, done and status again, with and without a Content-Type from the relay."""
    link = delivery["link"]
    status, page = await relay(hass, link, method="GET")
    assert status == 200
    assert "<script>" in page
    assert "Front door" not in page
    assert 'http-equiv="Content-Security-Policy"' in page  # the relay drops our headers; the page keeps its policy

    status, body = await relay(hass, link, as_json(link, "status"), headers=headers)
    assert (status, body["view"]["title"], body["phase"]) == (200, "Front door", "idle")
    status, body = await relay(hass, link, as_json(link, "unlock"), headers=headers)
    assert (status, body["result"]) == (200, "admitted")
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"

    await open_door(hass)
    await close_door(hass)
    status, body = await relay(hass, link, as_json(link, "done"), headers=headers)
    assert (status, body["result"]) == (200, "done")
    await hass.async_block_till_done()
    status, body = await relay(hass, link, as_json(link, "status"), headers=headers)
    assert (body["phase"], body["lock"]) == ("done", "locked")
    assert hass.states.get(PHASE).state == "idle"


async def test_form_posts_through_the_relay(hass: HomeAssistant, delivery: dict[str, Any]) -> None:
    """A form post through the relay, with and without its Content-Type, gets the page and opens the door."""
    link = delivery["link"]
    status, page = await relay(hass, link, as_form(link, "status"))
    assert status == 200
    assert '<h1 id="title">Front door</h1>' in page
    status, page = await relay(
        hass, link, as_form(link, "unlock"), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200
    assert 'value="done"' in page
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"


async def test_old_query_link_through_the_relay(hass: HomeAssistant, delivery: dict[str, Any]) -> None:
    """A link of the first form (`?pass=`) through the relay: the token is taken from the query."""
    link = delivery["link"]
    query = f"pass={link_parts(link)[1]}"
    status, body = await relay(hass, link, b'{"action": "unlock"}', query=query)
    assert (status, body["result"]) == (200, "admitted")


@pytest.mark.parametrize(
    "body", [b"", b"{" + b" " * 5000 + b"}", b"action=unlock&" + b"x" * 100_000, b"\xff\xfe\x00", b"[1, 2]"]
)
async def test_huge_missing_or_broken_bodies_through_the_relay(
    hass: HomeAssistant, delivery: dict[str, Any], body: bytes
) -> None:
    """No body, a huge one, or one that is neither JSON nor a form: 400 and nothing happens."""
    status, _ = await relay(hass, delivery["link"], body)
    assert status == 400
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


async def test_a_flood_through_the_relay_never_keeps_a_courier_out(
    hass: HomeAssistant, delivery: dict[str, Any], freezer: FrozenDateTimeFactory
) -> None:
    """Relayed requests share one budget: bad tokens exhaust it, yet a valid link still gets in."""
    link = delivery["link"]
    statuses = [(await relay(hass, link, as_json(link, "unlock", token="guess")))[0] for _ in range(30)]
    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}
    status, body = await relay(hass, link, as_json(link, "unlock"))
    assert (status, body["result"]) == (200, "admitted")
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"


async def test_cloud_links_use_the_cloudhook(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """With an active Cloud subscription the link is the cloudhook, the token in its fragment, and it works."""
    hass.config.components.add("cloud")
    controller = init_integration.runtime_data.controller
    cloudhook = "https://hooks.nabu.casa/gAAAAABcloudhook"
    # Cloud's own module needs Assist's requirements; the two functions links.py calls stand in for it.
    cloud = SimpleNamespace(
        async_active_subscription=Mock(return_value=True),
        async_get_or_create_cloudhook=AsyncMock(return_value=cloudhook),
        CloudNotConnected=type("CloudNotConnected", (Exception,), {}),
    )
    create = cloud.async_get_or_create_cloudhook
    with patch.dict(sys.modules, {"homeassistant.components.cloud": cloud}):
        start = dt_util.now() - timedelta(minutes=5)
        result = await hass.services.async_call(
            DOMAIN,
            "schedule_delivery",
            {"config_entry_id": ENTRY_ID, "window_start": start, "window_end": start + timedelta(hours=1)},
            blocking=True,
            return_response=True,
        )
    create.assert_called_once_with(hass, controller.passes.webhook_id)
    assert result["link"] == f"{cloudhook}#pass={result['token']}"
    # Cloud maps the cloudhook to our webhook id; the request arrives as in the tests above.
    local_link = f"/api/webhook/{controller.passes.webhook_id}#pass={result['token']}"
    status, body = await relay(hass, local_link, as_json(local_link, "unlock"))
    assert (status, body["result"]) == (200, "admitted")


async def test_a_waiting_status_through_the_relay(hass: HomeAssistant, delivery: dict[str, Any]) -> None:
    """Through the relay the page waits on "locking" and is answered when the lock reports, not at its wait's end.

    Relayed requests carry no address: they share one address's few waiting places, and beyond them a
    status is answered at once (the page then polls).
    """
    link = delivery["link"]
    await relay(hass, link, as_json(link, "unlock"))
    await hass.async_block_till_done()
    await open_door(hass)
    await close_door(hass)
    await set_switch(hass, "input_boolean.sim_lock_responds", False)
    status, body = await relay(hass, link, as_json(link, "done"))
    assert (status, body["phase"], body["lock"]) == (200, "locking", "unlocked")

    waiting = json.dumps(
        {"pass": link_parts(link)[1], "action": "status", "wait": 10, "phase": "locking", "lock": "unlocked"}
    ).encode()
    held = [asyncio.create_task(relay(hass, link, waiting)) for _ in range(MAX_WAITING_PER_ADDRESS)]
    await asyncio.sleep(0.3)
    assert not any(task.done() for task in held)
    status, body = await asyncio.wait_for(relay(hass, link, waiting), 1)  # no place left: answered at once
    assert (status, body["phase"], body["live"]) == (200, "locking", False)

    await set_lock_state(hass, "locked")
    answers = await asyncio.wait_for(asyncio.gather(*held), 2)
    assert {(status, body["phase"], body["lock"], body["live"]) for status, body in answers} == {
        (200, "done", "locked", True)
    }
    assert answers[0][1]["view"]["message"] == "Locked — thank you!"

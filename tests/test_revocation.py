"""Revocation is final: whatever the owner does while an admission waits for the camera stands.

With "Require the camera" on, an admission waits for a fresh picture. Here the camera is held open
while the owner cancels, renews, changes or removes the pass; then the picture comes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import LOCK, PorchCamera
from .helpers import ENTRY_ID, PHASE, post_link

type Client = Any


async def act(hass: HomeAssistant, action: str, **data: Any) -> Any:
    """The owner calls one of the actions."""
    response = action in ("renew_link", "list_passes")
    return await hass.services.async_call(
        DOMAIN, action, {"config_entry_id": ENTRY_ID, **data}, blocking=True, return_response=response
    )


async def listed(hass: HomeAssistant, pass_id: str) -> dict[str, Any]:
    """The pass as list_passes shows it."""
    result = await act(hass, "list_passes")
    return next(item for item in result["passes"] if item["pass_id"] == pass_id)


@pytest.fixture
async def client(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> Client:
    """The courier's phone."""
    await hass.config.async_update(external_url="https://home.example.org")
    return await hass_client_no_auth()


async def delivery(hass: HomeAssistant) -> dict[str, Any]:
    """A delivery expected now."""
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


async def press_while(
    hass: HomeAssistant, client: Client, camera: PorchCamera, link: str, owner: Callable[[], Awaitable[Any]]
) -> tuple[int, dict[str, Any]]:
    """The courier taps Unlock; while the admission waits for the camera, the owner acts; then the picture comes."""
    camera.held = asyncio.Event()
    pressed = asyncio.ensure_future(post_link(client, link, "unlock"))
    await camera.asked.wait()
    await owner()
    camera.held.set()
    response = await pressed
    await hass.async_block_till_done()
    return response.status, await response.json()


async def test_cancel_during_the_wait_stands(hass: HomeAssistant, client: Client, porch_camera: PorchCamera) -> None:
    """The delivery cancelled meanwhile is not let in, stays cancelled, and its link stays dead."""
    item = await delivery(hass)
    status, body = await press_while(
        hass, client, porch_camera, item["link"], lambda: act(hass, "cancel_delivery", delivery_id=item["delivery_id"])
    )
    assert (status, body["reason"]) == (403, "revoked")
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert (await listed(hass, item["delivery_id"]))["status"] == "cancelled"
    porch_camera.held = None
    assert (await post_link(client, item["link"], "unlock")).status == 403


async def test_renewal_during_the_wait_stands(hass: HomeAssistant, client: Client, porch_camera: PorchCamera) -> None:
    """Renewed meanwhile: the old link is refused and stays dead; the new one opens the door."""
    item = await delivery(hass)
    renewed: dict[str, Any] = {}

    async def renew() -> None:
        renewed.update(await act(hass, "renew_link", pass_id=item["delivery_id"]))

    status, body = await press_while(hass, client, porch_camera, item["link"], renew)
    assert (status, body["reason"]) == (403, "revoked")
    assert hass.states.get(LOCK).state == "locked"
    porch_camera.held = None
    assert (await post_link(client, item["link"], "unlock")).status == 401
    assert (await listed(hass, item["delivery_id"]))["status"] == "scheduled"
    assert (await post_link(client, renewed["link"], "unlock")).status == 200
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"


async def test_update_during_the_wait_stands(hass: HomeAssistant, client: Client, porch_camera: PorchCamera) -> None:
    """Changed meanwhile (still valid now): the courier gets in, and the owner's change is kept."""
    item = await delivery(hass)
    new_end = (dt_util.now() + timedelta(hours=3)).replace(microsecond=0)
    status, _ = await press_while(
        hass,
        client,
        porch_camera,
        item["link"],
        lambda: act(hass, "update_delivery", delivery_id=item["delivery_id"], carrier="UPS", window_end=new_end),
    )
    assert status == 200
    shown = await listed(hass, item["delivery_id"])
    assert (shown["carrier"], shown["status"]) == ("UPS", "in_progress")
    assert dt_util.parse_datetime(shown["window_end"]) == new_end


async def test_update_out_of_the_window_during_the_wait(
    hass: HomeAssistant, client: Client, porch_camera: PorchCamera
) -> None:
    """Moved to tomorrow meanwhile: not let in now, and the new window is kept."""
    item = await delivery(hass)
    tomorrow = dt_util.now() + timedelta(days=1)
    status, body = await press_while(
        hass,
        client,
        porch_camera,
        item["link"],
        lambda: act(
            hass,
            "update_delivery",
            delivery_id=item["delivery_id"],
            window_start=tomorrow,
            window_end=tomorrow + timedelta(hours=1),
        ),
    )
    assert (status, body["reason"]) == (403, "too_early")
    assert hass.states.get(LOCK).state == "locked"
    assert (await listed(hass, item["delivery_id"]))["status"] == "scheduled"


async def test_guest_removed_during_the_wait(hass: HomeAssistant, client: Client, porch_camera: PorchCamera) -> None:
    """A guest removed meanwhile is not let in, not even once."""
    now = dt_util.now()
    guest = await hass.services.async_call(
        DOMAIN,
        "add_guest",
        {
            "config_entry_id": ENTRY_ID,
            "name": "Maria",
            "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "start_time": "00:00",
            "end_time": "23:59:59",
            "valid_from": now - timedelta(days=1),
        },
        blocking=True,
        return_response=True,
    )
    status, body = await press_while(
        hass, client, porch_camera, guest["link"], lambda: act(hass, "remove_guest", guest_id=guest["guest_id"])
    )
    assert (status, body["reason"]) == (403, "revoked")
    assert hass.states.get(LOCK).state == "locked"
    assert (await listed(hass, guest["guest_id"]))["status"] == "revoked"

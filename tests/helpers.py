"""Helpers for driving the simulated hardware and the clock."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
import json
from typing import Any
from unittest.mock import patch
from urllib.parse import parse_qsl

from aiohttp import ClientResponse
from freezegun.api import FrozenDateTimeFactory
from playwright.async_api import BrowserContext
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from yarl import URL

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.store import visit_key
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

ENTRY_ID = "01JFRONTDOOR000000000000000"
# The test harness keeps Home Assistant's Stores in memory; a test of a real disk writes with this.
REAL_STORE_WRITE = Store._async_write_data
PHASE = "sensor.front_door_visit_phase"
IN_PROGRESS = "binary_sensor.front_door_visit_in_progress"


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Let time pass and run what became due."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def set_switch(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    """Flip one of the simulation's input_booleans."""
    await hass.services.async_call(
        "input_boolean", "turn_on" if on else "turn_off", {"entity_id": entity_id}, blocking=True
    )
    await hass.async_block_till_done()


async def open_door(hass: HomeAssistant) -> None:
    """The visitor opens the door."""
    await set_switch(hass, "input_boolean.sim_door_open", True)


async def close_door(hass: HomeAssistant) -> None:
    """The visitor closes the door."""
    await set_switch(hass, "input_boolean.sim_door_open", False)


async def set_lock_state(hass: HomeAssistant, state: str) -> None:
    """Make the simulated lock report a state by itself."""
    await hass.services.async_call(
        "input_select", "select_option", {"entity_id": "input_select.sim_lock_state", "option": state}, blocking=True
    )
    await hass.async_block_till_done()


async def admit(hass: HomeAssistant, **data: str) -> None:
    """The owner lets someone in."""
    await hass.services.async_call(DOMAIN, "admit", {"config_entry_id": ENTRY_ID, **data}, blocking=True)
    await hass.async_block_till_done()


async def end_visit(hass: HomeAssistant) -> None:
    """The owner ends the visit."""
    await hass.services.async_call(DOMAIN, "end_visit", {"config_entry_id": ENTRY_ID}, blocking=True)
    await hass.async_block_till_done()


async def log_in(hass: HomeAssistant, user: Any, base: str, context: BrowserContext) -> None:
    """The user is logged in to the frontend at base in this browser, as after the login page."""
    refresh = await hass.auth.async_create_refresh_token(user, f"{base}/")
    tokens = {
        "access_token": hass.auth.async_create_access_token(refresh),
        "refresh_token": refresh.token,
        "token_type": "Bearer",
        "expires_in": 1800,
        "expires": 4102444800000,
        "hassUrl": base,
        "clientId": f"{base}/",
    }
    await context.add_init_script("localStorage.setItem('hassTokens', JSON.stringify(" + json.dumps(tokens) + "));")


def link_parts(link: str) -> tuple[str, str]:
    """What a browser requests for a link (its path) and what the page's script sends (the token)."""
    url = URL(link)
    return url.path, dict(parse_qsl(url.fragment)).get("pass", "")


async def post_link(
    client: Any,
    link: str,
    action: str,
    *,
    address: str | None = None,
    token: str | None = None,
    form: bool = False,
    language: str | None = None,
) -> ClientResponse:
    """What the page's script sends for a link (JSON), or a browser without script (a form)."""
    path, link_token = link_parts(link)
    fields = {"pass": link_token if token is None else token, "action": action}
    headers = {"X-Forwarded-For": address} if address else {}
    if language:
        headers["Accept-Language"] = language
    if form:
        return await client.post(path, data=fields, headers=headers)
    return await client.post(path, json=fields, headers=headers)


async def schedule_now(
    hass: HomeAssistant,
    *,
    carrier: str | None = "DHL",
    start_in: timedelta = timedelta(minutes=-5),
    hours: float = 2,
    **fields: str,
) -> dict[str, Any]:
    """schedule_delivery for a window open now (or starting after start_in); its response.

    Without a carrier where carrier is None; more fields (description, tracking_number) as given.
    """
    start = dt_util.now() + start_in
    result = await hass.services.async_call(
        DOMAIN,
        "schedule_delivery",
        {
            "config_entry_id": ENTRY_ID,
            "window_start": start.isoformat(),
            "window_end": (start + timedelta(hours=hours)).isoformat(),
            **({"carrier": carrier} if carrier is not None else {}),
            **fields,
        },
        blocking=True,
        return_response=True,
    )
    assert result is not None
    return result


async def try_unlock(hass: HomeAssistant, client: Any, link: str) -> tuple[int, str | None]:
    """The link's holder taps Unlock; return the status and reason, and end any visit it started."""
    response = await post_link(client, link, "unlock")
    body = await response.json()
    await hass.async_block_till_done()
    if response.status == 200:
        await end_visit(hass)
    return response.status, body["reason"]


async def shown_state(hass: HomeAssistant, entity_id: str) -> str:
    """The state of a guest's or carrier link's entity once it shows the latest change.

    Their devices are brought up to date within a second of a change of a pass (off the courier's
    path), so a test lets that second pass first.
    """
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2))
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


@contextmanager
def slow_visit_write() -> Iterator[tuple[asyncio.Event, asyncio.Event]]:
    """A slow disk: the next write of the visit store (the running visit, street door counts) waits until
    released; yields (entered, release)."""
    entered, release = asyncio.Event(), asyncio.Event()
    write = Store._async_write_data

    async def slow(store: Store[Any], data: dict[str, Any]) -> None:
        if store.key == visit_key(ENTRY_ID) and not release.is_set():
            entered.set()
            await release.wait()
        await write(store, data)

    with patch.object(Store, "_async_write_data", slow):
        yield entered, release

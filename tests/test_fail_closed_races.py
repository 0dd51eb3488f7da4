"""Fail closed while a write is in flight (found by an attacker's review of issue 21): requests that
arrive while the running visit or a pass is being written, and a disk that fills during a visit."""

from __future__ import annotations

import asyncio
from contextlib import closing
import sqlite3
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.store import passes_path
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util.file import WriteError

from .conftest import LOCK
from .helpers import ENTRY_ID, PHASE, close_door, open_door, post_link, schedule_now, slow_visit_write, tick
from .test_fail_closed import delivery_status


@pytest.mark.parametrize("ending", ["done", "end_visit"])
async def test_done_while_the_visit_is_written_never_leaves_the_door_unlocked(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    link_client: Any,
    freezer: FrozenDateTimeFactory,
    ending: str,
) -> None:
    """Unlock, then Done (or any user's End visit) while the running visit is being written: nothing
    ends a visit that has not begun, and the visit that then runs ends locked."""
    delivery = await schedule_now(hass)
    with slow_visit_write() as (entered, release):
        unlock = hass.async_create_task(post_link(link_client, delivery["link"], "unlock"))
        await asyncio.wait_for(entered.wait(), 5)
        if ending == "done":
            await post_link(link_client, delivery["link"], "done")
        else:
            with pytest.raises(HomeAssistantError):
                await hass.services.async_call(DOMAIN, "end_visit", {"config_entry_id": ENTRY_ID}, blocking=True)
        release.set()
        assert (await unlock).status == 200
        await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"
    assert hass.states.get(PHASE).state == "waiting_for_entry"  # the visit runs: it will lock
    await tick(hass, freezer, 130)  # nobody went in: the entry timeout locks
    await tick(hass, freezer, 5)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


async def test_cancel_while_the_visit_is_written_keeps_the_door_shut(
    hass: HomeAssistant, init_integration: MockConfigEntry, link_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    """The owner cancels the delivery while the courier's admission writes the visit: the door does not
    move, the delivery stays cancelled, and its link opens nothing afterwards."""
    delivery = await schedule_now(hass)
    with slow_visit_write() as (entered, release):
        unlock = hass.async_create_task(post_link(link_client, delivery["link"], "unlock"))
        await asyncio.wait_for(entered.wait(), 5)
        await hass.services.async_call(
            DOMAIN,
            "cancel_delivery",
            {"config_entry_id": ENTRY_ID, "delivery_id": delivery["delivery_id"]},
            blocking=True,
        )
        release.set()
        response = await unlock
        await hass.async_block_till_done()
    assert (response.status, (await response.json())["reason"]) == (403, "revoked")
    assert hass.states.get(LOCK).state == "locked"
    await tick(hass, freezer, 135)
    assert await delivery_status(hass, delivery["delivery_id"]) == "cancelled"
    assert (await post_link(link_client, delivery["link"], "unlock")).status == 403


async def test_carrier_link_never_opens_for_a_delivery_still_being_written(
    hass: HomeAssistant, init_integration: MockConfigEntry, link_client: Any
) -> None:
    """schedule_delivery for DHL while another process holds the pass database: the DHL standing link,
    tried during the write, opens nothing; the failed delivery is gone, not kept half-made."""
    carrier = await hass.services.async_call(
        DOMAIN, "add_carrier", {"config_entry_id": ENTRY_ID, "name": "DHL"}, blocking=True, return_response=True
    )
    assert carrier is not None
    with closing(sqlite3.connect(passes_path(hass, ENTRY_ID), isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        schedule = hass.async_create_task(schedule_now(hass))
        await asyncio.sleep(0.5)  # the write waits for the database (busy timeout 2 s)
        response = await post_link(link_client, str(carrier["link"]), "unlock")
        with pytest.raises(HomeAssistantError):
            await schedule
        other.execute("ROLLBACK")
    await hass.async_block_till_done()
    assert (response.status, (await response.json())["reason"]) == (503, "not_stored")  # try again in a minute
    assert hass.states.get(LOCK).state == "locked"
    passes = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": ENTRY_ID}, blocking=True, return_response=True
    )
    assert passes is not None
    assert [item["kind"] for item in passes["passes"]] == ["carrier"]  # type: ignore[union-attr]


@pytest.mark.parametrize("db_held", [True, False])
async def test_full_disk_through_a_visit_then_restart_keeps_the_used_link_used(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    link_client: Any,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    db_held: bool,
) -> None:
    """The disk fills after the admission (and the pass database may be held too) while the courier goes
    in and the visit ends; Home Assistant restarts. The owner is told the disk refused the visit's end,
    and the used one-time link stays used."""
    delivery = await schedule_now(hass)
    assert (await post_link(link_client, delivery["link"], "unlock")).status == 200
    await hass.async_block_till_done()
    await tick(hass, freezer, 2)

    async def full(store: Store[Any], data: dict[str, Any]) -> None:
        raise WriteError("[Errno 28] No space left on device")

    with closing(sqlite3.connect(passes_path(hass, ENTRY_ID), isolation_level=None)) as other:
        if db_held:
            other.execute("BEGIN IMMEDIATE")
        with patch.object(Store, "_async_write_data", full):
            await open_door(hass)
            await tick(hass, freezer, 2)
            await close_door(hass)
            await tick(hass, freezer, 11)
            await tick(hass, freezer, 2)
            assert hass.states.get(LOCK).state == "locked"
            response = await post_link(link_client, delivery["link"], "unlock")
            assert (response.status, (await response.json())["reason"]) == (403, "used")
            assert any("could not write to its disk" in call.data["message"] for call in phone_messages)
            assert await hass.config_entries.async_unload(ENTRY_ID)
            await hass.async_block_till_done()
        if db_held:
            other.execute("ROLLBACK")
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()
    await tick(hass, freezer, 10)
    assert hass.states.get(LOCK).state == "locked"
    response = await post_link(link_client, delivery["link"], "unlock")
    assert (response.status, (await response.json())["reason"]) == (403, "used")

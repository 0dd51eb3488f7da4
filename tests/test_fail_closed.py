"""Fail closed at every edge (issue 21): phone buttons bound to what they were issued for, and storage
that is corrupt, full, locked by another process or deleted, through a real Home Assistant and real
files. Each test is named after the fault it reproduces."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
import os
from pathlib import Path
import shutil
import sqlite3
import subprocess
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.core.tokens import hash_token
from custom_components.in_home_delivery.phone_actions import LET_IN, LOCK_NOW, NOT_NOW
from custom_components.in_home_delivery.repairs import unreadable_issue_id
from custom_components.in_home_delivery.store import passes_path
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import LOCK, PorchCamera
from .helpers import ENTRY_ID, PHASE, REAL_STORE_WRITE, admit, close_door, open_door, post_link, schedule_now, tick
from .test_alert_actions import answer, jammed_visit, lock_now_of
from .test_faults import later

MOUNT, UMOUNT = "/usr/bin/mount", "/usr/bin/umount"


async def test_lock_now_id_sent_as_let_in_never_opens(
    hass: HomeAssistant, init_integration: MockConfigEntry, phone_messages: list[ServiceCall]
) -> None:
    """A Lock now button's id sent back with the doorbell's Let in prefix, after the visit ended, opens
    nothing; sent as Not now during the visit it does not use the Lock now button up."""
    await jammed_visit(hass)
    nonce = lock_now_of(phone_messages).removeprefix(LOCK_NOW)
    await answer(hass, f"{NOT_NOW}{nonce}")
    await answer(hass, f"{LET_IN}{nonce}")
    assert hass.states.get(PHASE).state == "relock_failed"
    await answer(hass, f"{LOCK_NOW}{nonce}")  # still good for what it was issued for
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"

    await jammed_visit(hass)
    nonce = lock_now_of(phone_messages).removeprefix(LOCK_NOW)
    await answer(hass, f"{LOCK_NOW}{nonce}")
    assert hass.states.get(PHASE).state == "idle"
    await answer(hass, f"{LET_IN}{nonce}")  # the visit is over: the same id as Let in
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


def corrupt(path: Path) -> None:
    """Overwrite a database with bytes that are no database."""
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"this is not an SQLite database, it was cut off by a failing disk" * 64)


async def test_corrupt_pass_db_at_restart_still_locks_the_running_visit(
    hass: HomeAssistant, init_integration: MockConfigEntry, phone_messages: list[ServiceCall]
) -> None:
    """Home Assistant restarts during a visit while the pass database is corrupt: the visit (stored
    intact in its own file) is resumed and locked, the owner is told, a repair says what happened; once
    locked, the entrance stops with a translated setup error."""
    await admit(hass)
    assert hass.states.get(LOCK).state == "unlocked"
    assert await hass.config_entries.async_unload(ENTRY_ID)
    await hass.async_block_till_done()
    corrupt(passes_path(hass, ENTRY_ID))

    await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    assert any(
        "Home Assistant restarted before the door was locked again" in call.data["message"] for call in phone_messages
    )
    issue = ir.async_get(hass).async_get_issue(DOMAIN, unreadable_issue_id(ENTRY_ID))
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.CRITICAL
    assert issue.is_fixable
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.SETUP_ERROR
    assert str(init_integration.reason).startswith(
        f"The passes of Front door cannot be read ({passes_path(hass, ENTRY_ID)}); see Settings → Repairs"
    )


async def test_corrupt_pass_db_at_start_is_a_setup_error_with_a_repair(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client: Any
) -> None:
    """A corrupt pass database and no visit: the entry fails with its reason and a repair; the repair
    starts the entrance empty and keeps the broken file beside; nothing else of Home Assistant stops."""
    await schedule_now(hass)
    assert await hass.config_entries.async_unload(ENTRY_ID)
    await hass.async_block_till_done()
    path = passes_path(hass, ENTRY_ID)
    corrupt(path)
    broken = path.read_bytes()

    assert not await hass.config_entries.async_setup(ENTRY_ID)
    assert init_integration.state is ConfigEntryState.SETUP_ERROR
    assert "cannot be read" in str(init_integration.reason)
    assert hass.states.get(LOCK).state == "locked"  # the wrapped lock and the rest of HA carry on

    assert await async_setup_component(hass, "repairs", {})
    client = await hass_client()
    issue_id = unreadable_issue_id(ENTRY_ID)
    response = await client.post("/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id})
    flow = await response.json()
    assert flow["step_id"] == "confirm"
    assert flow["description_placeholders"]["entrance"] == "Front door"
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert (await response.json())["type"] == "create_entry"
    await hass.async_block_till_done()

    assert init_integration.state is ConfigEntryState.LOADED
    kept = [item for item in path.parent.iterdir() if item.name.startswith(f"{path.name}.broken-")]
    assert [item.read_bytes() for item in kept] == [broken]
    passes = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": ENTRY_ID}, blocking=True, return_response=True
    )
    assert passes == {"passes": []}
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


@contextmanager
def full_disk(folder: Path) -> Iterator[None]:
    """A real full disk: a 64 KiB tmpfs mounted on the folder, filled up (skipped where mounting is refused)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run([MOUNT, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], check=False)  # noqa: S603
    if mounted.returncode != 0:
        pytest.skip("mounting a tmpfs is refused here")
    try:
        try:
            with (folder / "filler").open("wb") as filler:
                while True:
                    filler.write(b"\0" * 4096)
                    filler.flush()
                    os.fsync(filler.fileno())
        except OSError:
            pass  # full
        yield
    finally:
        subprocess.run([UMOUNT, "-l", str(folder)], check=False)  # noqa: S603


async def test_running_visit_not_written_means_the_lock_never_moves(
    hass: HomeAssistant, init_integration: MockConfigEntry, phone_messages: list[ServiceCall], link_client: Any
) -> None:
    """The disk is full: the running visit cannot be written, so the lock is not touched; the owner's
    admit fails with a clear error and a courier's link gets a 503, and the owner is told."""
    delivery = await schedule_now(hass)
    with patch.object(Store, "_async_write_data", REAL_STORE_WRITE), full_disk(Path(hass.config.path(".storage"))):
        with pytest.raises(HomeAssistantError) as raised:
            await admit(hass)
        assert raised.value.translation_key == "denied_not_stored"
        response = await post_link(link_client, delivery["link"], "unlock")
        assert response.status == 503
        assert (await response.json())["reason"] == "not_stored"
        await hass.async_block_till_done()
        assert hass.states.get(LOCK).state == "locked"
        assert hass.states.get(PHASE).state == "idle"
    assert any("could not be written to disk" in call.data["message"] for call in phone_messages)
    response = await post_link(link_client, delivery["link"], "unlock")  # the disk has room again
    assert response.status == 200


@contextmanager
def held_by_another_process(path: Path) -> Iterator[None]:
    """A second connection (a backup tool, another reader) holding the database's write lock."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")


async def test_locked_db_through_a_visit_then_restart_keeps_the_used_link_closed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    link_client: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The pass database is locked by another process through a visit, then released, then Home
    Assistant restarts: the used one-time link opens nothing, during the lock or after."""
    delivery = await schedule_now(hass)
    with held_by_another_process(passes_path(hass, ENTRY_ID)):
        assert (await post_link(link_client, delivery["link"], "unlock")).status == 200
        await hass.async_block_till_done()
        await open_door(hass)
        await close_door(hass)
        await tick(hass, freezer, 15)
        assert hass.states.get(LOCK).state == "locked"
        assert hass.states.get(PHASE).state == "idle"
        response = await post_link(link_client, delivery["link"], "unlock")
        assert (response.status, (await response.json())["reason"]) == (403, "used")
    assert await hass.config_entries.async_reload(ENTRY_ID)  # released, and restarted before any retry
    await hass.async_block_till_done()
    response = await post_link(link_client, delivery["link"], "unlock")
    assert (response.status, (await response.json())["reason"]) == (403, "used")
    assert hass.states.get(LOCK).state == "locked"
    with closing(sqlite3.connect(passes_path(hass, ENTRY_ID))) as db:
        (status,) = db.execute(
            "SELECT json_extract(data, '$.status') FROM passes WHERE pass_id = ?", (delivery["delivery_id"],)
        ).fetchone()
    assert status == "completed"


async def test_locked_db_is_written_when_released_and_the_pass_stays_closed_meanwhile(
    hass: HomeAssistant, init_integration: MockConfigEntry, link_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    """A renewal the database refuses: the owner gets an error, neither link opens while the change is
    not on disk, and the change is written once the database is free again (memory never runs ahead)."""
    delivery = await schedule_now(hass)
    with held_by_another_process(passes_path(hass, ENTRY_ID)), pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "renew_link",
            {"config_entry_id": ENTRY_ID, "pass_id": delivery["delivery_id"]},
            blocking=True,
            return_response=True,
        )
    assert raised.value.translation_key == "change_not_stored"  # kept, closed, and written once the disk works
    response = await post_link(link_client, delivery["link"], "unlock")
    assert response.status in (401, 403)
    await tick(hass, freezer, 10)  # retried once the database is free
    assert hass.states.get(LOCK).state == "locked"
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    assert (await post_link(link_client, delivery["link"], "unlock")).status == 401


async def test_deleted_pass_db_is_written_again_from_memory(
    hass: HomeAssistant, init_integration: MockConfigEntry, link_client: Any
) -> None:
    """The pass database is deleted while running: the next write notices and writes every pass again,
    so a link answered afterwards, and every older one, still works after a restart."""
    before = await schedule_now(hass, carrier="UPS")
    path = passes_path(hass, ENTRY_ID)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    after = await schedule_now(hass)
    assert path.exists()
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    passes = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": ENTRY_ID}, blocking=True, return_response=True
    )
    assert passes is not None
    assert sorted(item["pass_id"] for item in passes["passes"]) == sorted([before["delivery_id"], after["delivery_id"]])
    assert (await post_link(link_client, after["link"], "unlock")).status == 200


async def test_camera_lost_fires_when_its_picture_cannot_be_written(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    porch_camera: PorchCamera,
    bus_events: list[Event],
) -> None:
    """A camera that freezes while the media folder cannot be written: camera_lost still fires, the
    owner gets the critical alert, and the visit ends locked once the door is closed."""
    porch_camera.live = True
    await admit(hass)
    await open_door(hass)
    for _ in range(3):
        await tick(hass, freezer, 5)
    media = Path(hass.config.media_dirs["local"])
    shutil.rmtree(media)
    media.write_bytes(b"")  # a file where the folder was: nothing can be written below it
    porch_camera.live = False
    for _ in range(4):
        await later(freezer, hass, 5)
    assert [event.data["type"] for event in bus_events].count("camera_lost") == 1
    alert = next(call for call in phone_messages if "camera stopped" in call.data["message"])
    assert alert.data["data"]["push"]["interruption-level"] == "critical"
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


async def test_clock_step_ahead_and_back_expects_the_missed_delivery_again(
    hass: HomeAssistant, init_integration: MockConfigEntry, link_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    """The clock steps 9 h ahead (the delivery is marked missed) and comes back inside the window:
    the delivery is expected again and its link opens the door."""
    delivery = await schedule_now(hass)
    start = dt_util.utcnow()
    await tick(hass, freezer, 9 * 3600)
    assert await delivery_status(hass, delivery["delivery_id"]) == "missed"
    freezer.move_to(start + timedelta(minutes=2))
    async_fire_time_changed(hass, start + timedelta(minutes=2), fire_all=True)
    await hass.async_block_till_done()
    assert await delivery_status(hass, delivery["delivery_id"]) == "scheduled"
    assert (await post_link(link_client, delivery["link"], "unlock")).status == 200


async def delivery_status(hass: HomeAssistant, delivery_id: str) -> str:
    """A delivery's status as list_passes answers it."""
    passes = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": ENTRY_ID}, blocking=True, return_response=True
    )
    assert passes is not None
    return next(str(item["status"]) for item in passes["passes"] if item["pass_id"] == delivery_id)  # type: ignore[index, union-attr]


async def test_first_release_store_never_overwrites_a_newer_pass(
    hass: HomeAssistant,
    hardware: None,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    hass_client_no_auth: Any,
) -> None:
    """The first release's store moved over, but rewriting it without its passes failed: every later
    start imports them again, and never over a pass changed since (a renewed link keeps working, the
    renewed-away one stays shut)."""
    now = dt_util.utcnow()
    old_token = "firstReleaseToken-0123456789abcdefghijk"
    old_passes = [
        {
            "kind": "delivery",
            "pass_id": "01DELIVERY",
            "token_hash": hash_token(old_token),
            "window_start": (now - timedelta(minutes=5)).isoformat(),
            "window_end": (now + timedelta(hours=1)).isoformat(),
            "carrier": "DHL",
            "status": "scheduled",
        }
    ]
    webhook_id = "0123456789abcdef0123456789abcdef"
    first_release = {"webhook_id": webhook_id, "visit": None, "history": [], "passes": old_passes}
    key = f"{DOMAIN}.{ENTRY_ID}"
    hass_storage[key] = {"version": 1, "minor_version": 1, "key": key, "data": first_release}
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()
    renewed = await hass.services.async_call(
        DOMAIN,
        "renew_link",
        {"config_entry_id": ENTRY_ID, "pass_id": "01DELIVERY"},
        blocking=True,
        return_response=True,
    )
    assert renewed is not None
    assert await hass.config_entries.async_unload(ENTRY_ID)
    await hass.async_block_till_done()
    hass_storage[key] = {"version": 1, "minor_version": 1, "key": key, "data": first_release}  # the rewrite failed
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()

    link_client = await hass_client_no_auth()
    old_link = f"https://home.example.org/api/webhook/{webhook_id}#pass={old_token}"
    assert (await post_link(link_client, old_link, "unlock")).status == 401
    assert (await post_link(link_client, str(renewed["link"]), "unlock")).status == 200


async def test_restart_mid_visit_still_uses_up_the_link(
    hass: HomeAssistant, init_integration: MockConfigEntry, link_client: Any
) -> None:
    """Home Assistant restarts while a courier is inside: the visit is locked first, before the passes
    are read, and the one-time link is still used up once they are."""
    delivery = await schedule_now(hass)
    assert (await post_link(link_client, delivery["link"], "unlock")).status == 200
    await hass.async_block_till_done()
    await open_door(hass)
    await close_door(hass)
    assert await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    assert await delivery_status(hass, delivery["delivery_id"]) == "completed"
    response = await post_link(link_client, delivery["link"], "unlock")
    assert (response.status, (await response.json())["reason"]) == (403, "used")

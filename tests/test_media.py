"""Pictures and recordings of visits: on disk, on the image entity, in notifications and the Media panel."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import os
from pathlib import Path
import shutil
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.components import media_source
from homeassistant.components.camera.const import CameraEntityFeature
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import PICTURE, PorchCamera
from .helpers import ENTRY_ID, admit, close_door, open_door, tick

SNAPSHOT = "image.front_door_last_visit_snapshot"


@pytest.fixture(autouse=True)
async def media_folder(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Home Assistant's local media folder, in a temporary place."""
    hass.config.media_dirs = {"local": str(tmp_path)}
    assert await async_setup_component(hass, "media_source", {})
    return tmp_path


def visit_folder(media_folder: Path, visit_id: str) -> Path:
    """Where a visit's files go."""
    return media_folder / DOMAIN / ENTRY_ID / visit_id


async def full_visit(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> str:
    """Admit, enter, leave, relock; return the visit id."""
    await admit(hass)
    visit_id = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.controller.visit.visit_id
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 11)
    return visit_id


@pytest.mark.usefixtures("init_integration")
async def test_pictures_in_order_on_disk(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, media_folder: Path, porch_camera: PorchCamera
) -> None:
    """Admission, door opened, door closed and the end each leave a picture, in order."""
    visit_id = await full_visit(hass, freezer)
    folder = visit_folder(media_folder, visit_id)
    assert sorted(path.name for path in folder.iterdir()) == [
        "01_admitted.jpg",
        "02_door_opened.jpg",
        "03_door_closed.jpg",
        "04_end.jpg",
    ]
    assert (folder / "04_end.jpg").read_bytes() == PICTURE
    attributes = hass.states.get("sensor.front_door_last_visit").attributes
    assert attributes["pictures"] == [
        f"media-source://media_source/local/{DOMAIN}/{ENTRY_ID}/{visit_id}/{name}"
        for name in ("01_admitted.jpg", "02_door_opened.jpg", "03_door_closed.jpg", "04_end.jpg")
    ]
    assert attributes["recording"] is None  # this camera has no stream


@pytest.mark.usefixtures("init_integration")
async def test_image_entity_follows_the_last_visit(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hass_client: ClientSessionGenerator, porch_camera: PorchCamera
) -> None:
    """The snapshot image shows the newest picture, and changes with the next visit."""
    assert hass.states.get(SNAPSHOT).state == "unavailable"  # before the first visit: no broken picture
    await full_visit(hass, freezer)
    first_state = hass.states.get(SNAPSHOT).state
    assert first_state not in ("unknown", "unavailable")
    client = await hass_client()
    response = await client.get(f"/api/image_proxy/{SNAPSHOT}")
    assert response.status == 200
    assert await response.read() == PICTURE

    porch_camera.picture = b"\xff\xd8 a second visitor \xff\xd9"
    await full_visit(hass, freezer)
    assert hass.states.get(SNAPSHOT).state != first_state
    response = await client.get(f"/api/image_proxy/{SNAPSHOT}")
    assert await response.read() == porch_camera.picture


@pytest.mark.usefixtures("init_integration")
async def test_notifications_carry_the_picture(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    phone_messages: list[ServiceCall],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Each notification of a visit links its newest picture with a signed path that loads without login."""
    visit_id = await full_visit(hass, freezer)
    admitted, entered, completed = (call.data["data"]["image"] for call in phone_messages[:3])
    assert admitted.startswith(f"/media/local/{DOMAIN}/{ENTRY_ID}/{visit_id}/01_admitted.jpg?authSig=")
    assert entered.startswith(f"/media/local/{DOMAIN}/{ENTRY_ID}/{visit_id}/02_door_opened.jpg?authSig=")
    assert completed.startswith(f"/media/local/{DOMAIN}/{ENTRY_ID}/{visit_id}/04_end.jpg?authSig=")
    client = await hass_client_no_auth()
    response = await client.get(completed)
    assert response.status == 200
    assert await response.read() == PICTURE
    assert (await client.get(completed.split("?")[0])).status == 401


@pytest.mark.usefixtures("init_integration")
async def test_media_panel_tree(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """In-Home Delivery → Front door → the visit (date, who, outcome, a thumbnail) → its pictures, each playable."""
    visit_id = await full_visit(hass, freezer)
    root = await media_source.async_browse_media(hass, f"{media_source.URI_SCHEME}{DOMAIN}")
    assert root.title == "In-Home Delivery"
    assert [child.title for child in root.children] == ["Front door"]
    entrance = await media_source.async_browse_media(hass, root.children[0].media_content_id)
    (visit,) = entrance.children
    assert visit.title.endswith("· Owner · locked")
    # The visit shows its first picture; the media browser loads it by its signed path.
    assert visit.thumbnail.startswith(f"/media/local/{DOMAIN}/{ENTRY_ID}/{visit_id}/01_admitted.jpg?authSig=")
    thumbnail = await (await hass_client_no_auth()).get(visit.thumbnail)
    assert (thumbnail.status, await thumbnail.read()) == (200, PICTURE)
    files = await media_source.async_browse_media(hass, visit.media_content_id)
    assert [child.title for child in files.children] == ["admitted", "door opened", "door closed", "end"]
    played = await media_source.async_resolve_media(hass, files.children[0].media_content_id, None)
    assert played.url == f"/media/local/{DOMAIN}/{ENTRY_ID}/{visit_id}/01_admitted.jpg"
    assert played.mime_type == "image/jpeg"
    with pytest.raises(media_source.Unresolvable):
        await media_source.async_resolve_media(
            hass, f"{media_source.URI_SCHEME}{DOMAIN}/{ENTRY_ID}/{visit_id}/../x", None
        )


@pytest.mark.usefixtures("init_integration")
async def test_media_identifier_outside_visit_is_refused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    media_folder: Path,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Only this entrance's visits and each visit's own files are found; `..`, `.` and strays are not.

    Files placed beside the visits (in the entrance's folder, or one up among every entrance's folders)
    are neither listed nor resolved, through the media_source functions or the Media panel's websocket.
    """
    visit_id = await full_visit(hass, freezer)
    (media_folder / DOMAIN / "secret.jpg").write_bytes(b"not a visit")
    (media_folder / DOMAIN / ENTRY_ID / "stray.jpg").write_bytes(b"not a visit either")
    other_visit = media_folder / DOMAIN / "01JOTHERENTRANCE00000000000" / visit_id
    other_visit.mkdir(parents=True)
    (other_visit / "01_admitted.jpg").write_bytes(b"another entrance")
    scheme = f"{media_source.URI_SCHEME}{DOMAIN}"
    client = await hass_ws_client(hass)

    for folder in (
        f"{ENTRY_ID}/..",
        f"{ENTRY_ID}/.",
        f"{ENTRY_ID}/../01JOTHERENTRANCE00000000000",
        f"{ENTRY_ID}/{visit_id}/..",
        f"{ENTRY_ID}/{visit_id}/01_admitted.jpg",
        f"{ENTRY_ID}/01NOSUCHVISIT",
    ):
        with pytest.raises(BrowseError):
            await media_source.async_browse_media(hass, f"{scheme}/{folder}")
        await client.send_json_auto_id({"type": "media_source/browse_media", "media_content_id": f"{scheme}/{folder}"})
        answer = await client.receive_json()
        assert (answer["success"], answer["error"]["code"]) == (False, "browse_media_failed"), folder

    for item in (
        f"{ENTRY_ID}/../secret.jpg",
        f"{ENTRY_ID}/./stray.jpg",
        f"{ENTRY_ID}/../01JOTHERENTRANCE00000000000/{visit_id}/01_admitted.jpg",
        f"{ENTRY_ID}/{visit_id}/../stray.jpg",
        f"{ENTRY_ID}/{visit_id}/.",
        f"{ENTRY_ID}/{visit_id}/",
        f"{ENTRY_ID}/01NOSUCHVISIT/01_admitted.jpg",
    ):
        with pytest.raises(media_source.Unresolvable):
            await media_source.async_resolve_media(hass, f"{scheme}/{item}", None)
        await client.send_json_auto_id({"type": "media_source/resolve_media", "media_content_id": f"{scheme}/{item}"})
        answer = await client.receive_json()
        assert (answer["success"], answer["error"]["code"]) == (False, "resolve_media_failed"), item

    # What is there is still found.
    files = await media_source.async_browse_media(hass, f"{scheme}/{ENTRY_ID}/{visit_id}")
    assert [child.title for child in files.children] == ["admitted", "door opened", "door closed", "end"]
    played = await media_source.async_resolve_media(hass, f"{scheme}/{ENTRY_ID}/{visit_id}/04_end.jpg", None)
    assert played.url == f"/media/local/{DOMAIN}/{ENTRY_ID}/{visit_id}/04_end.jpg"


@pytest.mark.usefixtures("init_integration")
async def test_camera_without_picture_refuses_the_visit(
    hass: HomeAssistant, porch_camera: PorchCamera, phone_messages: list[ServiceCall]
) -> None:
    """The camera is there but gives no picture: with the camera rule on, nothing unlocks."""
    porch_camera.picture = b""
    with pytest.raises(ServiceValidationError) as err:
        await admit(hass)
    assert err.value.translation_key == "denied_camera_unavailable"
    assert hass.states.get("lock.smart_lock").state == "locked"
    await hass.async_block_till_done()
    assert any("the camera gives no picture" in call.data["message"] for call in phone_messages)


@pytest.mark.usefixtures("init_integration")
async def test_stream_camera_records_the_visit(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, porch_camera: PorchCamera, media_folder: Path
) -> None:
    """Where the camera streams, the stream recorder is asked to record the visit, with a lead-in."""
    porch_camera._attr_supported_features = CameraEntityFeature.STREAM
    porch_camera.async_write_ha_state()
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    visit_id = await full_visit(hass, freezer)
    (record,) = [call.data for call in calls if call.data["service"] == "record"]
    assert record["domain"] == "camera"
    assert record["service_data"]["entity_id"] == "camera.porch_camera"
    assert record["service_data"]["filename"] == str(visit_folder(media_folder, visit_id) / "recording.mp4")
    assert record["service_data"]["lookback"] == 5
    assert hass.states.get("lock.smart_lock").state == "locked"  # a recorder that fails changes nothing


async def test_no_camera_no_pictures(
    hass: HomeAssistant,
    hardware: None,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    media_folder: Path,
) -> None:
    """An entrance without a camera has visits without pictures and without errors."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, data={**mock_config_entry.data, "camera": None})
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await full_visit(hass, freezer)
    assert not (media_folder / DOMAIN).exists()
    assert hass.states.get(SNAPSHOT) is None
    assert hass.states.get("sensor.front_door_last_visit").attributes["pictures"] == []


async def test_retention_removes_exactly_what_is_old(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory, media_folder: Path
) -> None:
    """Daily, visit folders older than keep_snapshots_days go; newer ones stay; the history keeps its records."""
    recent = await full_visit(hass, freezer)
    old = "01OLDVISIT"
    old_folder = visit_folder(media_folder, old)
    old_folder.mkdir(parents=True)
    (old_folder / "01_admitted.jpg").write_bytes(PICTURE)
    day = 24 * 3600
    os.utime(old_folder / "01_admitted.jpg", (time.time() - 31 * day, time.time() - 31 * day))
    being_written = visit_folder(media_folder, "01NEWVISIT")  # made for a picture that is being written
    being_written.mkdir()
    controller = init_integration.runtime_data.controller
    controller.history.insert(
        0,
        {"visit_id": old, "pass_label": "Owner", "started": "2026-10-01T10:00:00+00:00", "files": ["01_admitted.jpg"]},
    )

    await tick(hass, freezer, day + 1)
    await hass.async_block_till_done(wait_background_tasks=True)  # the daily run is a background job
    assert not old_folder.exists()
    assert visit_folder(media_folder, recent).exists()
    assert being_written.exists()
    assert controller.history[0]["visit_id"] == old
    assert controller.history[0]["files"] == []
    assert len(controller.history[-1]["files"]) == 4


@pytest.mark.usefixtures("init_integration")
async def test_running_visit_in_the_media_panel(hass: HomeAssistant) -> None:
    """A visit still running (say, its relock failed) is listed with its pictures so far."""
    await admit(hass)
    root = await media_source.async_browse_media(hass, f"{media_source.URI_SCHEME}{DOMAIN}/{ENTRY_ID}")
    (visit,) = root.children
    assert "Owner" in visit.title
    files = await media_source.async_browse_media(hass, visit.media_content_id)
    assert [child.title for child in files.children] == ["admitted"]


@pytest.mark.usefixtures("init_integration")
async def test_no_file_work_on_the_event_loop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    media_folder: Path,
    hass_client: ClientSessionGenerator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Writing, listing, reading and deleting visit files all happen in the executor, never in the loop."""
    in_loop: list[str] = []

    def watch(owner: Any, name: str) -> None:
        original = getattr(owner, name)

        def checked(*args: Any, **kwargs: Any) -> Any:
            target = str(args[0]) if args else ""
            if target.startswith(str(media_folder)):
                try:
                    asyncio.get_running_loop()
                except RuntimeError:
                    pass
                else:
                    in_loop.append(f"{name} {target}")
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, checked)

    for name in ("write_bytes", "read_bytes", "iterdir", "mkdir", "is_dir", "is_file", "stat"):
        watch(Path, name)
    watch(shutil, "rmtree")

    await full_visit(hass, freezer)
    client = await hass_client()
    assert (await client.get(f"/api/image_proxy/{SNAPSHOT}")).status == 200
    root = await media_source.async_browse_media(hass, f"{media_source.URI_SCHEME}{DOMAIN}/{ENTRY_ID}")
    await media_source.async_browse_media(hass, root.children[0].media_content_id)
    await tick(hass, freezer, 31 * 24 * 3600)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert in_loop == []
    monkeypatch.undo()
    assert list((media_folder / DOMAIN / ENTRY_ID).iterdir()) == []  # the retention ran, in the executor


@pytest.mark.usefixtures("init_integration")
async def test_visit_titles_read_as_people_say_them(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """A visit in the Media panel says when in the home's time, as a person would ("today 14:03"), who, and
    how it ended, in Home Assistant's language; tomorrow it was "yesterday"."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    await full_visit(hass, freezer)
    record = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.controller.history[-1]
    started = dt_util.as_local(dt_util.parse_datetime(record["started"]))

    async def title() -> str:
        entrance = await media_source.async_browse_media(hass, f"{media_source.URI_SCHEME}{DOMAIN}/{ENTRY_ID}")
        return str(entrance.children[0].title)

    assert await title() == f"today {started:%H:%M} · Owner · locked"
    await hass.config.async_update(language="de")
    assert await title() == f"heute {started:%H:%M} · Eigentümer · abgeschlossen"
    freezer.move_to(started + timedelta(days=1))
    assert await title() == f"gestern {started:%H:%M} · Eigentümer · abgeschlossen"

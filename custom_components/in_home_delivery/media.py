"""Pictures and recordings of visits, under Home Assistant's media folder.

`<media>/in_home_delivery/<entry id>/<visit id>/` holds a visit's pictures (`01_admitted.jpg`, ...)
and, where the camera streams, `recording.mp4`. Every file operation runs in the executor.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from pathlib import Path
import shutil

from homeassistant.components.camera import async_get_image
from homeassistant.components.camera.const import CameraEntityFeature
from homeassistant.const import ATTR_ENTITY_ID, ATTR_SUPPORTED_FEATURES
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

PICTURE_TIMEOUT = 10
RECORDING = "recording.mp4"
RECORDING_LEAD_IN = 5
MAX_RECORDING = timedelta(minutes=10)


def media_root(hass: HomeAssistant) -> tuple[str, Path]:
    """The media folder the pictures go to: Home Assistant's `local` one where it exists."""
    dirs = hass.config.media_dirs or {"local": hass.config.path("media")}
    source = "local" if "local" in dirs else next(iter(dirs))
    return source, Path(dirs[source])


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _list(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(item.name for item in folder.iterdir() if item.is_file())


def _remove_older_than(folder: Path, cutoff: float) -> list[str]:
    """Delete visit folders last written before cutoff; return their names.

    A folder without files counts from its own time: it may have been made a moment ago for a picture
    that is being written.
    """
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    for visit in folder.iterdir():
        if (
            visit.is_dir()
            and max((item.stat().st_mtime for item in visit.iterdir()), default=visit.stat().st_mtime) < cutoff
        ):
            shutil.rmtree(visit)
            removed.append(visit.name)
    return removed


class VisitMedia:
    """Takes and keeps the pictures and recordings of one entrance's visits."""

    def __init__(self, hass: HomeAssistant, entry_id: str, camera: str | None) -> None:
        """Pictures of camera, kept per entrance."""
        self.hass = hass
        self.camera = camera
        self.source, root = media_root(hass)
        self.relative_root = f"{DOMAIN}/{entry_id}"
        self.folder = root / DOMAIN / entry_id

    def url(self, visit_id: str, name: str) -> str:
        """Where Home Assistant serves a file (authenticated, like every media file)."""
        return f"/media/{self.source}/{self.relative_root}/{visit_id}/{name}"

    def media_id(self, visit_id: str, name: str) -> str:
        """The file as a media source id."""
        return f"media-source://media_source/{self.source}/{self.relative_root}/{visit_id}/{name}"

    async def async_picture(self) -> bytes | None:
        """A fresh picture from the camera, or None when it gives none."""
        if not self.camera:
            return None
        try:
            image = await async_get_image(self.hass, self.camera, timeout=PICTURE_TIMEOUT)
        except HomeAssistantError:
            return None
        return image.content or None

    async def async_snapshot(self, visit_id: str, moment: str, picture: bytes | None = None) -> str | None:
        """Save a picture of the visit; return its file name, or None where the camera gave none."""
        picture = picture or await self.async_picture()
        if picture is None:
            _LOGGER.debug("No picture for the %s moment of a visit", moment)
            return None
        try:
            existing = await self.hass.async_add_executor_job(_list, self.folder / visit_id)
            name = f"{len([item for item in existing if item.endswith('.jpg')]) + 1:02d}_{moment}.jpg"
            await self.hass.async_add_executor_job(_write, self.folder / visit_id / name, picture)
        except OSError as err:  # a picture not kept never holds up the visit, nor what it tells
            _LOGGER.error("The %s picture of a visit could not be written: %s", moment, err)
            return None
        return name

    async def async_record(self, visit_id: str, duration: timedelta) -> str | None:
        """Record the visit where the camera streams; return the file name, or None without a stream."""
        state = self.hass.states.get(self.camera) if self.camera else None
        if state is None or not state.attributes.get(ATTR_SUPPORTED_FEATURES, 0) & CameraEntityFeature.STREAM:
            return None
        path = self.folder / visit_id / RECORDING
        await self.hass.async_add_executor_job(lambda: path.parent.mkdir(parents=True, exist_ok=True))
        try:
            await self.hass.services.async_call(
                "camera",
                "record",
                {
                    ATTR_ENTITY_ID: self.camera,
                    "filename": str(path),
                    "duration": min(duration, MAX_RECORDING).total_seconds(),
                    "lookback": RECORDING_LEAD_IN,
                },
                blocking=True,
            )
        except HomeAssistantError as err:
            _LOGGER.warning("Recording the visit failed: %s", err)
            return None
        return RECORDING

    async def async_files(self, visit_id: str) -> list[str]:
        """The files kept for a visit."""
        return await self.hass.async_add_executor_job(_list, self.folder / visit_id)

    async def async_visits(self) -> list[str]:
        """The visits that have files."""

        def folders() -> list[str]:
            return sorted(item.name for item in self.folder.iterdir() if item.is_dir()) if self.folder.is_dir() else []

        return await self.hass.async_add_executor_job(folders)

    async def async_remove_older_than(self, cutoff: datetime) -> list[str]:
        """Delete the files of visits older than cutoff; return those visits."""
        return await self.hass.async_add_executor_job(_remove_older_than, self.folder, cutoff.timestamp())

    async def async_read(self, visit_id: str, name: str) -> bytes | None:
        """A file's content, or None when it is gone."""

        def read() -> bytes | None:
            path = self.folder / visit_id / name
            return path.read_bytes() if path.is_file() else None

        return await self.hass.async_add_executor_job(read)


class VisitPictures(VisitMedia):
    """VisitMedia that also remembers which pictures each recent visit has and which is the newest."""

    def __init__(self, hass: HomeAssistant, entry_id: str, camera: str | None) -> None:
        """Start with nothing taken."""
        super().__init__(hass, entry_id, camera)
        self.files: dict[str, list[str]] = {}
        self.last: tuple[str, str, datetime] | None = None

    def restore(self, data: dict[str, str] | None) -> None:
        """Remember the newest picture across restarts."""
        if data:
            self.last = (data["visit_id"], data["name"], datetime.fromisoformat(data["taken"]))

    def last_as_dict(self) -> dict[str, str] | None:
        """The newest picture, for the store."""
        if self.last is None:
            return None
        visit_id, name, taken = self.last
        return {"visit_id": visit_id, "name": name, "taken": taken.isoformat()}

    def remember(self, visit_id: str, name: str, taken: datetime) -> list[str]:
        """Note a new file of a visit; return the visit's files so far."""
        files = self.files.setdefault(visit_id, [])
        files.append(name)
        if name.endswith(".jpg"):
            self.last = (visit_id, name, taken)
        return list(files)

    def forget(self, visit_ids: set[str]) -> None:
        """The files of these visits are gone."""
        for visit_id in visit_ids:
            self.files.pop(visit_id, None)
        if self.last is not None and self.last[0] in visit_ids:
            self.last = None

    def latest_url(self, visit_id: str) -> str | None:
        """The newest picture of a visit, for a notification."""
        pictures = [name for name in self.files.get(visit_id, []) if name.endswith(".jpg")]
        return self.url(visit_id, pictures[-1]) if pictures else None

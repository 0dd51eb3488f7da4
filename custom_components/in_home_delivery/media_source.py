"""In-Home Delivery in Home Assistant's Media panel: entrances, then visits, then their pictures."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
import mimetypes
from typing import Any, override

from homeassistant.components.http.auth import async_sign_path
from homeassistant.components.media_player.const import MediaClass
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .controller import EntranceController
from .core.visit import OWNER
from .core.when import moment
from .core.wording import variant
from .store import history_record
from .texts import async_get_texts

TITLE = "In-Home Delivery"
THUMBNAIL_VALID = timedelta(hours=1)


async def async_get_media_source(hass: HomeAssistant) -> InHomeDeliveryMediaSource:
    """Set up the media source."""
    return InHomeDeliveryMediaSource(hass)


def visit_title(record: dict[str, Any], texts: Mapping[str, str], *, garage: bool = False) -> str:
    """A visit as the Media panel lists it: when (as people read it, in the home's time zone), who, how it ended."""
    started = dt_util.parse_datetime(record["started"])
    when = moment(started, dt_util.utcnow(), dt_util.get_default_time_zone(), texts) if started else record["started"]
    outcome = ""
    if record.get("outcome"):
        key = variant(texts, f"logbook_outcome_{record['outcome']}", ("_garage",) if garage else ())
        outcome = texts.get(key, record["outcome"])
    # A visit without a pass is named in today's language, not in the one it was recorded in.
    who = texts.get("label_owner", record["pass_label"]) if record.get("pass_kind") == OWNER else record["pass_label"]
    return f"{when} · {who} · {outcome}".strip(" ·")


class InHomeDeliveryMediaSource(MediaSource):
    """Browses the pictures and recordings of visits."""

    name = TITLE

    def __init__(self, hass: HomeAssistant) -> None:
        """Serve every loaded entrance."""
        super().__init__(DOMAIN)
        self.hass = hass

    def _controllers(self) -> dict[str, EntranceController]:
        return {
            entry.entry_id: entry.runtime_data.controller
            for entry in self.hass.config_entries.async_loaded_entries(DOMAIN)
        }

    def _controller(self, entry_id: str) -> EntranceController:
        if (controller := self._controllers().get(entry_id)) is None:
            raise BrowseError(f"Unknown entrance {entry_id}")
        return controller

    @override
    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """A picture or recording as an authenticated URL.

        Only `<entrance>/<visit>/<file>` of a loaded entrance, one of its visits and one of that visit's
        files: nothing else (`..`, `.`, a stray file) resolves, so no identifier reaches outside the visits.
        """
        parts = item.identifier.split("/")
        if (
            len(parts) != 3
            or (controller := self._controllers().get(parts[0])) is None
            or not await self._async_is_visit(controller, parts[1])
            or parts[2] not in await controller.media.async_files(parts[1])
        ):
            raise Unresolvable(f"Unknown item {item.identifier}")
        _, visit_id, name = parts
        mime_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return PlayMedia(controller.media.url(visit_id, name), mime_type)

    @override
    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """Entrances, an entrance's visits, or a visit's files; any other folder is a browse error."""
        parts = [part for part in (item.identifier or "").split("/") if part]
        if not parts:
            return self._folder(
                None,
                TITLE,
                [self._folder(entry_id, controller.name, []) for entry_id, controller in self._controllers().items()],
            )
        if len(parts) > 2:
            raise BrowseError(f"Unknown folder {item.identifier}")
        controller = self._controller(parts[0])
        if len(parts) == 1:
            # Every visit with files, newest first (visit ids sort by time), the running one included.
            visits = [
                self._folder(
                    f"{parts[0]}/{visit_id}",
                    await self._async_visit_title(controller, visit_id),
                    [],
                    thumbnail=self._thumbnail(controller, visit_id, controller.media.files.get(visit_id, [])),
                )
                for visit_id in sorted(await controller.media.async_visits(), reverse=True)
            ]
            return self._folder(parts[0], controller.name, visits)
        visit_id = parts[1]
        if not await self._async_is_visit(controller, visit_id):
            raise BrowseError(f"Unknown folder {item.identifier}")
        title = await self._async_visit_title(controller, visit_id)
        files = [
            BrowseMediaSource(
                domain=DOMAIN,
                identifier=f"{parts[0]}/{visit_id}/{name}",
                media_class=MediaClass.IMAGE if name.endswith(".jpg") else MediaClass.VIDEO,
                media_content_type=mimetypes.guess_type(name)[0] or "",
                title=name.rsplit(".", 1)[0].split("_", 1)[-1].replace("_", " "),
                can_play=True,
                can_expand=False,
                thumbnail=self._thumbnail(controller, visit_id, [name]),
            )
            for name in await controller.media.async_files(visit_id)
        ]
        return self._folder(f"{parts[0]}/{visit_id}", title, files)

    @staticmethod
    async def _async_is_visit(controller: EntranceController, visit_id: str) -> bool:
        """Whether visit_id names one of the entrance's visits: a folder the entrance lists, never `.` or `..`."""
        return visit_id in await controller.media.async_visits()

    def _thumbnail(self, controller: EntranceController, visit_id: str, names: list[str]) -> str | None:
        """The first picture among names, signed for a while: the media browser shows it without a login."""
        picture = next((name for name in names if name.endswith(".jpg")), None)
        if picture is None:
            return None
        return async_sign_path(self.hass, controller.media.url(visit_id, picture), THUMBNAIL_VALID)

    async def _async_visit_title(self, controller: EntranceController, visit_id: str) -> str:
        record = next((record for record in reversed(controller.history) if record["visit_id"] == visit_id), None)
        if record is None and controller.visit is not None and controller.visit.visit_id == visit_id:
            record = history_record(controller.visit)
        if record is None:
            return visit_id
        texts = await async_get_texts(self.hass, self.hass.config.language)
        return visit_title(record, texts, garage=controller.access.own_door)

    def _folder(
        self, identifier: str | None, title: str, children: list[BrowseMediaSource], thumbnail: str | None = None
    ) -> BrowseMediaSource:
        return BrowseMediaSource(
            thumbnail=thumbnail,
            domain=DOMAIN,
            identifier=identifier,
            media_class=MediaClass.DIRECTORY,
            media_content_type="",
            title=title,
            can_play=False,
            can_expand=True,
            children=children,
            children_media_class=MediaClass.DIRECTORY
            if identifier is None or "/" not in identifier
            else MediaClass.IMAGE,
        )

"""Camera liveness during a visit: a camera that stops, errors or freezes while the door is unlocked.

In 2017 a camera could be frozen over Wi-Fi while the door was open, and the owner's video showed an
empty hall. So while a visit's door is unlocked, a picture is taken every few seconds. The camera is
lost when it gives no picture (unavailable, an error, or no answer within the picture timeout), or
when a camera that has shown it changes returns the very same bytes several times in a row (a frozen
camera returns its cached picture; a still-image camera that never changed is not judged).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
import hashlib
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval

from .media import VisitPictures

_LOGGER = logging.getLogger(__name__)

FROZEN_AFTER = 3  # the same picture this many times in a row, from a camera that has changed before


class CameraWatch:
    """Checks one entrance's camera while a visit's door is unlocked."""

    def __init__(
        self,
        hass: HomeAssistant,
        media: VisitPictures,
        interval: timedelta,
        *,
        door_unlocked: Callable[[], bool],
        on_lost: Callable[[bytes | None], Coroutine[Any, Any, None]],
    ) -> None:
        """Watch with the entrance's pictures; tell on_lost, with the last good picture."""
        self.hass = hass
        self.media = media
        self.interval = interval
        self._door_unlocked = door_unlocked
        self._on_lost = on_lost
        self._unsub: CALLBACK_TYPE | None = None
        self._busy = False
        self._last: bytes | None = None
        self._last_digest = b""
        self._same = 0
        self._changed = False

    @property
    def watching(self) -> bool:
        """Whether a visit is being watched."""
        return self._unsub is not None

    @callback
    def start(self) -> None:
        """Begin watching a visit (again from scratch)."""
        self.stop()
        self._last, self._last_digest, self._same, self._changed = None, b"", 0, False
        self._unsub = async_track_time_interval(self.hass, self._async_check, self.interval)

    @callback
    def stop(self) -> None:
        """Stop watching: the visit is over, or the camera was reported lost."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    async def _async_check(self, _now: datetime) -> None:
        if self._busy or not self._door_unlocked():
            return  # a slow picture never piles up checks; a locked door needs no watching
        self._busy = True
        try:
            picture = await self.media.async_picture()
        finally:
            self._busy = False
        if not self.watching:
            return
        if picture is None:
            self._lost("gives no picture")
            return
        digest = hashlib.sha256(picture).digest()
        if digest == self._last_digest:
            self._same += 1
        else:
            self._changed = self._changed or bool(self._last_digest)
            self._same = 1
            self._last_digest = digest
        if self._changed and self._same >= FROZEN_AFTER:
            self._lost("returns the same picture")
            return
        self._last = picture

    @callback
    def _lost(self, why: str) -> None:
        _LOGGER.warning("The camera %s during a visit", why)
        self.stop()
        self.hass.async_create_task(self._on_lost(self._last), "in_home_delivery camera lost")

"""The entrance's options as the core's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from .const import (
    CONF_DOOR_OPEN_ALERT,
    CONF_ENTRY_TIMEOUT,
    CONF_LOCK_WHEN_CAMERA_LOST,
    CONF_MAX_VISIT,
    CONF_RELOCK_DELAY,
    CONF_REQUIRE_CAMERA,
    DEFAULT_OPTIONS,
)
from .core.visit import VisitSettings

COVER_CONFIRM_TIMEOUT = timedelta(seconds=60)
COVER_RETRY_BACKOFF = timedelta(seconds=10)


def visit_settings(options: Mapping[str, Any], *, has_door_sensor: bool, own_door: bool = False) -> VisitSettings:
    """Build the visit settings from entry.options (seconds), falling back to the defaults.

    A garage door (own_door) has no door to be seen opening and closing behind the visitor: it stays
    open until they tap Done, or until the maximum visit runs out, and then closes. It takes longer to
    close than a bolt (a slow gate half a minute), and after it went back for an obstacle it waits a
    little longer before it tries again.
    """

    def seconds(key: str) -> timedelta:
        return timedelta(seconds=int(options.get(key, DEFAULT_OPTIONS[key])))

    settings = VisitSettings(
        relock_delay=seconds(CONF_RELOCK_DELAY),
        entry_timeout=seconds(CONF_MAX_VISIT if own_door else CONF_ENTRY_TIMEOUT),
        max_visit=seconds(CONF_MAX_VISIT),
        door_open_alert=seconds(CONF_DOOR_OPEN_ALERT),
        has_door_sensor=has_door_sensor,
        # Entrances set up before this option existed follow "Require the camera".
        lock_when_camera_lost=bool(options.get(CONF_LOCK_WHEN_CAMERA_LOST, options.get(CONF_REQUIRE_CAMERA, False))),
    )
    if own_door:
        return replace(settings, confirm_timeout=COVER_CONFIRM_TIMEOUT, retry_backoff=COVER_RETRY_BACKOFF)
    return settings

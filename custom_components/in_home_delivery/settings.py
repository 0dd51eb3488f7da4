"""The entrance's options, read once, with one source of defaults (const.DEFAULT_OPTIONS).

Every part of the entrance reads its options from one `EntranceSettings`, built when the entrance is
set up (an options change reloads it). An option added later touches the options flow, this object,
and the place that uses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from typing import Any

from .const import (
    CONF_ASK_ON_DOORBELL,
    CONF_AUTO_LOCK,
    CONF_CAMERA_CHECK_INTERVAL,
    CONF_DELIVERY_DAYS,
    CONF_DELIVERY_FROM,
    CONF_DELIVERY_UNTIL,
    CONF_DOOR_OPEN_ALERT,
    CONF_ENTRY_TIMEOUT,
    CONF_GRACE,
    CONF_KEEP_SNAPSHOTS_DAYS,
    CONF_LIGHTS_ON,
    CONF_LOCK_WHEN_CAMERA_LOST,
    CONF_MAX_VISIT,
    CONF_ONLY_WHEN_AWAY,
    CONF_OPENING_HEIGHT,
    CONF_RECORD_VISITS,
    CONF_RELOCK_DELAY,
    CONF_REQUIRE_CAMERA,
    CONF_SOURCE_CALENDARS,
    CONF_SOURCE_COUNTERS,
    CONF_SOURCE_TRACKERS,
    CONF_STREET_DOOR_PULSE,
    DEFAULT_OPTIONS,
)
from .core.expected import delivery_hours
from .core.guests import Schedule
from .core.visit import VisitSettings

COVER_CONFIRM_TIMEOUT = timedelta(seconds=60)
COVER_RETRY_BACKOFF = timedelta(seconds=10)


def _time(value: Any) -> time | None:
    try:
        return time.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True, kw_only=True)
class EntranceSettings:
    """Every option of an entrance, typed, defaults filled in."""

    relock_delay: timedelta
    entry_timeout: timedelta
    max_visit: timedelta
    door_open_alert: timedelta
    grace: timedelta
    lights_on: bool
    record_visits: bool
    require_camera: bool
    only_when_away: bool
    ask_on_doorbell: bool
    keep_snapshots_days: int
    camera_check_interval: timedelta
    lock_when_camera_lost: bool
    opening_height: int | None  # percent a garage door opens for a parcel; None: fully
    street_door_pulse: timedelta
    auto_lock: bool
    delivery_hours: Schedule
    source_calendars: tuple[str, ...] = ()
    source_trackers: tuple[str, ...] = ()
    source_counters: Mapping[str, str] = field(default_factory=dict)  # counting sensor: its carrier

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> EntranceSettings:
        """Read entry.options (seconds for durations), falling back to DEFAULT_OPTIONS."""

        def value(key: str) -> Any:
            return options.get(key, DEFAULT_OPTIONS[key])

        def seconds(key: str) -> timedelta:
            return timedelta(seconds=float(value(key)))

        return cls(
            relock_delay=seconds(CONF_RELOCK_DELAY),
            entry_timeout=seconds(CONF_ENTRY_TIMEOUT),
            max_visit=seconds(CONF_MAX_VISIT),
            door_open_alert=seconds(CONF_DOOR_OPEN_ALERT),
            grace=seconds(CONF_GRACE),
            lights_on=bool(value(CONF_LIGHTS_ON)),
            record_visits=bool(value(CONF_RECORD_VISITS)),
            require_camera=bool(value(CONF_REQUIRE_CAMERA)),
            only_when_away=bool(value(CONF_ONLY_WHEN_AWAY)),
            ask_on_doorbell=bool(value(CONF_ASK_ON_DOORBELL)),
            keep_snapshots_days=int(value(CONF_KEEP_SNAPSHOTS_DAYS)),
            camera_check_interval=seconds(CONF_CAMERA_CHECK_INTERVAL),
            # Entrances set up before this option existed follow "Require the camera".
            lock_when_camera_lost=bool(
                options.get(
                    CONF_LOCK_WHEN_CAMERA_LOST,
                    options.get(CONF_REQUIRE_CAMERA, DEFAULT_OPTIONS[CONF_LOCK_WHEN_CAMERA_LOST]),
                )
            ),
            opening_height=int(value(CONF_OPENING_HEIGHT)) or None,
            street_door_pulse=timedelta(
                seconds=float(options.get(CONF_STREET_DOOR_PULSE) or DEFAULT_OPTIONS[CONF_STREET_DOOR_PULSE])
            ),
            auto_lock=bool(value(CONF_AUTO_LOCK)),
            delivery_hours=delivery_hours(
                options.get(CONF_DELIVERY_DAYS),
                _time(options.get(CONF_DELIVERY_FROM)),
                _time(options.get(CONF_DELIVERY_UNTIL)),
            ),
            source_calendars=tuple(options.get(CONF_SOURCE_CALENDARS) or ()),
            source_trackers=tuple(options.get(CONF_SOURCE_TRACKERS) or ()),
            source_counters=dict(options.get(CONF_SOURCE_COUNTERS) or {}),
        )

    def visit(self, *, has_door_sensor: bool, own_door: bool = False) -> VisitSettings:
        """The core's settings for a visit.

        A garage door (own_door) has no door to be seen opening and closing behind the visitor: it stays
        open until they tap Done, or until the maximum visit runs out, and then closes. It takes longer to
        close than a bolt (a slow gate half a minute), and after it went back for an obstacle it waits a
        little longer before it tries again.
        """
        settings = VisitSettings(
            relock_delay=self.relock_delay,
            entry_timeout=self.max_visit if own_door else self.entry_timeout,
            max_visit=self.max_visit,
            door_open_alert=self.door_open_alert,
            has_door_sensor=has_door_sensor,
            lock_when_camera_lost=self.lock_when_camera_lost,
        )
        if own_door:
            return replace(settings, confirm_timeout=COVER_CONFIRM_TIMEOUT, retry_backoff=COVER_RETRY_BACKOFF)
        return settings

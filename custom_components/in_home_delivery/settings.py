"""The entrance's options: their keys, their one source of defaults (DEFAULT_OPTIONS), read once.

Every part of the entrance reads its options from one `EntranceSettings`, built when the entrance is
set up (an options change reloads it). An option added later touches the options flow, this object,
and the place that uses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from typing import Any, Final

from .core.commands import Spoken
from .core.expected import delivery_hours
from .core.guests import Schedule
from .core.visit import VisitSettings

# entry.options: timings in seconds, and the rules
CONF_RELOCK_DELAY: Final = "relock_delay"
CONF_ENTRY_TIMEOUT: Final = "entry_timeout"
CONF_MAX_VISIT: Final = "max_visit"
CONF_DOOR_OPEN_ALERT: Final = "door_open_alert"
CONF_GRACE: Final = "grace"
CONF_LIGHTS_ON: Final = "lights_on"
CONF_RECORD_VISITS: Final = "record_visits"
CONF_REQUIRE_CAMERA: Final = "require_camera"
CONF_ONLY_WHEN_AWAY: Final = "only_when_away"
CONF_ASK_ON_DOORBELL: Final = "ask_on_doorbell"
CONF_KEEP_SNAPSHOTS_DAYS: Final = "keep_snapshots_days"
CONF_CAMERA_CHECK_INTERVAL: Final = "camera_check_interval"
CONF_LOCK_WHEN_CAMERA_LOST: Final = "lock_when_camera_lost"
# How far a garage door opens for a parcel, as Home Assistant counts a cover's position: 100 is fully open.
# (Before minor version 3 of the entry, 0 meant fully open; async_migrate_entry stores it as 100.)
CONF_OPENING_HEIGHT: Final = "opening_height"
CONF_STREET_DOOR_PULSE: Final = "street_door_pulse"  # seconds a street door switch stays on
CONF_AUTO_LOCK: Final = "auto_lock"  # an unlock by hand is followed as a visit, so the door locks again
# Expected deliveries: the delivery hours, and the sources read into deliveries.
CONF_DELIVERY_DAYS: Final = "delivery_days"
CONF_DELIVERY_FROM: Final = "delivery_from"
CONF_DELIVERY_UNTIL: Final = "delivery_until"
CONF_SOURCE_CALENDARS: Final = "source_calendars"
CONF_SOURCE_TRACKERS: Final = "source_trackers"  # AfterShip-shaped sensors with a `trackings` attribute
CONF_SOURCE_COUNTERS: Final = "source_counters"  # {sensor counting parcels out for delivery: carrier}
# At the door: speakers that guide the visitor, in which language, at which moments. No speakers: silence.
CONF_SPEAKERS: Final = "speakers"  # assist_satellite and media_player entities
CONF_SPEAK_LANGUAGE: Final = "speak_language"  # unset: Home Assistant's language
CONF_SPEAK_MOMENTS: Final = "speak_moments"  # unset: every moment
SPEAK_MOMENTS: Final = (Spoken.ARRIVED, Spoken.UNLOCKED, Spoken.CLOSING_SOON, Spoken.CANNOT_LOCK)
CLOSING_WARNING = timedelta(minutes=1)  # a garage door that closes by itself says so this long before

DEFAULT_OPTIONS: Final[dict[str, int | bool]] = {
    CONF_RELOCK_DELAY: 10,
    CONF_ENTRY_TIMEOUT: 120,
    CONF_MAX_VISIT: 15 * 60,
    CONF_DOOR_OPEN_ALERT: 3 * 60,
    CONF_GRACE: 15 * 60,
    CONF_LIGHTS_ON: True,
    CONF_RECORD_VISITS: True,
    CONF_REQUIRE_CAMERA: True,
    CONF_ONLY_WHEN_AWAY: False,
    CONF_ASK_ON_DOORBELL: True,
    CONF_KEEP_SNAPSHOTS_DAYS: 30,
    CONF_CAMERA_CHECK_INTERVAL: 5,
    CONF_LOCK_WHEN_CAMERA_LOST: True,
    CONF_OPENING_HEIGHT: 100,
    CONF_STREET_DOOR_PULSE: 2,
    CONF_AUTO_LOCK: False,
}

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
    opening_height: int | None  # the position (percent open) a garage door opens to for a parcel; None: fully
    street_door_pulse: timedelta
    auto_lock: bool
    delivery_hours: Schedule
    source_calendars: tuple[str, ...] = ()
    source_trackers: tuple[str, ...] = ()
    source_counters: Mapping[str, str] = field(default_factory=dict)  # counting sensor: its carrier
    speakers: tuple[str, ...] = ()
    speak_language: str | None = None
    speak_moments: frozenset[Spoken] = frozenset(SPEAK_MOMENTS)

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
            opening_height=opening if 0 < (opening := int(value(CONF_OPENING_HEIGHT))) < 100 else None,
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
            speakers=tuple(options.get(CONF_SPEAKERS) or ()),
            speak_language=options.get(CONF_SPEAK_LANGUAGE) or None,
            speak_moments=frozenset(
                Spoken(moment) for moment in options.get(CONF_SPEAK_MOMENTS, SPEAK_MOMENTS) if moment in Spoken
            ),
        )

    def speaks(self, moment: Spoken) -> bool:
        """Whether the speakers say something at this moment (the doorbell's question is an arrival)."""
        moment = Spoken.ARRIVED if moment is Spoken.ASKED else moment
        return bool(self.speakers) and moment in self.speak_moments

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
            return replace(
                settings,
                confirm_timeout=COVER_CONFIRM_TIMEOUT,
                retry_backoff=COVER_RETRY_BACKOFF,
                closing_warning=CLOSING_WARNING if self.speaks(Spoken.CLOSING_SOON) else None,
            )
        return settings

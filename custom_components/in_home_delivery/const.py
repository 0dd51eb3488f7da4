"""Constants for In-Home Delivery."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "in_home_delivery"
EVENT_IN_HOME_DELIVERY: Final = "in_home_delivery_event"

# entry.data: the entrance's wrapped entities (read by diagnostics and outside tests)
CONF_LOCK: Final = "lock"  # the access point is a lock, or
CONF_GARAGE_DOOR: Final = "garage_door"  # a cover of class garage or gate
CONF_STREET_DOOR: Final = "street_door"  # a building's street door opener: button, lock (open) or switch
CONF_DOOR_SENSOR: Final = "door_sensor"
CONF_CAMERA: Final = "camera"
CONF_LIGHTS: Final = "lights"
CONF_NOTIFY_TARGETS: Final = "notify_targets"
CONF_DOORBELL: Final = "doorbell"
CONF_ALARM_PANEL: Final = "alarm_panel"
CONF_ALARM_CODE: Final = "alarm_code"

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
CONF_OPENING_HEIGHT: Final = "opening_height"  # percent a garage door opens for a parcel (0: fully)
CONF_STREET_DOOR_PULSE: Final = "street_door_pulse"  # seconds a street door switch stays on
CONF_AUTO_LOCK: Final = "auto_lock"  # an unlock by hand is followed as a visit, so the door locks again
# Expected deliveries: the delivery hours, and the sources read into deliveries.
CONF_DELIVERY_DAYS: Final = "delivery_days"
CONF_DELIVERY_FROM: Final = "delivery_from"
CONF_DELIVERY_UNTIL: Final = "delivery_until"
CONF_SOURCE_CALENDARS: Final = "source_calendars"
CONF_SOURCE_TRACKERS: Final = "source_trackers"  # AfterShip-shaped sensors with a `trackings` attribute
CONF_SOURCE_COUNTERS: Final = "source_counters"  # {sensor counting parcels out for delivery: carrier}

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
    CONF_OPENING_HEIGHT: 0,
    CONF_STREET_DOOR_PULSE: 2,
    CONF_AUTO_LOCK: False,
}

DOOR_SENSOR_CLASSES: Final = ["door", "opening", "garage_door", "window"]
GARAGE_DOOR_CLASSES: Final = ["garage", "gate"]

ATTR_PASS_ID: Final = "pass_id"
ATTR_VISIT_ID: Final = "visit_id"

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

DOOR_SENSOR_CLASSES: Final = ["door", "opening", "garage_door", "window"]
GARAGE_DOOR_CLASSES: Final = ["garage", "gate"]

ATTR_PASS_ID: Final = "pass_id"
ATTR_VISIT_ID: Final = "visit_id"

"""Sensors of an entrance: the visit's phase and the last visit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .controller import EntranceController, InHomeDeliveryConfigEntry
from .core.passes import Delivery
from .core.visit import Phase
from .entity import InHomeDeliveryEntity

PARALLEL_UPDATES = 0

IDLE = "idle"
RELOCK_FAILED = "relock_failed"


def visit_phase(controller: EntranceController) -> str:
    """The running visit's phase, `relock_failed` while the lock will not lock, else idle."""
    visit = controller.visit
    if visit is None or not visit.running:
        return IDLE
    return RELOCK_FAILED if visit.stuck else visit.phase.value


def last_visit(controller: EntranceController) -> datetime | None:
    """When the last finished visit ended."""
    if not controller.history or not (ended := controller.history[-1].get("ended")):
        return None
    return dt_util.parse_datetime(ended)


def last_visit_attributes(controller: EntranceController) -> Mapping[str, Any]:
    """Who came and how the last visit ended."""
    if not controller.history:
        return {}
    record = controller.history[-1]
    attributes = {
        key: record.get(key) for key in ("visit_id", "pass_kind", "pass_label", "started", "entered", "outcome")
    }
    files = record.get("files") or []
    attributes["pictures"] = [
        controller.media.media_id(record["visit_id"], name) for name in files if name.endswith(".jpg")
    ]
    attributes["recording"] = next(
        (controller.media.media_id(record["visit_id"], name) for name in files if not name.endswith(".jpg")), None
    )
    return attributes


def _next_window(controller: EntranceController) -> Delivery | None:
    """The scheduled delivery whose window starts next (one open now is not "next": it is expected now)."""
    now = dt_util.utcnow()
    return next((item for item in controller.passes.upcoming(now) if item.window_start > now), None)


def next_delivery(controller: EntranceController) -> datetime | None:
    """When the next delivery window starts."""
    delivery = _next_window(controller)
    return delivery.window_start if delivery else None


def next_delivery_attributes(controller: EntranceController) -> Mapping[str, Any]:
    """The next delivery's carrier and window end."""
    if (delivery := _next_window(controller)) is None:
        return {}
    return {"carrier": delivery.carrier, "window_end": delivery.window_end.isoformat()}


def expected_today(controller: EntranceController) -> int:
    """How many deliveries are still expected today."""
    return len(controller.passes.expected_today(dt_util.utcnow()))


def expected_today_attributes(controller: EntranceController) -> Mapping[str, Any]:
    """Their carriers, in window order (a parcel without a carrier by its description), and whose window is open."""
    now = dt_util.utcnow()
    expected = controller.passes.expected_today(now)
    return {
        "carriers": [item.title for item in expected],
        "open_now": [item.title for item in expected if item.window_start <= now < item.window_end],
    }


@dataclass(frozen=True, kw_only=True)
class InHomeDeliverySensorDescription(SensorEntityDescription):
    """A sensor read from the controller."""

    value_fn: Callable[[EntranceController], str | int | datetime | None]
    attributes_fn: Callable[[EntranceController], Mapping[str, Any]] = lambda _: {}


SENSORS: tuple[InHomeDeliverySensorDescription, ...] = (
    InHomeDeliverySensorDescription(
        key="visit_phase",
        translation_key="visit_phase",
        device_class=SensorDeviceClass.ENUM,
        options=[IDLE, *(phase.value for phase in Phase if phase is not Phase.DONE), RELOCK_FAILED],
        value_fn=visit_phase,
    ),
    InHomeDeliverySensorDescription(
        key="last_visit",
        translation_key="last_visit",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=last_visit,
        attributes_fn=last_visit_attributes,
    ),
    InHomeDeliverySensorDescription(
        key="next_delivery",
        translation_key="next_delivery",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=next_delivery,
        attributes_fn=next_delivery_attributes,
    ),
    InHomeDeliverySensorDescription(
        key="expected_today",
        translation_key="expected_today",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=expected_today,
        attributes_fn=expected_today_attributes,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the entrance's sensors."""
    async_add_entities(
        InHomeDeliverySensor(controller=entry.runtime_data, description=description) for description in SENSORS
    )


class InHomeDeliverySensor(InHomeDeliveryEntity, SensorEntity):
    """A sensor of an entrance."""

    entity_description: InHomeDeliverySensorDescription

    @property
    @override
    def native_value(self) -> str | int | datetime | None:
        """Return the sensor's value."""
        return self.entity_description.value_fn(self.controller)

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """Return the sensor's attributes."""
        return self.entity_description.attributes_fn(self.controller)

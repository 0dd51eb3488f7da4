"""Sensors of an entrance: the visit's phase, the last visit, the delivery expected next, and today's."""

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

from .coordinator import EntranceSnapshot
from .core.passes import Delivery
from .core.standing import PassStanding, Standing
from .core.visit import IDLE, RELOCK_FAILED, Phase
from .data import InHomeDeliveryConfigEntry
from .entity import InHomeDeliveryEntity
from .pass_entities import PassEntity, async_add_pass_entities

PARALLEL_UPDATES = 0

LAST_VISIT_ATTRIBUTES = (
    "visit_id",
    "pass_kind",
    "pass_label",
    "started",
    "entered",
    "outcome",
    "pictures",
    "recording",
)


def last_visit(snapshot: EntranceSnapshot) -> datetime | None:
    """When the last finished visit ended."""
    ended = snapshot.last_visit.get("ended") if snapshot.last_visit else None
    return dt_util.parse_datetime(ended) if ended else None


def last_visit_attributes(snapshot: EntranceSnapshot) -> Mapping[str, Any]:
    """Who came and how the last visit ended, with its pictures and recording."""
    if (record := snapshot.last_visit) is None:
        return {}
    return {key: record.get(key) for key in LAST_VISIT_ATTRIBUTES}


def expected_delivery(snapshot: EntranceSnapshot) -> Delivery | None:
    """The delivery expected now (its window open, in its grace, or its visit under way), else the next one.

    Until it is done, missed or cancelled, a delivery whose window has started is still what the owner
    waits for; the next window comes after it.
    """
    now = snapshot.taken
    return next((item for item in snapshot.expected_today if item.window_start <= now), snapshot.next_delivery)


def next_delivery(snapshot: EntranceSnapshot) -> datetime | None:
    """When the expected delivery's window starts (or started)."""
    return delivery.window_start if (delivery := expected_delivery(snapshot)) else None


def next_delivery_attributes(snapshot: EntranceSnapshot) -> Mapping[str, Any]:
    """The expected delivery's carrier and window end."""
    if (delivery := expected_delivery(snapshot)) is None:
        return {}
    return {"carrier": delivery.carrier, "window_end": delivery.window_end.isoformat()}


def expected_today_attributes(snapshot: EntranceSnapshot) -> Mapping[str, Any]:
    """Their carriers, in window order (a parcel without a carrier by its description), and whose window is open."""
    now, expected = snapshot.taken, snapshot.expected_today
    return {
        "carriers": [item.title for item in expected],
        "open_now": [item.title for item in expected if item.window_start <= now < item.window_end],
    }


@dataclass(frozen=True, kw_only=True)
class InHomeDeliverySensorDescription(SensorEntityDescription):
    """A sensor read from the entrance's snapshot."""

    value_fn: Callable[[EntranceSnapshot], str | int | datetime | None]
    attributes_fn: Callable[[EntranceSnapshot], Mapping[str, Any]] = lambda _: {}


SENSORS: tuple[InHomeDeliverySensorDescription, ...] = (
    InHomeDeliverySensorDescription(
        key="visit_phase",
        translation_key="visit_phase",
        device_class=SensorDeviceClass.ENUM,
        options=[IDLE, *(phase.value for phase in Phase if phase is not Phase.DONE), RELOCK_FAILED],
        value_fn=lambda snapshot: snapshot.phase,
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
        value_fn=lambda snapshot: len(snapshot.expected_today),
        attributes_fn=expected_today_attributes,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the entrance's sensors, and those of each guest and carrier link."""
    async_add_entities(
        InHomeDeliverySensor(coordinator=entry.runtime_data.coordinator, description=description)
        for description in SENSORS
    )
    async_add_pass_entities(
        entry,
        async_add_entities,
        lambda coordinator, entry, subentry: (
            PassSensor(coordinator=coordinator, entry=entry, subentry=subentry, description=description)
            for description in PASS_SENSORS
        ),
    )


class InHomeDeliverySensor(InHomeDeliveryEntity, SensorEntity):
    """A sensor of an entrance."""

    entity_description: InHomeDeliverySensorDescription

    @property
    @override
    def native_value(self) -> str | int | datetime | None:
        """Return the sensor's value."""
        return self.entity_description.value_fn(self.snapshot)

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """Return the sensor's attributes."""
        return self.entity_description.attributes_fn(self.snapshot)


@dataclass(frozen=True, kw_only=True)
class PassSensorDescription(SensorEntityDescription):
    """A sensor of a guest's or carrier link's device."""

    value_fn: Callable[[PassStanding], str | int | datetime | None]


PASS_SENSORS: tuple[PassSensorDescription, ...] = (
    PassSensorDescription(
        key="access",
        translation_key="access",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in Standing],
        value_fn=lambda standing: standing.state.value,
    ),
    PassSensorDescription(
        key="last_used",
        translation_key="last_used",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda standing: standing.last_used,
    ),
    PassSensorDescription(
        key="uses",
        translation_key="uses",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda standing: standing.uses,
    ),
)


class PassSensor(PassEntity, SensorEntity):
    """A sensor of a guest's or carrier link's device."""

    entity_description: PassSensorDescription

    @property
    @override
    def native_value(self) -> str | int | datetime | None:
        """Return the sensor's value."""
        return None if (standing := self.standing) is None else self.entity_description.value_fn(standing)

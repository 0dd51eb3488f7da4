"""The sensor platform of an entrance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .helpers import close_door, open_door, post_link, schedule_now, tick

NEXT = "sensor.front_door_next_delivery"


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the sensor platform."""
    return [Platform.SENSOR]


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The entities, their names, classes and states."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_next_delivery_while_its_window_is_open(
    hass: HomeAssistant, init_integration: MockConfigEntry, link_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    """While a delivery's window is open it is the one shown (not Unknown, not the one after it), until the
    courier has been; then the next one is."""
    await schedule_now(hass, carrier="UPS", start_in=timedelta(hours=3))
    opened = dt_util.now() - timedelta(minutes=5)
    link = (await schedule_now(hass, carrier="DHL", start_in=timedelta(minutes=-5)))["link"]
    shown = hass.states.get(NEXT)
    assert shown.attributes["carrier"] == "DHL"
    assert abs(dt_util.parse_datetime(shown.state) - opened) < timedelta(seconds=5)

    assert (await post_link(link_client, link, "unlock")).status == 200
    await hass.async_block_till_done()
    assert hass.states.get(NEXT).attributes["carrier"] == "DHL"  # the courier is inside: still this one
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 15)
    shown = hass.states.get(NEXT)
    assert shown.attributes["carrier"] == "UPS"
    assert dt_util.parse_datetime(shown.state) > dt_util.now()

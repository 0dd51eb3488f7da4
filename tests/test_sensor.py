"""The sensor platform of an entrance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .helpers import admit, close_door, end_visit, open_door, post_link, schedule_now, tick

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


async def test_every_attribute_has_words(
    hass: HomeAssistant, init_integration: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Each attribute the sensors show (after a visit, with a delivery expected) has a name in English and
    German, and the kinds of pass and outcomes it takes have words too."""
    await schedule_now(hass, carrier="DHL")
    await admit(hass)
    await end_visit(hass)
    shown: dict[str, set[str]] = {}
    for entry in er.async_entries_for_config_entry(entity_registry, init_integration.entry_id):
        state = hass.states.get(entry.entity_id)
        own = set(state.attributes) - {"friendly_name", "device_class", "icon", "state_class", "options"}
        shown[entry.translation_key] = own
    assert shown["last_visit"] >= {"pass_kind", "outcome", "pass_label"}
    assert shown["next_delivery"] == {"carrier", "window_end"}
    assert shown["expected_today"] == {"carriers", "open_now"}
    last = hass.states.get("sensor.front_door_last_visit").attributes
    for language in ("en", "de"):
        texts = await async_get_translations(hass, language, "entity", [DOMAIN])
        for key, attributes in shown.items():
            for attribute in attributes:
                assert f"component.{DOMAIN}.entity.sensor.{key}.state_attributes.{attribute}.name" in texts, attribute
        for attribute in ("pass_kind", "outcome"):
            assert (
                f"component.{DOMAIN}.entity.sensor.last_visit.state_attributes.{attribute}.state.{last[attribute]}"
                in (texts)
            )

"""Diagnostics: useful, and without the alarm code or any secret."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.core import HomeAssistant

from .conftest import ALARM_CODE
from .helpers import ENTRY_ID, admit, close_door, link_parts, open_door, schedule_now, tick

# Ids and times differ from run to run.
CHANGING = ("visit_id", "pass_id", "started", "entered", "ended", "deadlines")


async def test_diagnostics_redacts_the_alarm_code(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, init_integration: MockConfigEntry
) -> None:
    """The code is redacted; the configuration and the running visit are there."""
    await admit(hass)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert ALARM_CODE not in str(diagnostics)
    assert diagnostics["data"]["alarm_code"] == "**REDACTED**"
    assert diagnostics["data"]["lock"] == "lock.smart_lock"
    assert diagnostics["options"]["relock_delay"] == 10
    assert diagnostics["visit"]["phase"] == "waiting_for_entry"
    assert diagnostics["lock_state"] == "unlocked"


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    """A visit in the history, one running, a delivery and a carrier link: all there, no secret."""
    await admit(hass)
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 15)
    delivery = await schedule_now(hass, tracking_number="00340434")
    carrier: dict[str, Any] | None = await hass.services.async_call(
        DOMAIN, "add_carrier", {"config_entry_id": ENTRY_ID, "name": "UPS"}, blocking=True, return_response=True
    )
    assert carrier is not None
    await admit(hass)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)

    assert diagnostics == snapshot(exclude=props(*CHANGING))
    webhook_path, token = link_parts(str(delivery["link"]))
    secrets = {ALARM_CODE, token, str(carrier["token"]), webhook_path.rsplit("/", 1)[-1]}
    assert all(secret and secret not in str(diagnostics) for secret in secrets)

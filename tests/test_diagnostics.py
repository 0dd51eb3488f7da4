"""Diagnostics: useful, and without the alarm code or any secret."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant

from .conftest import ALARM_CODE
from .helpers import admit


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

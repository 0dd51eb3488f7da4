"""Diagnostics of an entrance, with every secret redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_ALARM_CODE
from .controller import InHomeDeliveryConfigEntry
from .core.visit import visit_as_dict

TO_REDACT = {CONF_ALARM_CODE, "token", "token_hash", "link", "webhook_id"}


async def async_get_config_entry_diagnostics(hass: HomeAssistant, entry: InHomeDeliveryConfigEntry) -> dict[str, Any]:
    """Return the entrance's configuration, running visit and recent history."""
    controller = entry.runtime_data
    return async_redact_data(
        {
            "data": dict(entry.data),
            "options": dict(entry.options),
            "accepting": controller.accepting,
            "lock_state": controller.lock_state,
            "visit": visit_as_dict(controller.visit) if controller.visit else None,
            "history": controller.history[-20:],
        },
        TO_REDACT,
    )

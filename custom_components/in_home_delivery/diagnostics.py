"""Diagnostics of an entrance, with every secret redacted."""

from __future__ import annotations

from collections import Counter
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_ALARM_CODE
from .core.visit import visit_as_dict
from .data import InHomeDeliveryConfigEntry

TO_REDACT = {CONF_ALARM_CODE, "token", "token_hash", "link", "webhook_id", "code", "secret"}


async def async_get_config_entry_diagnostics(hass: HomeAssistant, entry: InHomeDeliveryConfigEntry) -> dict[str, Any]:
    """Return the entrance's configuration, running visit and recent history."""
    controller = entry.runtime_data.controller
    passes = controller.passes
    counts = Counter(f"{item.kind}_{passes.describe(item)['status']}" for item in passes.all())
    return async_redact_data(
        {
            "data": dict(entry.data),
            "options": dict(entry.options),
            "accepting": controller.accepting,
            "lock_state": controller.lock_state,
            "visit": visit_as_dict(controller.visit) if controller.visit else None,
            "history": controller.history[-20:],
            "pass_counts": dict(sorted(counts.items())),
            # Carrier links are few and standing: each is listed, as list_passes answers it (no token).
            "carriers": [passes.describe(item) for item in passes.carriers()],
            # Keypad codes: each pass's slot and state, and the slots failing; never the digits.
            "keypad_codes": controller.keypad.diagnostics() if controller.keypad is not None else None,
        },
        TO_REDACT,
    )

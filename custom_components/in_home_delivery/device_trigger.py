"""Device triggers: each visit event type, so an automation can start on "courier entered" from the UI."""

from __future__ import annotations

from typing import Any

import probatio

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_EVENT_DATA, CONF_PLATFORM, CONF_TYPE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN, EVENT_IN_HOME_DELIVERY
from .core.commands import EventType

TRIGGER_TYPES = [event_type.value for event_type in EventType]
TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend({probatio.Required(CONF_TYPE): probatio.In(TRIGGER_TYPES)})


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """List a trigger for each visit event type of the entrance."""
    return [
        {CONF_PLATFORM: "device", CONF_DOMAIN: DOMAIN, CONF_DEVICE_ID: device_id, CONF_TYPE: trigger_type}
        for trigger_type in TRIGGER_TYPES
    ]


async def async_attach_trigger(
    hass: HomeAssistant, config: ConfigType, action: TriggerActionType, trigger_info: TriggerInfo
) -> CALLBACK_TYPE:
    """Listen for the entrance's bus events of the chosen type."""
    device = dr.async_get(hass).async_get(config[CONF_DEVICE_ID])
    entry_ids = sorted(device.config_entries) if device else []
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: EVENT_IN_HOME_DELIVERY,
            CONF_EVENT_DATA: {
                "config_entry_id": entry_ids[0] if entry_ids else "",
                "type": config[CONF_TYPE],
            },
        }
    )
    return await event_trigger.async_attach_trigger(hass, event_config, action, trigger_info, platform_type="device")

"""The integration's actions, registered once and looking their entrance up by config entry id."""

from __future__ import annotations

import probatio

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_get_config_entry

from .const import ATTR_PASS_ID, DOMAIN
from .controller import EntranceController, InHomeDeliveryConfigEntry

SERVICE_ADMIT = "admit"
SERVICE_END_VISIT = "end_visit"

ENTRANCE_SCHEMA = probatio.Schema({probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string})
ADMIT_SCHEMA = ENTRANCE_SCHEMA.extend({probatio.Optional(ATTR_PASS_ID): cv.string})


def _controller(call: ServiceCall) -> EntranceController:
    entry: InHomeDeliveryConfigEntry = async_get_config_entry(call.hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID])
    return entry.runtime_data


async def _async_admit(call: ServiceCall) -> None:
    """The owner lets someone in now."""
    controller = _controller(call)
    if (pass_id := call.data.get(ATTR_PASS_ID)) is not None:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="unknown_pass", translation_placeholders={"pass_id": pass_id}
        )
    await controller.async_admit()


async def _async_end_visit(call: ServiceCall) -> None:
    """Lock now and end the running visit."""
    await _controller(call).async_end_visit()


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions of In-Home Delivery."""
    hass.services.async_register(DOMAIN, SERVICE_ADMIT, _async_admit, schema=ADMIT_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_END_VISIT, _async_end_visit, schema=ENTRANCE_SCHEMA)

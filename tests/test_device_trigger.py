"""Device triggers: an automation starts on a visit event of its entrance, from the UI."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry, async_get_device_automations

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.core.commands import EventType
from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component

from .helpers import ENTRY_ID, admit, open_door


async def test_triggers_listed(
    hass: HomeAssistant, init_integration: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """Every visit event type is offered as a trigger of the entrance device."""
    device = device_registry.async_get_device_by_identifier((DOMAIN, ENTRY_ID), ENTRY_ID)
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, device.id)
    ours = {trigger["type"] for trigger in triggers if trigger["domain"] == DOMAIN}
    assert ours == {event_type.value for event_type in EventType}


async def test_courier_entered_automation(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    service_calls: list[ServiceCall],
) -> None:
    """ "Visitor opened the door" runs the automation once, with the visit's data."""
    device = device_registry.async_get_device_by_identifier((DOMAIN, ENTRY_ID), ENTRY_ID)
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "triggers": {"platform": "device", "domain": DOMAIN, "device_id": device.id, "type": "door_opened"},
                "actions": {"action": "test.automation", "data": {"who": "{{ trigger.event.data.pass_label }}"}},
            }
        },
    )
    await admit(hass)
    await open_door(hass)
    assert [call.data["who"] for call in service_calls if call.domain == "test"] == ["Owner"]

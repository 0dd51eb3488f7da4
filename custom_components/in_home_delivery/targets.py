"""Which entrances a trigger's or condition's target names: by their device, their entities, an area or a label."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.target import TargetSelection, async_extract_referenced_entity_ids

from .const import DOMAIN


@callback
def targeted_entrances(hass: HomeAssistant, target: dict[str, Any]) -> set[str]:
    """The config entry ids of the entrances whose device, or one of whose entities, the target selects.

    Devices and entities of other integrations in the target (the wrapped lock in the same area, say)
    are no entrance and are left out.
    """
    selected = async_extract_referenced_entity_ids(hass, TargetSelection(target), primary_entities_only=False)
    entrances = {entry.entry_id for entry in hass.config_entries.async_entries(DOMAIN)}
    entity_registry = er.async_get(hass)
    found: set[str] = set()
    for entity_id in selected.referenced | selected.indirectly_referenced:
        entity = entity_registry.async_get(entity_id)
        if entity is not None and (entry_id := entity.config_entry_id) in entrances and entry_id is not None:
            found.add(entry_id)
    device_registry = dr.async_get(hass)
    for device_id in selected.referenced_devices:
        if (device := device_registry.async_get(device_id)) is not None:
            found.update(device.config_entries & entrances)
    return found

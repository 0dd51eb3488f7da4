"""Says so when an entity the entrance wraps disappears: a repair issue names it."""

from __future__ import annotations

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.start import async_at_started

from .const import DOMAIN
from .data import InHomeDeliveryConfigEntry


def issue_id(entry_id: str, entity_id: str) -> str:
    """The repair issue of one missing entity."""
    return f"missing_{entry_id}_{entity_id}"


@callback
def async_watch_wrapped_entities(hass: HomeAssistant, entry: InHomeDeliveryConfigEntry) -> None:
    """Raise a repair issue while a wrapped entity is missing, and drop it when it is back."""
    controller = entry.runtime_data.controller
    watched = controller.watched_entities

    @callback
    def update(entity_id: str, present: bool) -> None:
        if present:
            ir.async_delete_issue(hass, DOMAIN, issue_id(entry.entry_id, entity_id))
            return
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id(entry.entry_id, entity_id),
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="missing_entity",
            translation_placeholders={"entrance": controller.name, "entity_id": entity_id},
        )

    @callback
    def check_all(_hass: HomeAssistant) -> None:
        for entity_id in watched:
            update(entity_id, hass.states.get(entity_id) is not None)

    @callback
    def on_change(event: Event[EventStateChangedData]) -> None:
        update(event.data["entity_id"], event.data["new_state"] is not None)

    entry.async_on_unload(async_at_started(hass, check_all))
    entry.async_on_unload(async_track_state_change_event(hass, watched, on_change))

    @callback
    def clear() -> None:
        for entity_id in watched:
            ir.async_delete_issue(hass, DOMAIN, issue_id(entry.entry_id, entity_id))

    entry.async_on_unload(clear)

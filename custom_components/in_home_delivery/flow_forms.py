"""What the config and options flows share: entity selectors and names, and forms in sections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import probatio

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers import selector


def entity_selector(domain: str | list[str], device_class: list[str] | None = None) -> selector.EntitySelector:
    """A selector of one entity of the domain(s), of the device classes where given."""
    config = selector.EntitySelectorConfig(domain=domain)
    if device_class:
        config["device_class"] = device_class
    return selector.EntitySelector(config)


def entity_name(hass: HomeAssistant, entity_id: str) -> str:
    """An entity as the owner knows it: its friendly name, else its id (an entity that does not exist)."""
    state = hass.states.get(entity_id)
    return state.name if state is not None else entity_id


def entity_labels(hass: HomeAssistant, entity_ids: Iterable[str]) -> dict[str, str]:
    """Entities by the labels a form shows for them: their friendly names, with the entity id where names collide."""
    names = {entity_id: entity_name(hass, entity_id) for entity_id in entity_ids}
    shared = {name for name in names.values() if list(names.values()).count(name) > 1}
    return {f"{name} ({entity_id})" if name in shared else name: entity_id for entity_id, name in names.items()}


def expanded(schema: probatio.Schema, names: Iterable[str]) -> probatio.Schema:
    """The form with the named sections open (those with an error), so the field at fault is in sight."""
    names = set(names)
    return probatio.Schema(
        {
            key: section(value.schema, {**value.options, "collapsed": False})
            if isinstance(value, section) and str(key) in names
            else value
            for key, value in schema.schema.items()
        }
    )


def flatten(user_input: dict[str, Any], sections: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """Turn the form's sections into the flat keys stored in the entry."""
    flat = {key: value for key, value in user_input.items() if key not in sections}
    for name in sections:
        flat.update(user_input.get(name, {}))
    return flat


def nest(flat: dict[str, Any], sections: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """Turn stored flat keys into the form's sections, for suggested values."""
    nested: dict[str, Any] = {
        key: value for key, value in flat.items() if not any(key in keys for keys in sections.values())
    }
    for name, keys in sections.items():
        nested[name] = {key: flat[key] for key in keys if flat.get(key) not in (None, "", [])}
    return nested

"""Config flow for In-Home Delivery: an entrance and the entities it wraps."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, override

import probatio

from homeassistant.components import webhook
from homeassistant.components.cover import CoverEntityFeature
from homeassistant.components.lock.const import LockEntityFeature
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
)
from homeassistant.const import CONF_NAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers import selector
from homeassistant.helpers.entity import get_supported_features

from .const import (
    CONF_ALARM_CODE,
    CONF_ALARM_PANEL,
    CONF_CAMERA,
    CONF_DOOR_SENSOR,
    CONF_DOORBELL,
    CONF_GARAGE_DOOR,
    CONF_LIGHTS,
    CONF_LOCK,
    CONF_NOTIFY_TARGETS,
    CONF_STREET_DOOR,
    DOMAIN,
    DOOR_SENSOR_CLASSES,
    GARAGE_DOOR_CLASSES,
)
from .flow_forms import entity_labels, entity_name, entity_selector, expanded, flatten, nest
from .keypad import CONF_KEYPAD
from .keypad_form import async_clear_leaving_keypad, async_keypad_problem, keypad_data, keypad_form, keypad_section
from .options_flow import InHomeDeliveryOptionsFlow, default_options
from .subentries import CARRIER, GUEST
from .subentry_flow import CarrierSubentryFlow, GuestSubentryFlow

ACCESS_POINTS = (CONF_LOCK, CONF_GARAGE_DOOR)
COVER_OPEN_CLOSE = CoverEntityFeature.OPEN | CoverEntityFeature.CLOSE

# Which entry.data keys each section of the form holds; entry.data itself stays flat.
SECTIONS: dict[str, tuple[str, ...]] = {
    "door": (CONF_DOOR_SENSOR, CONF_DOORBELL, CONF_STREET_DOOR),
    "camera": (CONF_CAMERA,),
    "comfort": (CONF_LIGHTS, CONF_NOTIFY_TARGETS),
    "alarm": (CONF_ALARM_PANEL, CONF_ALARM_CODE),
}
LIST_KEYS = (CONF_LIGHTS, CONF_NOTIFY_TARGETS)
# The form's field (or section) of each entry.data key, for errors.
FIELD_OF = {key: name for name, keys in SECTIONS.items() for key in keys}
# The keys that name entities of Home Assistant's state machine, each of which must exist.
ENTITY_KEYS = (
    *ACCESS_POINTS,
    CONF_STREET_DOOR,
    CONF_DOOR_SENSOR,
    CONF_DOORBELL,
    CONF_CAMERA,
    CONF_ALARM_PANEL,
    CONF_LIGHTS,
)


def _notify_targets(hass: HomeAssistant) -> list[selector.SelectOptionDict]:
    """Notify entities (by their names) and legacy notify actions (as `notify.<name>`), both stored as `notify.<name>`."""
    entities = hass.states.async_entity_ids("notify")
    actions = [f"notify.{name}" for name in hass.services.async_services_for_domain("notify")]
    targets = entity_labels(hass, sorted(set(entities) | set(actions) - {"notify.send_message"}))
    return [selector.SelectOptionDict(value=value, label=label) for label, value in sorted(targets.items())]


def _entrance_schema(hass: HomeAssistant) -> probatio.Schema:
    return probatio.Schema(
        {
            probatio.Required(CONF_NAME): selector.TextSelector(),
            probatio.Optional(CONF_LOCK): entity_selector("lock"),
            probatio.Optional(CONF_GARAGE_DOOR): entity_selector("cover", GARAGE_DOOR_CLASSES),
            probatio.Required("door"): section(
                probatio.Schema(
                    {
                        probatio.Optional(CONF_DOOR_SENSOR): entity_selector("binary_sensor", DOOR_SENSOR_CLASSES),
                        probatio.Optional(CONF_DOORBELL): entity_selector(["event", "binary_sensor"]),
                        probatio.Optional(CONF_STREET_DOOR): entity_selector(["button", "lock", "switch"]),
                    }
                ),
                {"collapsed": False},
            ),
            probatio.Required("camera"): section(
                probatio.Schema({probatio.Optional(CONF_CAMERA): entity_selector("camera")}), {"collapsed": True}
            ),
            probatio.Required("comfort"): section(
                probatio.Schema(
                    {
                        probatio.Optional(CONF_LIGHTS): selector.EntitySelector(
                            selector.EntitySelectorConfig(domain="light", multiple=True)
                        ),
                        probatio.Optional(CONF_NOTIFY_TARGETS): selector.SelectSelector(
                            selector.SelectSelectorConfig(
                                options=_notify_targets(hass), multiple=True, custom_value=True
                            )
                        ),
                    }
                ),
                {"collapsed": True},
            ),
            probatio.Required("alarm"): section(
                probatio.Schema(
                    {
                        probatio.Optional(CONF_ALARM_PANEL): entity_selector("alarm_control_panel"),
                        probatio.Optional(CONF_ALARM_CODE): selector.TextSelector(
                            selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                        ),
                    }
                ),
                {"collapsed": True},
            ),
            probatio.Optional(CONF_KEYPAD): keypad_section(),
        }
    )


def _problems(
    hass: HomeAssistant, data: dict[str, Any], others: Iterable[ConfigEntry]
) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Each problem of an entrance's form: (the data key at fault, the error, its placeholders)."""
    if not str(data.get(CONF_NAME) or "").strip():
        yield CONF_NAME, "name_missing", {}
    chosen = [key for key in ACCESS_POINTS if data.get(key)]
    if len(chosen) != 1:
        yield "base", "one_access_point", {}
    for key in chosen:
        for other in others:
            if other.data.get(key) == data[key]:
                yield key, "access_point_in_use", {"entity": entity_name(hass, data[key]), "entrance": other.title}
    for key in ENTITY_KEYS:
        value = data.get(key)
        for entity_id in value if isinstance(value, list) else [value]:
            if entity_id and hass.states.get(entity_id) is None:
                yield key, "entity_not_found", {"entity": entity_id}
    if (garage := data.get(CONF_GARAGE_DOOR)) and get_supported_features(
        hass, garage
    ) & COVER_OPEN_CLOSE != COVER_OPEN_CLOSE:
        yield CONF_GARAGE_DOOR, "garage_door_cannot_open_close", {"entity": entity_name(hass, garage)}
    if street := data.get(CONF_STREET_DOOR):
        if street == data.get(CONF_LOCK):
            yield CONF_STREET_DOOR, "street_door_is_access_point", {"entity": entity_name(hass, street)}
        elif street.startswith("lock.") and not get_supported_features(hass, street) & LockEntityFeature.OPEN:
            yield CONF_STREET_DOOR, "street_door_cannot_open", {"entity": entity_name(hass, street)}
    for target in data.get(CONF_NOTIFY_TARGETS, []):
        domain, _, name = target.partition(".")
        if domain != "notify" or not (hass.states.get(target) or hass.services.has_service("notify", name)):
            yield CONF_NOTIFY_TARGETS, "notify_target_not_found", {"entity": target}
    if (panel := data.get(CONF_ALARM_PANEL)) and not data.get(CONF_ALARM_CODE):
        state = hass.states.get(panel)
        if state is not None and state.attributes.get("code_format") is not None:
            yield CONF_ALARM_CODE, "alarm_code_required", {"entity": state.name}


async def async_validate_entrance(
    hass: HomeAssistant, data: dict[str, Any], others: Iterable[ConfigEntry] = ()
) -> tuple[dict[str, str], dict[str, str]]:
    """Return (errors, placeholders) for an entrance's form: its first problem, on the field at fault.

    A field in a section has its error on the section (the frontend shows it above the section's
    fields, and the placeholders name the entity). `others` are the other entrances, whose lock or
    garage door this one may not take. The keypad is checked once the rest of the entrance is right.
    """
    if (problem := next(_problems(hass, data, others), None)) is None:
        if (keypad_problem := await async_keypad_problem(hass, data)) is None:
            return {}, {}
        problem = (CONF_KEYPAD, *keypad_problem)
    key, error, placeholders = problem
    return {FIELD_OF.get(key, key): error}, placeholders


def clean(data: dict[str, Any]) -> dict[str, Any]:
    """Store every key, optional ones empty, so diagnostics and outside readers see one shape.

    A lock entrance keeps the shape of the first release (no garage_door key); one without a keypad
    has no keypad key.
    """
    cleaned: dict[str, Any] = {CONF_NAME: data[CONF_NAME].strip()}
    if data.get(CONF_GARAGE_DOOR):
        cleaned[CONF_GARAGE_DOOR] = data[CONF_GARAGE_DOOR]
    else:
        cleaned[CONF_LOCK] = data[CONF_LOCK]
    for keys in SECTIONS.values():
        for key in keys:
            cleaned[key] = list(data.get(key) or []) if key in LIST_KEYS else data.get(key) or None
    return cleaned | keypad_data(data.get(CONF_KEYPAD) or {})


class InHomeDeliveryConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up an entrance."""

    VERSION = 1
    MINOR_VERSION = 3  # 2: the link's webhook id is in the entry's data; 3: the garage opening as covers count it

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> InHomeDeliveryOptionsFlow:
        """Return the options flow."""
        return InHomeDeliveryOptionsFlow()

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(cls, config_entry: ConfigEntry) -> dict[str, type[ConfigSubentryFlow]]:
        """Guests and carrier links, added, changed and deleted on the entrance's page."""
        return {GUEST: GuestSubentryFlow, CARRIER: CarrierSubentryFlow}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the entrance and pick its entities."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            data = flatten(user_input, SECTIONS)
            errors, placeholders = await async_validate_entrance(
                self.hass, data, self._async_current_entries(include_ignore=False)
            )
            if not errors:
                data = clean(data) | {CONF_WEBHOOK_ID: webhook.async_generate_id()}
                return self.async_create_entry(title=data[CONF_NAME], data=data, options=default_options(data))
        schema = self.add_suggested_values_to_schema(expanded(_entrance_schema(self.hass), errors), user_input or {})
        return self.async_show_form(
            step_id="user", data_schema=schema, errors=errors, description_placeholders=placeholders
        )

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Change the entrance's entities."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            data = flatten(user_input, SECTIONS)
            others = [
                other for other in self._async_current_entries(include_ignore=False) if other.entry_id != entry.entry_id
            ]
            errors, placeholders = await async_validate_entrance(self.hass, data, others)
            if not errors and (left := await async_clear_leaving_keypad(self.hass, entry, clean(data))):
                errors, placeholders = {CONF_KEYPAD: left[0]}, left[1]
            if not errors:
                data = clean(data) | {CONF_WEBHOOK_ID: entry.data[CONF_WEBHOOK_ID]}  # every link stays valid
                # The entrance reloads itself when its data changed (see __init__.py).
                return self.async_update_and_abort(entry, title=data[CONF_NAME], data=data)
        suggested = user_input or nest(dict(entry.data), SECTIONS) | {CONF_KEYPAD: keypad_form(entry.data)}
        schema = self.add_suggested_values_to_schema(expanded(_entrance_schema(self.hass), errors), suggested)
        return self.async_show_form(
            step_id="reconfigure", data_schema=schema, errors=errors, description_placeholders=placeholders
        )

"""Config flow for In-Home Delivery: an entrance and the entities it wraps."""

from __future__ import annotations

from typing import Any, override

import probatio

from homeassistant.components import webhook
from homeassistant.components.cover import CoverEntityFeature
from homeassistant.components.lock.const import LockEntityFeature
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_NAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers import config_validation as cv, selector
from homeassistant.helpers.entity import get_supported_features

from .const import (
    CONF_ALARM_CODE,
    CONF_ALARM_PANEL,
    CONF_ASK_ON_DOORBELL,
    CONF_AUTO_LOCK,
    CONF_CAMERA,
    CONF_CAMERA_CHECK_INTERVAL,
    CONF_DELIVERY_DAYS,
    CONF_DELIVERY_FROM,
    CONF_DELIVERY_UNTIL,
    CONF_DOOR_OPEN_ALERT,
    CONF_DOOR_SENSOR,
    CONF_DOORBELL,
    CONF_ENTRY_TIMEOUT,
    CONF_GARAGE_DOOR,
    CONF_GRACE,
    CONF_KEEP_SNAPSHOTS_DAYS,
    CONF_LIGHTS,
    CONF_LIGHTS_ON,
    CONF_LOCK,
    CONF_LOCK_WHEN_CAMERA_LOST,
    CONF_MAX_VISIT,
    CONF_NOTIFY_TARGETS,
    CONF_ONLY_WHEN_AWAY,
    CONF_OPENING_HEIGHT,
    CONF_RECORD_VISITS,
    CONF_RELOCK_DELAY,
    CONF_REQUIRE_CAMERA,
    CONF_SOURCE_CALENDARS,
    CONF_SOURCE_COUNTERS,
    CONF_SOURCE_TRACKERS,
    CONF_STREET_DOOR,
    CONF_STREET_DOOR_PULSE,
    DEFAULT_OPTIONS,
    DOMAIN,
    DOOR_SENSOR_CLASSES,
    GARAGE_DOOR_CLASSES,
)
from .core.expected import DEFAULT_DELIVERY_DAYS, DEFAULT_DELIVERY_FROM, DEFAULT_DELIVERY_UNTIL
from .core.guests import WEEKDAYS
from .links import async_pass_link
from .services import MAX_TEXT
from .sources import is_own_entity

ACCESS_POINTS = (CONF_LOCK, CONF_GARAGE_DOOR)
COVER_OPEN_CLOSE = CoverEntityFeature.OPEN | CoverEntityFeature.CLOSE

# Which entry.data keys each section of the form holds; entry.data itself stays flat.
SECTIONS: dict[str, tuple[str, ...]] = {
    "door": (CONF_DOOR_SENSOR, CONF_DOORBELL, CONF_STREET_DOOR),
    "camera": (CONF_CAMERA,),
    "comfort": (CONF_LIGHTS, CONF_NOTIFY_TARGETS),
    "alarm": (CONF_ALARM_PANEL, CONF_ALARM_CODE),
}
OPTION_SECTIONS: dict[str, tuple[str, ...]] = {
    "timings": (CONF_RELOCK_DELAY, CONF_ENTRY_TIMEOUT, CONF_MAX_VISIT, CONF_DOOR_OPEN_ALERT, CONF_GRACE),
    "rules": (
        CONF_LIGHTS_ON,
        CONF_RECORD_VISITS,
        CONF_REQUIRE_CAMERA,
        CONF_ONLY_WHEN_AWAY,
        CONF_ASK_ON_DOORBELL,
        CONF_KEEP_SNAPSHOTS_DAYS,
        CONF_CAMERA_CHECK_INTERVAL,
        CONF_LOCK_WHEN_CAMERA_LOST,
        CONF_AUTO_LOCK,
    ),
    "access": (CONF_OPENING_HEIGHT, CONF_STREET_DOOR_PULSE),
    "expected": (
        CONF_DELIVERY_DAYS,
        CONF_DELIVERY_FROM,
        CONF_DELIVERY_UNTIL,
        CONF_SOURCE_CALENDARS,
        CONF_SOURCE_TRACKERS,
        CONF_SOURCE_COUNTERS,
    ),
}
# The Carrier link section: a carrier's name, for a link made once, never an option kept or shown again.
LINKS = "links"
NEW_CARRIER_LINK = "new_carrier_link"
# Carriers a counting sensor's name may mention (Mail and Packages names its sensors by carrier).
KNOWN_CARRIERS = ("DHL", "UPS", "FedEx", "USPS", "Amazon", "DPD", "GLS", "Hermes", "Deutsche Post", "Royal Mail")
LIST_KEYS = (CONF_LIGHTS, CONF_NOTIFY_TARGETS)


def _entity(domain: str | list[str], device_class: list[str] | None = None) -> selector.EntitySelector:
    config = selector.EntitySelectorConfig(domain=domain)
    if device_class:
        config["device_class"] = device_class
    return selector.EntitySelector(config)


def _notify_targets(hass: HomeAssistant) -> list[str]:
    """Notify entities and legacy notify actions, both written as `notify.<name>`."""
    entities = hass.states.async_entity_ids("notify")
    actions = [f"notify.{name}" for name in hass.services.async_services_for_domain("notify")]
    return sorted(set(entities) | set(actions) - {"notify.send_message"})


def _entrance_schema(hass: HomeAssistant) -> probatio.Schema:
    return probatio.Schema(
        {
            probatio.Required(CONF_NAME): selector.TextSelector(),
            probatio.Optional(CONF_LOCK): _entity("lock"),
            probatio.Optional(CONF_GARAGE_DOOR): _entity("cover", GARAGE_DOOR_CLASSES),
            probatio.Required("door"): section(
                probatio.Schema(
                    {
                        probatio.Optional(CONF_DOOR_SENSOR): _entity("binary_sensor", DOOR_SENSOR_CLASSES),
                        probatio.Optional(CONF_DOORBELL): _entity(["event", "binary_sensor"]),
                        probatio.Optional(CONF_STREET_DOOR): _entity(["button", "lock", "switch"]),
                    }
                ),
                {"collapsed": False},
            ),
            probatio.Required("camera"): section(
                probatio.Schema({probatio.Optional(CONF_CAMERA): _entity("camera")}), {"collapsed": True}
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
                        probatio.Optional(CONF_ALARM_PANEL): _entity("alarm_control_panel"),
                        probatio.Optional(CONF_ALARM_CODE): selector.TextSelector(
                            selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                        ),
                    }
                ),
                {"collapsed": True},
            ),
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


def validate_entrance(hass: HomeAssistant, data: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Return (errors, placeholders) for an entrance's entities."""
    if len([key for key in ACCESS_POINTS if data.get(key)]) != 1:
        return {"base": "one_access_point"}, {}
    wanted = [
        *(data.get(key) for key in ACCESS_POINTS),
        *(data.get(key) for key in (CONF_STREET_DOOR, CONF_DOOR_SENSOR, CONF_DOORBELL, CONF_CAMERA, CONF_ALARM_PANEL)),
    ]
    wanted += data.get(CONF_LIGHTS, [])
    for entity_id in filter(None, wanted):
        if hass.states.get(entity_id) is None:
            return {"base": "entity_not_found"}, {"entity_id": entity_id}
    if (garage := data.get(CONF_GARAGE_DOOR)) and get_supported_features(
        hass, garage
    ) & COVER_OPEN_CLOSE != COVER_OPEN_CLOSE:
        return {"base": "garage_door_cannot_open_close"}, {"entity_id": garage}
    if street := data.get(CONF_STREET_DOOR):
        if street == data.get(CONF_LOCK):
            return {"base": "street_door_is_access_point"}, {"entity_id": street}
        if street.startswith("lock.") and not get_supported_features(hass, street) & LockEntityFeature.OPEN:
            return {"base": "street_door_cannot_open"}, {"entity_id": street}
    for target in data.get(CONF_NOTIFY_TARGETS, []):
        domain, _, name = target.partition(".")
        if domain != "notify" or not (hass.states.get(target) or hass.services.has_service("notify", name)):
            return {"base": "notify_target_not_found"}, {"entity_id": target}
    if (panel := data.get(CONF_ALARM_PANEL)) and not data.get(CONF_ALARM_CODE):
        state = hass.states.get(panel)
        if state is not None and state.attributes.get("code_format") is not None:
            return {"base": "alarm_code_required"}, {"entity_id": panel}
    return {}, {}


def clean(data: dict[str, Any]) -> dict[str, Any]:
    """Store every key, optional ones empty, so diagnostics and outside readers see one shape.

    A lock entrance keeps the shape of the first release (no garage_door key).
    """
    cleaned: dict[str, Any] = {CONF_NAME: data[CONF_NAME].strip()}
    if data.get(CONF_GARAGE_DOOR):
        cleaned[CONF_GARAGE_DOOR] = data[CONF_GARAGE_DOOR]
    else:
        cleaned[CONF_LOCK] = data[CONF_LOCK]
    for keys in SECTIONS.values():
        for key in keys:
            cleaned[key] = list(data.get(key) or []) if key in LIST_KEYS else data.get(key) or None
    return cleaned


class InHomeDeliveryConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up an entrance."""

    VERSION = 1
    MINOR_VERSION = 2  # 2: the link's webhook id is in the entry's data (1: in the entrance store)

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> InHomeDeliveryOptionsFlow:
        """Return the options flow."""
        return InHomeDeliveryOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the entrance and pick its entities."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            data = flatten(user_input, SECTIONS)
            for key in ACCESS_POINTS:
                if data.get(key):
                    self._async_abort_entries_match({key: data[key]})
            errors, placeholders = validate_entrance(self.hass, data)
            if not errors:
                data = clean(data) | {CONF_WEBHOOK_ID: webhook.async_generate_id()}
                return self.async_create_entry(title=data[CONF_NAME], data=data, options=default_options(data))
        schema = self.add_suggested_values_to_schema(_entrance_schema(self.hass), user_input or {})
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
            if any(
                data.get(key) and other.data.get(key) == data[key]
                for other in self._async_current_entries(include_ignore=False)
                if other.entry_id != entry.entry_id
                for key in ACCESS_POINTS
            ):
                return self.async_abort(reason="already_configured")
            errors, placeholders = validate_entrance(self.hass, data)
            if not errors:
                data = clean(data) | {CONF_WEBHOOK_ID: entry.data[CONF_WEBHOOK_ID]}  # every link stays valid
                return self.async_update_reload_and_abort(entry, title=data[CONF_NAME], data=data)
        suggested = user_input or nest(dict(entry.data), SECTIONS)
        schema = self.add_suggested_values_to_schema(_entrance_schema(self.hass), suggested)
        return self.async_show_form(
            step_id="reconfigure", data_schema=schema, errors=errors, description_placeholders=placeholders
        )


def default_options(data: dict[str, Any]) -> dict[str, Any]:
    """The options of the README (*Install*); camera and doorbell rules are on where those entities are set."""
    return DEFAULT_OPTIONS | {
        CONF_REQUIRE_CAMERA: bool(data.get(CONF_CAMERA)),
        CONF_LOCK_WHEN_CAMERA_LOST: bool(data.get(CONF_CAMERA)),
        CONF_ASK_ON_DOORBELL: bool(data.get(CONF_DOORBELL)),
    }


DURATION = selector.DurationSelector(selector.DurationSelectorConfig(enable_day=False))
# The timings, shown as durations and stored as seconds (as before), with their allowed range.
DURATION_RANGES: dict[str, tuple[int, int]] = {
    CONF_RELOCK_DELAY: (0, 600),
    CONF_ENTRY_TIMEOUT: (10, 1800),
    CONF_MAX_VISIT: (60, 24 * 3600),
    CONF_DOOR_OPEN_ALERT: (10, 3600),
    CONF_GRACE: (0, 4 * 3600),
}


def as_duration(seconds: int) -> dict[str, int]:
    """Stored seconds as the duration selector shows them."""
    hours, rest = divmod(int(seconds), 3600)
    return {"hours": hours, "minutes": rest // 60, "seconds": rest % 60}


def as_seconds(value: Any) -> int:
    """A duration from the form (or plain seconds) as stored seconds."""
    if isinstance(value, dict):
        return int(cv.time_period_dict(value).total_seconds())
    return int(value)


def _seconds(minimum: int, maximum: int) -> selector.NumberSelector:
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=minimum, max=maximum, step=1, unit_of_measurement="s", mode=selector.NumberSelectorMode.BOX
        )
    )


OPTIONS_SCHEMA = probatio.Schema(
    {
        probatio.Required("timings"): section(
            probatio.Schema(
                {
                    probatio.Required(CONF_RELOCK_DELAY): DURATION,
                    probatio.Required(CONF_ENTRY_TIMEOUT): DURATION,
                    probatio.Required(CONF_MAX_VISIT): DURATION,
                    probatio.Required(CONF_DOOR_OPEN_ALERT): DURATION,
                    probatio.Required(CONF_GRACE): DURATION,
                }
            ),
            {"collapsed": False},
        ),
        probatio.Required("rules"): section(
            probatio.Schema(
                {
                    probatio.Required(CONF_LIGHTS_ON): selector.BooleanSelector(),
                    probatio.Required(CONF_RECORD_VISITS): selector.BooleanSelector(),
                    probatio.Required(CONF_REQUIRE_CAMERA): selector.BooleanSelector(),
                    probatio.Required(CONF_ONLY_WHEN_AWAY): selector.BooleanSelector(),
                    probatio.Required(CONF_ASK_ON_DOORBELL): selector.BooleanSelector(),
                    probatio.Required(CONF_KEEP_SNAPSHOTS_DAYS): selector.NumberSelector(
                        selector.NumberSelectorConfig(
                            min=1, max=365, step=1, unit_of_measurement="d", mode=selector.NumberSelectorMode.BOX
                        )
                    ),
                    probatio.Required(CONF_CAMERA_CHECK_INTERVAL): _seconds(2, 60),
                    probatio.Required(CONF_LOCK_WHEN_CAMERA_LOST): selector.BooleanSelector(),
                    probatio.Required(CONF_AUTO_LOCK): selector.BooleanSelector(),
                }
            ),
            {"collapsed": False},
        ),
        probatio.Required("expected"): section(
            probatio.Schema(
                {
                    probatio.Required(CONF_DELIVERY_DAYS): selector.SelectSelector(
                        selector.SelectSelectorConfig(options=list(WEEKDAYS), multiple=True, translation_key="weekdays")
                    ),
                    probatio.Required(CONF_DELIVERY_FROM): selector.TimeSelector(),
                    probatio.Required(CONF_DELIVERY_UNTIL): selector.TimeSelector(),
                    probatio.Optional(CONF_SOURCE_CALENDARS): selector.EntitySelector(
                        selector.EntitySelectorConfig(domain="calendar", multiple=True)
                    ),
                    probatio.Optional(CONF_SOURCE_TRACKERS): selector.EntitySelector(
                        selector.EntitySelectorConfig(domain="sensor", multiple=True)
                    ),
                    probatio.Optional(CONF_SOURCE_COUNTERS): selector.EntitySelector(
                        selector.EntitySelectorConfig(domain="sensor", multiple=True)
                    ),
                }
            ),
            {"collapsed": False},
        ),
        # Not an option: a carrier name here makes that carrier's standing link, shown once on the next step.
        probatio.Optional(LINKS): section(
            probatio.Schema({probatio.Optional(NEW_CARRIER_LINK): selector.TextSelector()}), {"collapsed": True}
        ),
        probatio.Required("access"): section(
            probatio.Schema(
                {
                    probatio.Required(CONF_OPENING_HEIGHT): selector.NumberSelector(
                        selector.NumberSelectorConfig(
                            min=0, max=100, step=5, unit_of_measurement="%", mode=selector.NumberSelectorMode.SLIDER
                        )
                    ),
                    probatio.Required(CONF_STREET_DOOR_PULSE): _seconds(1, 30),
                }
            ),
            {"collapsed": True},
        ),
    }
)


EXPECTED_DEFAULTS: dict[str, Any] = {
    CONF_DELIVERY_DAYS: list(DEFAULT_DELIVERY_DAYS),
    CONF_DELIVERY_FROM: DEFAULT_DELIVERY_FROM.isoformat(),
    CONF_DELIVERY_UNTIL: DEFAULT_DELIVERY_UNTIL.isoformat(),
}


class InHomeDeliveryOptionsFlow(OptionsFlowWithReload):
    """Timings and rules of an entrance."""

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._options: dict[str, Any] = {}
        self._carrier = ""  # a carrier to make a standing link for, after the options
        self._link: str | None = None

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options; counting sensors go on to a step that names their carriers.

        A carrier's name makes that carrier's link once: it is never stored in the options, so the form
        opens again empty and a later Submit makes no other link.
        """
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            self._carrier = str((user_input.get(LINKS) or {}).get(NEW_CARRIER_LINK) or "").strip()
            options = flatten({key: value for key, value in user_input.items() if key != LINKS}, OPTION_SECTIONS)
            options = {key: int(value) if isinstance(value, float) else value for key, value in options.items()}
            options |= {key: as_seconds(options[key]) for key in DURATION_RANGES if key in options}
            counters = options.get(CONF_SOURCE_COUNTERS) or []
            if len(self._carrier) > MAX_TEXT:  # as the add_carrier action caps it
                errors["base"] = "carrier_link_name_too_long"
                placeholders["max"] = str(MAX_TEXT)
            elif self._carrier and self.config_entry.state is not ConfigEntryState.LOADED:
                errors["base"] = "not_loaded"
            elif any(not low <= options.get(key, low) <= high for key, (low, high) in DURATION_RANGES.items()):
                errors["base"] = "duration_out_of_range"
            elif any(is_own_entity(self.hass, entity_id) for entity_id in options.get(CONF_SOURCE_CALENDARS) or []):
                errors["base"] = "own_calendar"
            elif not options.get(CONF_DELIVERY_DAYS):
                errors["base"] = "no_delivery_days"
            else:
                self._options = options
                if counters:
                    return await self.async_step_counters()
                return await self._async_done(options | {CONF_SOURCE_COUNTERS: {}})
        current = EXPECTED_DEFAULTS | default_options(dict(self.config_entry.data)) | dict(self.config_entry.options)
        current.pop(LINKS, None)  # kept by 0.2.0: never shown again, and dropped on the next Submit
        current[CONF_SOURCE_COUNTERS] = list(current.get(CONF_SOURCE_COUNTERS) or [])
        current |= {key: as_duration(current[key]) for key in DURATION_RANGES if key in current}
        suggested = user_input or nest(current, OPTION_SECTIONS)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(OPTIONS_SCHEMA, suggested),
            errors=errors,
            description_placeholders=placeholders or None,
        )

    async def async_step_counters(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the carrier each counting sensor counts parcels of (* for any)."""
        counters: list[str] = list(self._options.get(CONF_SOURCE_COUNTERS) or [])
        if user_input is not None:
            named = {entity_id: str(user_input.get(entity_id) or "*").strip() or "*" for entity_id in counters}
            return await self._async_done(self._options | {CONF_SOURCE_COUNTERS: named})
        known = dict(self.config_entry.options.get(CONF_SOURCE_COUNTERS) or {})
        schema = probatio.Schema(
            {
                probatio.Required(entity_id, default=known.get(entity_id) or self._guess(entity_id)): (
                    selector.TextSelector()
                )
                for entity_id in counters
            }
        )
        return self.async_show_form(
            step_id="counters", data_schema=schema, description_placeholders={"sensors": ", ".join(counters)}
        )

    async def _async_done(self, options: dict[str, Any]) -> ConfigFlowResult:
        """Save the options, after showing a new carrier link where one was asked for."""
        self._options = options
        if self._carrier:
            return await self.async_step_carrier_link()
        return self.async_create_entry(data=options)

    async def async_step_carrier_link(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show a new carrier's standing link once, to paste into that carrier's delivery instructions."""
        if user_input is not None:
            return self.async_create_entry(data=self._options)
        if self._link is None:
            passes = self.config_entry.runtime_data.passes
            carrier, token = await passes.async_add_carrier(name=self._carrier)
            self._carrier = carrier.name
            self._link = await async_pass_link(self.hass, passes.webhook_id, token)
        return self.async_show_form(
            step_id="carrier_link",
            data_schema=probatio.Schema({}),
            description_placeholders={"carrier": self._carrier, "link": self._link},
        )

    def _guess(self, entity_id: str) -> str:
        """The carrier a sensor's name mentions, else any carrier."""
        state = self.hass.states.get(entity_id)
        name = f"{entity_id} {state.name if state else ''}".casefold()
        return next((carrier for carrier in KNOWN_CARRIERS if carrier.casefold() in name), "*")

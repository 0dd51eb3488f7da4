"""Options flow for In-Home Delivery: timings, rules, the access point's settings, sources, speakers, a carrier link."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import probatio

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.data_entry_flow import section
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, selector

from .const import CONF_CAMERA, CONF_DOORBELL, CONF_GARAGE_DOOR, CONF_STREET_DOOR
from .core.expected import DEFAULT_DELIVERY_DAYS, DEFAULT_DELIVERY_FROM, DEFAULT_DELIVERY_UNTIL
from .core.guests import WEEKDAYS
from .flow_forms import entity_labels, expanded, flatten, nest
from .links import async_pass_link
from .services import MAX_TEXT
from .settings import (
    CONF_ASK_ON_DOORBELL,
    CONF_AUTO_LOCK,
    CONF_CAMERA_CHECK_INTERVAL,
    CONF_DELIVERY_DAYS,
    CONF_DELIVERY_FROM,
    CONF_DELIVERY_UNTIL,
    CONF_DOOR_OPEN_ALERT,
    CONF_ENTRY_TIMEOUT,
    CONF_GRACE,
    CONF_KEEP_SNAPSHOTS_DAYS,
    CONF_LIGHTS_ON,
    CONF_LOCK_WHEN_CAMERA_LOST,
    CONF_MAX_VISIT,
    CONF_ONLY_WHEN_AWAY,
    CONF_OPENING_HEIGHT,
    CONF_RECORD_VISITS,
    CONF_RELOCK_DELAY,
    CONF_REQUIRE_CAMERA,
    CONF_SOURCE_CALENDARS,
    CONF_SOURCE_COUNTERS,
    CONF_SOURCE_TRACKERS,
    CONF_SPEAK_LANGUAGE,
    CONF_SPEAK_MOMENTS,
    CONF_SPEAKERS,
    CONF_STREET_DOOR_PULSE,
    DEFAULT_OPTIONS,
    SPEAK_MOMENTS,
)
from .sources import is_own_entity
from .speech import SPOKEN_LANGUAGES
from .subentries import async_list_pass

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
    "garage": (CONF_OPENING_HEIGHT,),
    "street_door": (CONF_STREET_DOOR_PULSE,),
    "expected": (
        CONF_DELIVERY_DAYS,
        CONF_DELIVERY_FROM,
        CONF_DELIVERY_UNTIL,
        CONF_SOURCE_CALENDARS,
        CONF_SOURCE_TRACKERS,
        CONF_SOURCE_COUNTERS,
    ),
    "at_door": (CONF_SPEAKERS, CONF_SPEAK_LANGUAGE, CONF_SPEAK_MOMENTS),
}
# The Carrier link section: a carrier's name, for a link made once, never an option kept or shown again.
LINKS = "links"
NEW_CARRIER_LINK = "new_carrier_link"
# Carriers a counting sensor's name may mention (Mail and Packages names its sensors by carrier).
KNOWN_CARRIERS = ("DHL", "UPS", "FedEx", "USPS", "Amazon", "DPD", "GLS", "Hermes", "Deutsche Post", "Royal Mail")


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
        # Speakers that guide the visitor; without any, nothing is said.
        probatio.Optional("at_door"): section(
            probatio.Schema(
                {
                    probatio.Optional(CONF_SPEAKERS): selector.EntitySelector(
                        selector.EntitySelectorConfig(domain=["assist_satellite", "media_player"], multiple=True)
                    ),
                    probatio.Optional(CONF_SPEAK_LANGUAGE): selector.LanguageSelector(
                        selector.LanguageSelectorConfig(languages=list(SPOKEN_LANGUAGES), native_name=True)
                    ),
                    probatio.Optional(CONF_SPEAK_MOMENTS): selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=[str(moment) for moment in SPEAK_MOMENTS],
                            multiple=True,
                            translation_key="speak_moments",
                        )
                    ),
                }
            ),
            {"collapsed": True},
        ),
        # Not an option: a carrier name here makes that carrier's standing link, shown once on the next step.
        probatio.Optional(LINKS): section(
            probatio.Schema({probatio.Optional(NEW_CARRIER_LINK): selector.TextSelector()}), {"collapsed": True}
        ),
        # Only at a garage: how far it opens for a parcel, as Home Assistant counts a cover's position.
        probatio.Required("garage"): section(
            probatio.Schema(
                {
                    probatio.Required(CONF_OPENING_HEIGHT): selector.NumberSelector(
                        selector.NumberSelectorConfig(
                            min=5, max=100, step=5, unit_of_measurement="%", mode=selector.NumberSelectorMode.SLIDER
                        )
                    ),
                }
            ),
            {"collapsed": True},
        ),
        # Only with a street door opener that is a switch.
        probatio.Required("street_door"): section(
            probatio.Schema({probatio.Required(CONF_STREET_DOOR_PULSE): _seconds(1, 30)}), {"collapsed": True}
        ),
    }
)


def hidden_sections(data: Mapping[str, Any]) -> set[str]:
    """The option sections of hardware the entrance does not have (their stored values are kept as they are)."""
    hidden = set()
    if not data.get(CONF_GARAGE_DOOR):
        hidden.add("garage")
    if not str(data.get(CONF_STREET_DOOR) or "").startswith("switch."):
        hidden.add("street_door")
    return hidden


def options_schema(data: Mapping[str, Any]) -> probatio.Schema:
    """The options form of an entrance: without the sections of hardware it does not have."""
    hidden = hidden_sections(data)
    return probatio.Schema({key: value for key, value in OPTIONS_SCHEMA.schema.items() if str(key) not in hidden})


EXPECTED_DEFAULTS: dict[str, Any] = {
    CONF_DELIVERY_DAYS: list(DEFAULT_DELIVERY_DAYS),
    CONF_DELIVERY_FROM: DEFAULT_DELIVERY_FROM.isoformat(),
    CONF_DELIVERY_UNTIL: DEFAULT_DELIVERY_UNTIL.isoformat(),
}


class InHomeDeliveryOptionsFlow(OptionsFlow):
    """Timings and rules of an entrance (it reloads itself when they change: see __init__.py)."""

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._options: dict[str, Any] = {}
        self._carrier = ""  # a carrier to make a standing link for, after the options
        self._link: str | None = None
        self._counters: dict[str, str] = {}  # the counters step's field labels: their sensors

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
            if "at_door" in user_input:  # no moment ticked is silence, not the default of every moment
                options[CONF_SPEAK_MOMENTS] = list(user_input["at_door"].get(CONF_SPEAK_MOMENTS) or [])
            if len(self._carrier) > MAX_TEXT:  # as the add_carrier action caps it
                errors[LINKS] = "carrier_link_name_too_long"
                placeholders["max"] = str(MAX_TEXT)
            elif self._carrier and self.config_entry.state is not ConfigEntryState.LOADED:
                errors[LINKS] = "not_loaded"
            elif any(not low <= options.get(key, low) <= high for key, (low, high) in DURATION_RANGES.items()):
                errors["timings"] = "duration_out_of_range"
            elif any(is_own_entity(self.hass, entity_id) for entity_id in options.get(CONF_SOURCE_CALENDARS) or []):
                errors["expected"] = "own_calendar"
            elif not options.get(CONF_DELIVERY_DAYS):
                errors["expected"] = "no_delivery_days"
            else:
                hidden = {key for name in hidden_sections(self.config_entry.data) for key in OPTION_SECTIONS[name]}
                kept = {key: value for key, value in self.config_entry.options.items() if key in hidden}
                self._options = kept | options
                if counters:
                    return await self.async_step_counters()
                return await self._async_done(self._options | {CONF_SOURCE_COUNTERS: {}})
        current = EXPECTED_DEFAULTS | default_options(dict(self.config_entry.data)) | dict(self.config_entry.options)
        current.pop(LINKS, None)  # kept by 0.2.0: never shown again, and dropped on the next Submit
        current[CONF_SOURCE_COUNTERS] = list(current.get(CONF_SOURCE_COUNTERS) or [])
        current.setdefault(CONF_SPEAK_MOMENTS, [str(moment) for moment in SPEAK_MOMENTS])
        current |= {key: as_duration(current[key]) for key in DURATION_RANGES if key in current}
        suggested = user_input or nest(current, OPTION_SECTIONS)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                expanded(options_schema(self.config_entry.data), errors), suggested
            ),
            errors=errors,
            description_placeholders=placeholders or None,
        )

    async def async_step_counters(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the carrier each counting sensor counts parcels of (* for any); each field is labelled by the sensor's name."""
        if user_input is not None:
            named = {
                entity_id: str(user_input.get(label) or "*").strip() or "*"
                for label, entity_id in self._counters.items()
            }
            return await self._async_done(self._options | {CONF_SOURCE_COUNTERS: named})
        self._counters = entity_labels(self.hass, self._options.get(CONF_SOURCE_COUNTERS) or [])
        known = dict(self.config_entry.options.get(CONF_SOURCE_COUNTERS) or {})
        schema = probatio.Schema(
            {
                probatio.Required(
                    label, default=known.get(entity_id) or self._guess(entity_id)
                ): selector.TextSelector()
                for label, entity_id in self._counters.items()
            }
        )
        return self.async_show_form(step_id="counters", data_schema=schema)

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
            try:
                carrier, token = await passes.async_add_carrier(name=self._carrier)
            except HomeAssistantError:  # not on disk: no link, and the options are not saved either
                return self.async_abort(reason="pass_not_stored")
            async_list_pass(self.hass, self.config_entry, carrier)  # on the entrance's page, with its device
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

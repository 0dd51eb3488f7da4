"""The forms of the guest and carrier subentry flows: fields, selectors, and how a link and a code are shown."""

from __future__ import annotations

import probatio
import segno

from homeassistant.data_entry_flow import section
from homeassistant.helpers import selector

from .core.guests import WEEKDAYS

SEND_TO = "send_to"
CODE = "code"  # the form's "Also give a keypad code"; never kept in the subentry
# Errors shown at the field they concern; every other one above the form.
FIELD_OF = {
    "guest_name_missing": "name",
    "carrier_name_missing": "name",
    "guest_unknown_weekday": "weekdays",
    "guest_empty_window": "end_time",
}

WEEKDAYS_SELECTOR = selector.SelectSelector(
    selector.SelectSelectorConfig(
        options=list(WEEKDAYS), multiple=True, translation_key="weekdays", mode=selector.SelectSelectorMode.LIST
    )
)
NAME = selector.TextSelector()
TIME = selector.TimeSelector()
DURATION = selector.DurationSelector(selector.DurationSelectorConfig(enable_day=True))
MOMENT = selector.DateTimeSelector()
USES = selector.NumberSelector(
    selector.NumberSelectorConfig(min=1, max=100000, step=1, mode=selector.NumberSelectorMode.BOX)
)

WEEKLY_FIELDS = {
    probatio.Optional("weekdays"): WEEKDAYS_SELECTOR,
    probatio.Optional("start_time"): TIME,
    probatio.Optional("end_time"): TIME,
}
GUEST_SCHEMA = probatio.Schema(
    {
        probatio.Required("name"): NAME,
        **WEEKLY_FIELDS,
        probatio.Required("repeat"): section(
            probatio.Schema(
                {probatio.Optional("rrule"): selector.TextSelector(), probatio.Optional("duration"): DURATION}
            ),
            {"collapsed": True},
        ),
        probatio.Required("limits"): section(
            probatio.Schema(
                {
                    probatio.Optional("valid_from"): MOMENT,
                    probatio.Optional("valid_until"): MOMENT,
                    probatio.Optional("max_uses"): USES,
                    probatio.Optional("max_visit"): DURATION,
                }
            ),
            {"collapsed": True},
        ),
    }
)
CARRIER_SCHEMA = probatio.Schema({probatio.Required("name"): NAME, **WEEKLY_FIELDS})


def with_code_field(schema: probatio.Schema) -> probatio.Schema:
    """The form with "Also give a keypad code", after the fields and before the folded sections."""
    fields = {key: value for key, value in schema.schema.items() if not isinstance(value, section)}
    sections = {key: value for key, value in schema.schema.items() if isinstance(value, section)}
    return probatio.Schema({**fields, probatio.Optional(CODE, default=False): selector.BooleanSelector(), **sections})


def spoken(secret: str) -> str:
    """The digits in groups of three (of two at the end rather than a lone digit), as one reads them out."""
    groups = [secret[start : start + 3] for start in range(0, len(secret), 3)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2:] = [groups[-2][:2], groups[-2][2] + groups[-1]]
    return " ".join(groups)


def qr_code(link: str) -> str:
    """The link as a QR code, a PNG data URI made here (no outside service ever sees the link)."""
    return segno.make(link, error="m").png_data_uri(scale=5, border=2)

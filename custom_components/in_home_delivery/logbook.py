"""The logbook says who came and how: "Front door let DHL, parcel 0034… in with the carrier link"."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_ENTITY_ID, LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .const import CONF_GARAGE_DOOR, DOMAIN, EVENT_IN_HOME_DELIVERY
from .core.when import spoken_duration
from .core.wording import variant
from .reporting import own_lock_entity_id
from .texts import async_get_cached_texts


class LogbookTexts:
    """The texts of In-Home Delivery in the language of Home Assistant (English where one is missing)."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Read the cached texts (loaded when the entrance is set up)."""
        self.hass = hass

    def __call__(self, key: str, *suffixes: str, **placeholders: str) -> str:
        """A text (its most specific variant among suffixes), with its placeholders filled in."""
        texts = async_get_cached_texts(self.hass, self.hass.config.language)
        if (template := texts.get(variant(texts, key, suffixes))) is None:
            return key
        try:
            return template.format(**placeholders)
        except KeyError, IndexError, ValueError:
            return template


def describe(data: Mapping[str, Any], texts: LogbookTexts, *, garage: bool = False) -> str:
    """The logbook line of one event, after the entrance's name; a garage door's in its own words."""
    kind, label, admitted_by = data.get("pass_kind"), str(data.get("pass_label") or ""), data.get("admitted_by")
    event_type, reason = str(data.get("type")), str(data.get("reason") or "")
    words = ("_garage",) if garage else ()
    key = f"logbook_{event_type}"
    if event_type == "completed" and data.get("resumed"):
        key = "logbook_completed_resumed"  # the length would count the downtime: it is not told
    if kind == "owner":
        # Without a pass it was the owner's word: the visitor is "your visitor", or "you" after an
        # unlock by hand; some sentences read better in a form of their own.
        who = texts("logbook_you") if admitted_by == "auto_lock" else texts("logbook_your_visitor")
        key = next((own for own in (f"{key}_{admitted_by}", f"{key}_owner") if texts(own) != own), key)
    elif kind == "carrier":
        who = texts("logbook_carrier_link", carrier=label)
    else:
        who = label
    placeholders = {"who": who, "how": texts(f"logbook_by_{admitted_by}", *words) if admitted_by else ""}
    if event_type == "denied":
        placeholders["reason"] = texts(f"reason_{reason}", *words) if reason else ""
    elif event_type == "relock_failed":
        # The access point's state, in the lock's words (a garage door's translated back to its own).
        state = f"logbook_state_{reason}"
        placeholders["reason"] = text if (text := texts(state, *words)) != state else reason
    elif event_type == "completed":
        placeholders["duration"] = spoken_duration(int(data.get("duration") or 0), texts)
        placeholders["outcome"] = texts(f"logbook_outcome_{reason or 'locked'}", *words)
    return texts(key, *words, **placeholders)


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the entrance's events for the logbook."""
    texts = LogbookTexts(hass)

    @callback
    def async_describe(event: Event) -> dict[str, str]:
        entry_id = str(event.data.get("config_entry_id"))
        entry = hass.config_entries.async_get_entry(entry_id)
        description = {
            LOGBOOK_ENTRY_NAME: entry.title if entry else texts("logbook_entrance"),
            LOGBOOK_ENTRY_MESSAGE: describe(event.data, texts, garage=bool(entry and entry.data.get(CONF_GARAGE_DOOR))),
        }
        # Shown with the entrance's lock: a logbook card of that lock tells the visits beside its states.
        # (Events recorded before they carried entity_id are linked by looking the lock up.)
        if lock := event.data.get("entity_id") or own_lock_entity_id(hass, entry_id):
            description[LOGBOOK_ENTRY_ENTITY_ID] = str(lock)
        return description

    async_describe_event(DOMAIN, EVENT_IN_HOME_DELIVERY, async_describe)

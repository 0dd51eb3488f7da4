"""Guests and carrier links as subentries of their entrance (types `guest` and `carrier`).

The pass book decides who may come. Each guest and carrier link that is not revoked is also a subentry
of the entrance, so the owner sees, edits and deletes them on the integration's page, and each is a
device with its own entities. `async_sync` brings the two in line, at start and whenever the subentries
change, without reloading the entrance (a running visit runs on):

- a pass without a subentry gets one: made before subentries existed, by an action, or in a flow left at
  its link step. Once it was listed, a pass whose subentry is gone was deleted by the owner: revoked at
  once, even while a change of it is still being written (or waits for a disk that failed).
- a subentry whose pass is revoked goes; one whose pass is missing (a pass database started empty) gets a
  new pass from its data, suspended, whose link must be renewed and which an administrator must allow.
- a subentry's title and data follow its pass, which is always written first.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from datetime import datetime, time, timedelta
import logging
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .core.carriers import Carrier
from .core.guests import Guest, GuestTerms, Schedule

if TYPE_CHECKING:
    from .passbook import PassBook

_LOGGER = logging.getLogger(__name__)

GUEST = "guest"
CARRIER = "carrier"
PASS_ID = "pass_id"

# The guest form's sections: which keys each holds (the subentry's data stays flat).
GUEST_SECTIONS: dict[str, tuple[str, ...]] = {
    "repeat": ("rrule", "duration"),
    "limits": ("valid_from", "valid_until", "max_uses", "max_visit"),
}


def _duration(value: timedelta | None) -> dict[str, int] | None:
    """A duration as Home Assistant's duration selector holds it."""
    if value is None:
        return None
    seconds = int(value.total_seconds())
    return {
        "days": seconds // 86400,
        "hours": seconds % 86400 // 3600,
        "minutes": seconds % 3600 // 60,
        "seconds": seconds % 60,
    }


def _local(value: datetime | None) -> str | None:
    """A moment as the date-time selector holds it: the home's local time, without a zone."""
    return None if value is None else dt_util.as_local(value).strftime("%Y-%m-%d %H:%M:%S")


def _time(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M:%S")


def guest_values(guest: Guest) -> dict[str, Any]:
    """A guest as its subentry keeps it (the form's values, flat, without the token)."""
    schedule = guest.schedule
    values: dict[str, Any] = {
        PASS_ID: guest.pass_id,
        "name": guest.name,
        "weekdays": list(schedule.weekdays),
        "start_time": _time(schedule.start_time),
        "end_time": _time(schedule.end_time),
        "rrule": schedule.rrule,
        "duration": _duration(schedule.duration),
        "valid_from": _local(guest.valid_from),
        "valid_until": _local(guest.valid_until),
        "max_uses": guest.max_uses,
        "max_visit": _duration(guest.max_visit),
    }
    return {key: value for key, value in values.items() if value not in (None, [])}


def carrier_values(carrier: Carrier) -> dict[str, Any]:
    """A carrier's link as its subentry keeps it."""
    hours = carrier.hours
    values: dict[str, Any] = {
        PASS_ID: carrier.pass_id,
        "name": carrier.name,
        "weekdays": list(hours.weekdays) if hours else None,
        "start_time": _time(hours.start_time) if hours else None,
        "end_time": _time(hours.end_time) if hours else None,
    }
    return {key: value for key, value in values.items() if value not in (None, [])}


def pass_values(item: Guest | Carrier) -> dict[str, Any]:
    """A guest's or carrier's subentry data."""
    return guest_values(item) if isinstance(item, Guest) else carrier_values(item)


def to_timedelta(value: Any) -> timedelta | None:
    """A duration selector's value (or seconds) as a timedelta; None where empty or zero."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        result = timedelta(seconds=value)
    else:
        result = timedelta(**{key: float(value.get(key) or 0) for key in ("days", "hours", "minutes", "seconds")})
    return result or None


def to_datetime(value: Any) -> datetime | None:
    """A date-time selector's value (the home's local time) as an aware datetime."""
    if value in (None, ""):
        return None
    parsed = dt_util.parse_datetime(str(value))
    if parsed is None:
        raise ValueError(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt_util.get_default_time_zone())


def to_time(value: Any) -> time | None:
    """A time selector's value."""
    return None if value in (None, "") else time.fromisoformat(str(value))


def weekly(values: dict[str, Any]) -> Schedule | None:
    """Weekdays and times, where any of them is given (the pass book says what is missing)."""
    weekdays = tuple(str(day).strip().lower() for day in values.get("weekdays") or ())
    start, end = to_time(values.get("start_time")), to_time(values.get("end_time"))
    if not weekdays and start is None and end is None:
        return None
    return Schedule(weekdays=weekdays, start_time=start, end_time=end)


def guest_terms(values: dict[str, Any]) -> GuestTerms:
    """A guest's terms, from subentry data or the form (flat)."""
    rrule = (values.get("rrule") or "").strip() or None
    schedule = weekly(values) or Schedule()
    if rrule is not None:
        schedule = replace(schedule, rrule=rrule, duration=to_timedelta(values.get("duration")))
    max_uses = values.get("max_uses")
    return GuestTerms(
        name=str(values.get("name") or ""),
        schedule=schedule,
        valid_from=to_datetime(values.get("valid_from")),
        valid_until=to_datetime(values.get("valid_until")),
        max_uses=int(max_uses) if isinstance(max_uses, int | float | str) and max_uses != "" else None,
        max_visit=to_timedelta(values.get("max_visit")),
    )


def carrier_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The pass book's arguments for a carrier's link, from subentry data or the form."""
    return {"name": str(values.get("name") or ""), "hours": weekly(values)}


@callback
def async_list_pass(hass: HomeAssistant, entry: ConfigEntry, item: Guest | Carrier) -> None:
    """Show a new guest or carrier link as a subentry of the entrance (the actions' way)."""
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType(pass_values(item)),
            subentry_type=item.kind,
            title=item.label,
            unique_id=item.pass_id,
        ),
    )


@callback
def async_delist_pass(hass: HomeAssistant, entry: ConfigEntry, pass_id: str) -> None:
    """Remove a revoked pass's subentry (and with it its device and entities)."""
    for subentry in list(entry.subentries.values()):
        if subentry.unique_id == pass_id:
            hass.config_entries.async_remove_subentry(entry, subentry.subentry_id)


async def async_sync(hass: HomeAssistant, entry: ConfigEntry, passes: PassBook, *, full: bool = False) -> None:
    """Bring the entrance's subentries and its guests and carrier links in line (see the module's text).

    full (at start): each subentry's title and data are also brought in line with its pass. Otherwise
    (after each change of a subentry) they are not compared: the flows and actions write both, so each
    change costs a dictionary lookup per guest, and a thousand guests added one by one stay fast.
    """
    async with passes.sync_lock:  # one at a time: each change of a subentry asks again
        await _async_sync(hass, entry, passes, full=full)


async def _async_sync(hass: HomeAssistant, entry: ConfigEntry, passes: PassBook, *, full: bool) -> None:
    subentries = {
        subentry.unique_id: subentry
        for subentry in entry.subentries.values()
        if subentry.subentry_type in (GUEST, CARRIER)
    }
    for item in list(passes.standing_passes()):
        if item.pass_id in passes.handing_over and item.pass_id in subentries:
            passes.handing_over.discard(item.pass_id)  # its flow ended with the subentry
        if item.pass_id in passes.handing_over:
            continue  # a flow shows its link: its subentry follows
        subentry = subentries.pop(item.pass_id, None)
        if subentry is None and item.listed:
            # Deleted by the owner: closed at once, whatever change of it is still being written.
            passes.revoke_delisted(item.pass_id)
            continue
        if not passes.stored(item.pass_id):
            continue  # being made or changed: its subentry follows, or follows it, once it is on disk
        if subentry is None:
            async_list_pass(hass, entry, item)
            passes.mark_listed(item.pass_id)
            continue
        passes.mark_listed(item.pass_id)
        if full and (dict(subentry.data) != (values := pass_values(item)) or subentry.title != item.label):
            hass.config_entries.async_update_subentry(entry, subentry, data=values, title=item.label)
    _name_devices(hass, entry, passes.device_names)
    for pass_id, subentry in subentries.items():
        if pass_id is None or pass_id in passes.handing_over:
            continue
        if passes.find_pass(pass_id) is not None:  # revoked, or its change not yet on disk
            if not passes.stored(pass_id):
                continue
            hass.config_entries.async_remove_subentry(entry, subentry.subentry_id)
            continue
        await _async_pass_again(hass, entry, passes, subentry)


@callback
def _name_devices(hass: HomeAssistant, entry: ConfigEntry, named: dict[str, str]) -> None:
    """A guest renamed on the page: its device takes the new name (one the owner gave it stays).

    named: the title each subentry's device was last given a name for (only a new title is looked up).
    """
    devices = dr.async_get(hass)
    for subentry in entry.subentries.values():
        if named.get(subentry.subentry_id) == subentry.title:
            continue
        named[subentry.subentry_id] = subentry.title
        device = devices.async_get_device_by_identifier(
            (DOMAIN, f"{entry.entry_id}_{subentry.subentry_id}"), entry.entry_id
        )
        if device is not None and device.name != subentry.title:
            devices.async_update_device(device.id, name=subentry.title)


async def _async_pass_again(
    hass: HomeAssistant, entry: ConfigEntry, passes: PassBook, subentry: ConfigSubentry
) -> None:
    """A subentry whose pass is gone from the database: a new pass from its data, suspended (nobody has its link)."""
    data = dict(subentry.data)
    item: Guest | Carrier
    try:
        if subentry.subentry_type == GUEST:
            item, _token = await passes.async_add_guest(guest_terms(data), listed=True)
        else:
            item, _token = await passes.async_add_carrier(**carrier_fields(data), listed=True)
    except (HomeAssistantError, ValueError) as err:
        _LOGGER.warning("%s: %s cannot be made again from its settings (%s)", entry.title, subentry.title, err)
        return
    _LOGGER.warning(
        "%s: %s was missing from the pass database and was made again, suspended; renew its link and allow it",
        entry.title,
        subentry.title,
    )
    hass.config_entries.async_update_subentry(
        entry, subentry, data=pass_values(item), title=item.label, unique_id=item.pass_id
    )
    # Whether the owner had suspended it, or its visits were used up, was lost with the database: it
    # opens nothing until an administrator allows it again (a change not on disk is written later).
    with suppress(HomeAssistantError):
        await passes.async_suspend(item.pass_id, True)

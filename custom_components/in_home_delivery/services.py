"""The integration's actions, registered once and looking their entrance up by config entry id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from functools import partial
from typing import Any

import probatio

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_get_config_entry, async_register_admin_service
from homeassistant.util import dt as dt_util

from .const import ATTR_PASS_ID, DOMAIN
from .controller import EntranceController
from .core.door import Owner
from .core.guests import GuestTerms, Schedule
from .data import InHomeDeliveryConfigEntry
from .keypad import KeypadCodes
from .links import async_pass_link
from .passchanges import validation_error
from .subentries import async_delist_pass, async_list_pass

ATTR_DELIVERY_ID = "delivery_id"
ATTR_WINDOW_START = "window_start"
ATTR_WINDOW_END = "window_end"
DELIVERY_FIELDS = ("carrier", "description", "tracking_number")
MAX_TEXT = 200

ENTRANCE_SCHEMA = probatio.Schema({probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string})
TEXT = probatio.All(cv.string, probatio.Length(max=MAX_TEXT))
CODE = {probatio.Optional("code", default=False): cv.boolean}  # a keypad code too, answered once
DELIVERY_SCHEMA = ENTRANCE_SCHEMA.extend(
    {
        **CODE,
        probatio.Required(ATTR_WINDOW_START): cv.datetime,
        probatio.Required(ATTR_WINDOW_END): cv.datetime,
        **{probatio.Optional(field): TEXT for field in DELIVERY_FIELDS},
    }
)
UPDATE_DELIVERY_SCHEMA = ENTRANCE_SCHEMA.extend(
    {
        probatio.Required(ATTR_DELIVERY_ID): cv.string,
        probatio.Optional(ATTR_WINDOW_START): cv.datetime,
        probatio.Optional(ATTR_WINDOW_END): cv.datetime,
        **{probatio.Optional(field): TEXT for field in DELIVERY_FIELDS},
    }
)
DELIVERY_ID_SCHEMA = ENTRANCE_SCHEMA.extend({probatio.Required(ATTR_DELIVERY_ID): cv.string})
PASS_ID_SCHEMA = ENTRANCE_SCHEMA.extend({probatio.Required(ATTR_PASS_ID): cv.string})
ADMIT_SCHEMA = ENTRANCE_SCHEMA.extend(
    {probatio.Optional(ATTR_PASS_ID): cv.string, probatio.Optional("street_door", default=False): cv.boolean}
)
ADD_GUEST_SCHEMA = ENTRANCE_SCHEMA.extend(
    {
        **CODE,
        probatio.Required("name"): probatio.All(cv.string, probatio.Length(min=1, max=MAX_TEXT)),
        # Weekday names are checked by the pass book, so that a typo gets a translated error.
        probatio.Optional("weekdays"): probatio.All(cv.ensure_list, [cv.string]),
        probatio.Optional("start_time"): cv.time,
        probatio.Optional("end_time"): cv.time,
        probatio.Optional("rrule"): probatio.All(cv.string, probatio.Length(max=500)),
        probatio.Optional("duration"): cv.positive_time_period,
        probatio.Optional("valid_from"): cv.datetime,
        probatio.Optional("valid_until"): cv.datetime,
        probatio.Optional("max_uses"): probatio.All(probatio.Coerce(int), probatio.Range(min=1)),
        probatio.Optional("max_visit"): cv.positive_time_period,
    }
)
GUEST_ID_SCHEMA = ENTRANCE_SCHEMA.extend({probatio.Required("guest_id"): cv.string})
HOURS_FIELDS = {
    probatio.Optional("weekdays"): probatio.All(cv.ensure_list, [cv.string]),
    probatio.Optional("start_time"): cv.time,
    probatio.Optional("end_time"): cv.time,
}
ADD_CARRIER_SCHEMA = ENTRANCE_SCHEMA.extend(
    {
        **CODE,
        probatio.Required("name"): probatio.All(cv.string, probatio.Length(min=1, max=MAX_TEXT)),
        # The hours as one object (`hours:`), or as the form's three fields.
        probatio.Optional("hours"): probatio.Schema(HOURS_FIELDS),
        **HOURS_FIELDS,
    }
)
CARRIER_ID_SCHEMA = ENTRANCE_SCHEMA.extend({probatio.Required("carrier_id"): cv.string})


def _controller(call: ServiceCall) -> EntranceController:
    entry: InHomeDeliveryConfigEntry = async_get_config_entry(call.hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID])
    return entry.runtime_data.controller


def _local(value: Any) -> Any:
    """Datetimes without a zone are the home's local time."""
    return dt_util.as_local(value) if value is not None and value.tzinfo is None else value


def _keypad(controller: EntranceController, *, slot: bool = True) -> KeypadCodes:
    """The entrance's keypad, with a slot free for one more code; else a translated error, before anything changes."""
    if controller.keypad is None or controller.keypad.retiring:
        raise validation_error("no_keypad", entrance=controller.name)
    if slot and not controller.keypad.has_free_slot():
        raise validation_error("no_code_slot", entrance=controller.name)
    return controller.keypad


async def _async_nothing() -> None:
    """Nothing to undo."""


async def _async_give_code(
    keypad: KeypadCodes, pass_id: str, *, one_time: bool, undo: Callable[[], Awaitable[None]]
) -> dict[str, Any]:
    """Give the new pass its code; where the code cannot be kept, the pass made for it is closed again."""
    try:
        code = await keypad.async_issue(pass_id, one_time=one_time)
    except ServiceValidationError:
        with suppress(HomeAssistantError):
            await undo()
        raise
    return {"code": code.secret, "code_slot": code.slot}


async def _async_admit(call: ServiceCall) -> None:
    """The owner lets someone in now, for a pass or without one."""
    controller = _controller(call)
    pass_id = call.data.get(ATTR_PASS_ID)
    if call.data["street_door"]:
        # The owner's word: no pass, window or limit applies (an admin action: only admins get here).
        await controller.async_open_street_door(asker=Owner(admin=True))
        return
    await controller.async_admit(controller.passes.get(pass_id) if pass_id else None, asker=Owner(admin=True))


async def _async_end_visit(call: ServiceCall) -> None:
    """Lock now and end the running visit."""
    await _controller(call).async_end_visit(Owner(admin=False))


async def _async_schedule_delivery(call: ServiceCall) -> ServiceResponse:
    """Schedule a delivery and answer its one-time link."""
    controller = _controller(call)
    # With a tracking number it may be an update of a delivery that has its code: a slot is looked for later.
    keypad = _keypad(controller, slot=not call.data.get("tracking_number")) if call.data["code"] else None
    delivery, token = await controller.passes.async_schedule_delivery(
        window_start=_local(call.data[ATTR_WINDOW_START]),
        window_end=_local(call.data[ATTR_WINDOW_END]),
        **{field: call.data.get(field) for field in DELIVERY_FIELDS},
    )
    answer: dict[str, Any] = {ATTR_DELIVERY_ID: delivery.pass_id, "status": delivery.status.value}
    if token is None:
        # The same tracking number again: that delivery, updated; its link (and code) were given when it was made.
        answer["updated"] = True
        if keypad is not None and (code := keypad.code_of(delivery.pass_id)) is not None:
            return answer | {"code_slot": code.slot}
    else:
        answer |= {"link": await async_pass_link(call.hass, controller.passes.webhook_id, token), "token": token}
    if keypad is not None:
        # A new delivery whose code cannot be given is cancelled again; an updated one stays as it was changed.
        undo = partial(controller.passes.async_cancel_delivery, delivery.pass_id) if token else _async_nothing
        answer |= await _async_give_code(keypad, delivery.pass_id, one_time=True, undo=undo)
    return answer


async def _async_update_delivery(call: ServiceCall) -> None:
    """Change a scheduled delivery."""
    changes = {key: call.data.get(key) for key in (ATTR_WINDOW_START, ATTR_WINDOW_END, *DELIVERY_FIELDS)}
    changes[ATTR_WINDOW_START] = _local(changes[ATTR_WINDOW_START])
    changes[ATTR_WINDOW_END] = _local(changes[ATTR_WINDOW_END])
    await _controller(call).passes.async_update_delivery(call.data[ATTR_DELIVERY_ID], **changes)


async def _async_cancel_delivery(call: ServiceCall) -> None:
    """Cancel a delivery; its link stops working."""
    await _controller(call).passes.async_cancel_delivery(call.data[ATTR_DELIVERY_ID])


async def _async_renew_link(call: ServiceCall) -> ServiceResponse:
    """Give a pass a new link; the old one stops working."""
    controller = _controller(call)
    _, token = await controller.passes.async_renew_link(call.data[ATTR_PASS_ID])
    return {"link": await async_pass_link(call.hass, controller.passes.webhook_id, token), "token": token}


async def _async_add_guest(call: ServiceCall) -> ServiceResponse:
    """Give someone recurring access and answer their link."""
    controller = _controller(call)
    data = call.data
    keypad = _keypad(controller) if data["code"] else None
    guest, token = await controller.passes.async_add_guest(
        GuestTerms(
            name=data["name"],
            schedule=Schedule(
                weekdays=tuple(day.strip().lower() for day in data.get("weekdays", [])),
                start_time=data.get("start_time"),
                end_time=data.get("end_time"),
                rrule=data.get("rrule"),
                duration=data.get("duration"),
            ),
            valid_from=_local(data.get("valid_from")),
            valid_until=_local(data.get("valid_until")),
            max_uses=data.get("max_uses"),
            max_visit=data.get("max_visit"),
        )
    )
    answer: dict[str, Any] = {}
    if keypad is not None:
        undo = partial(controller.passes.async_remove_guest, guest.pass_id)
        answer = await _async_give_code(keypad, guest.pass_id, one_time=False, undo=undo)
    async_list_pass(call.hass, controller.entry, guest)  # shown on the entrance's page, with its device
    link = await async_pass_link(call.hass, controller.passes.webhook_id, token)
    return {"guest_id": guest.pass_id, "link": link, "token": token} | answer


async def _async_remove_guest(call: ServiceCall) -> None:
    """Revoke a guest's access at once, and remove it from the entrance's page.

    A revocation the disk refused is kept (the link opens nothing) and written later: the page loses the
    guest all the same, and the error says the change is pending.
    """
    controller = _controller(call)
    try:
        await controller.passes.async_remove_guest(call.data["guest_id"])
    finally:
        async_delist_pass(call.hass, controller.entry, call.data["guest_id"])


async def _async_add_carrier(call: ServiceCall) -> ServiceResponse:
    """Give a carrier's drivers a standing link, for the carrier's delivery instructions."""
    controller = _controller(call)
    keypad = _keypad(controller) if call.data["code"] else None
    hours = call.data.get("hours") or {
        key: call.data[key] for key in ("weekdays", "start_time", "end_time") if key in call.data
    }
    schedule = None
    if hours:
        schedule = Schedule(
            weekdays=tuple(day.strip().lower() for day in hours.get("weekdays", [])),
            start_time=hours.get("start_time"),
            end_time=hours.get("end_time"),
        )
    carrier, token = await controller.passes.async_add_carrier(name=call.data["name"], hours=schedule)
    answer: dict[str, Any] = {}
    if keypad is not None:
        undo = partial(controller.passes.async_remove_carrier, carrier.pass_id)
        answer = await _async_give_code(keypad, carrier.pass_id, one_time=False, undo=undo)
    async_list_pass(call.hass, controller.entry, carrier)  # shown on the entrance's page, with its device
    link = await async_pass_link(call.hass, controller.passes.webhook_id, token)
    return {"carrier_id": carrier.pass_id, "link": link, "token": token} | answer


async def _async_remove_carrier(call: ServiceCall) -> None:
    """Revoke a carrier's link at once, and remove it from the entrance's page (as for a guest)."""
    controller = _controller(call)
    try:
        await controller.passes.async_remove_carrier(call.data["carrier_id"])
    finally:
        async_delist_pass(call.hass, controller.entry, call.data["carrier_id"])


async def _async_renew_code(call: ServiceCall) -> ServiceResponse:
    """Give a pass a new keypad code in its slot; the old one leaves the lock at once."""
    controller = _controller(call)
    item = controller.passes.get(call.data[ATTR_PASS_ID])
    if controller.keypad is None or controller.keypad.retiring:
        raise validation_error("no_keypad", entrance=controller.name)
    if not item.open_at(dt_util.utcnow()):
        raise validation_error("pass_closed", pass_id=item.pass_id)
    code = await controller.keypad.async_renew(item.pass_id)
    return {"code": code.secret, "code_slot": code.slot}


async def _async_list_passes(call: ServiceCall) -> ServiceResponse:
    """Every pass of the entrance with its status (and its code's slot and state), without tokens or codes."""
    controller = _controller(call)
    passes, keypad = controller.passes, controller.keypad
    return {
        "passes": [passes.describe(item) | (keypad.describe(item.pass_id) if keypad else {}) for item in passes.all()]
    }


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions of In-Home Delivery.

    Whatever mints a link, changes a pass, lists the passes or opens the door is for administrators
    only; ending a visit (which locks) is open to every user.
    """
    hass.services.async_register(DOMAIN, "end_visit", _async_end_visit, schema=ENTRANCE_SCHEMA)
    admin = partial(async_register_admin_service, hass, DOMAIN)
    admin("admit", _async_admit, ADMIT_SCHEMA)
    admin("schedule_delivery", _async_schedule_delivery, DELIVERY_SCHEMA, SupportsResponse.OPTIONAL)
    admin("update_delivery", _async_update_delivery, UPDATE_DELIVERY_SCHEMA)
    admin("cancel_delivery", _async_cancel_delivery, DELIVERY_ID_SCHEMA)
    admin("renew_link", _async_renew_link, PASS_ID_SCHEMA, SupportsResponse.OPTIONAL)
    admin("add_guest", _async_add_guest, ADD_GUEST_SCHEMA, SupportsResponse.OPTIONAL)
    admin("remove_guest", _async_remove_guest, GUEST_ID_SCHEMA)
    admin("add_carrier", _async_add_carrier, ADD_CARRIER_SCHEMA, SupportsResponse.OPTIONAL)
    admin("remove_carrier", _async_remove_carrier, CARRIER_ID_SCHEMA)
    admin("list_passes", _async_list_passes, ENTRANCE_SCHEMA, SupportsResponse.ONLY)
    admin("renew_code", _async_renew_code, PASS_ID_SCHEMA, SupportsResponse.ONLY)

"""Calendars of an entrance: deliveries (created, moved and deleted from the calendar UI, by administrators)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, override

from homeassistant.components import persistent_notification
from homeassistant.components.calendar import CalendarEntity, CalendarEntityDescription, CalendarEvent
from homeassistant.components.calendar.const import (
    EVENT_DESCRIPTION,
    EVENT_END,
    EVENT_START,
    EVENT_SUMMARY,
    CalendarEntityFeature,
)
from homeassistant.components.websocket_api.connection import current_connection
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .coordinator import EntranceCoordinator
from .core.commands import Message
from .core.guests import Guest
from .core.passes import Delivery, DeliveryStatus
from .data import InHomeDeliveryConfigEntry
from .entity import InHomeDeliveryEntity
from .house import House
from .links import async_pass_link
from .messages import Messages
from .passbook import PassBook
from .passchanges import validation_error

PARALLEL_UPDATES = 0

DELIVERIES = CalendarEntityDescription(key="deliveries", translation_key="deliveries")
GUEST_ACCESS = CalendarEntityDescription(key="guest_access", translation_key="guest_access")

# The context of the action this task is carrying out on a deliveries calendar. An entity action
# (calendar.create_event) hands the entity its context just before calling it; the calendar UI's
# websocket commands call the entity with none, from a task of the user's websocket connection. The
# entity's own _context is no help: it outlives the call it came with by seconds.
_ACTION_CONTEXT: ContextVar[Context | None] = ContextVar("in_home_delivery_calendar_action", default=None)


async def async_setup_entry(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the entrance's calendars."""
    controller = entry.runtime_data.controller
    coordinator = controller.coordinator
    async_add_entities(
        [
            DeliveriesCalendar(
                coordinator=coordinator,
                description=DELIVERIES,
                passes=controller.passes,
                messages=controller.messages,
                house=controller.house,
            ),
            GuestAccessCalendar(coordinator=coordinator, description=GUEST_ACCESS, passes=controller.passes),
        ]
    )


def delivery_event(delivery: Delivery) -> CalendarEvent:
    """A delivery as a calendar event."""
    details = [f"{delivery.status}"]
    details += [value for value in (delivery.description, delivery.tracking_number) if value]
    return CalendarEvent(
        start=dt_util.as_local(delivery.window_start),
        end=dt_util.as_local(delivery.window_end),
        summary=delivery.title,
        description="\n".join(details),
        uid=delivery.pass_id,
    )


def _window(event: dict[str, Any]) -> tuple[datetime, datetime]:
    start, end = event[EVENT_START], event[EVENT_END]
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise validation_error("not_a_datetime")
    return start, end


async def async_require_admin(hass: HomeAssistant, entity_id: str) -> None:
    """Refuse whoever is not an administrator, as the integration's own actions do.

    Who asks: the user of the action being carried out, else the user of the websocket connection (the
    calendar UI). An automation or a script without a user may, as with the actions.
    """
    context = _ACTION_CONTEXT.get()
    if context is not None:
        user_id = context.user_id
    elif (connection := current_connection.get()) is not None:
        user_id = connection.user.id
    else:
        return
    if user_id is None:
        return
    if (user := await hass.auth.async_get_user(user_id)) is None or not user.is_admin:  # a removed user too
        raise Unauthorized(context=context, user_id=user_id, entity_id=entity_id)


class DeliveriesCalendar(InHomeDeliveryEntity, CalendarEntity):
    """Every delivery of the entrance, by its window; only administrators create, move or delete one.

    A delivery opens the door: to its courier, and to the carrier's standing link, which every driver of
    that carrier can read.
    """

    def __init__(
        self,
        *,
        coordinator: EntranceCoordinator,
        description: EntityDescription,
        passes: PassBook,
        messages: Messages,
        house: House,
    ) -> None:
        """Read and write the entrance's deliveries; tell the owner a link made here."""
        super().__init__(coordinator=coordinator, description=description)
        self.passes = passes
        self.messages = messages
        self.house = house

    _attr_supported_features = (
        CalendarEntityFeature.CREATE_EVENT | CalendarEntityFeature.DELETE_EVENT | CalendarEntityFeature.UPDATE_EVENT
    )

    @override
    def async_set_context(self, context: Context) -> None:
        """Remember, for this task only, the action that is about to call the entity."""
        super().async_set_context(context)
        _ACTION_CONTEXT.set(context)

    @property
    @override
    def event(self) -> CalendarEvent | None:
        """The delivery now or next."""
        delivery = self.passes.next_delivery(dt_util.utcnow())
        return delivery_event(delivery) if delivery else None

    @override
    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Deliveries whose window overlaps the range."""
        return [
            delivery_event(item)
            for item in self.passes.deliveries(start_date, end_date)
            if item.status is not DeliveryStatus.CANCELLED
        ]

    @override
    async def async_create_event(self, **kwargs: Any) -> None:
        """Schedule a delivery, and send its link to the owner.

        The link goes to the owner's notify targets (a persistent notification where the entrance has
        none, which every user can read). A lost link is one renew_link away.
        """
        await async_require_admin(self.hass, self.entity_id)
        start, end = _window(kwargs)
        passes = self.passes
        delivery, token = await passes.async_schedule_delivery(
            window_start=start,
            window_end=end,
            carrier=kwargs.get(EVENT_SUMMARY),
            description=kwargs.get(EVENT_DESCRIPTION),
        )
        if token is None:  # made without a tracking number: always a new delivery with its token
            return
        link = await async_pass_link(self.hass, passes.webhook_id, token)
        notification = await self.messages.notification(
            Message.LINK_CREATED,
            None,
            placeholders={
                "who": delivery.label,
                "window": self.messages.window(delivery.window_start, delivery.window_end),
                "link": link,
            },
        )
        tag = f"in_home_delivery_link_{delivery.pass_id}"
        if self.house.notify_targets:
            # The owner's phones keep it; every user of the instance can read a persistent notification.
            await self.house.notify(replace(notification, tag=tag))
        else:
            persistent_notification.async_create(self.hass, notification.message, notification.title, tag)

    @override
    async def async_delete_event(
        self, uid: str, recurrence_id: str | None = None, recurrence_range: str | None = None
    ) -> None:
        """Cancel the delivery."""
        await async_require_admin(self.hass, self.entity_id)
        await self.passes.async_cancel_delivery(uid)

    @override
    async def async_update_event(
        self, uid: str, event: dict[str, Any], recurrence_id: str | None = None, recurrence_range: str | None = None
    ) -> None:
        """Move the delivery's window or rename it."""
        await async_require_admin(self.hass, self.entity_id)
        start, end = _window(event)
        await self.passes.async_update_delivery(
            uid,
            window_start=start,
            window_end=end,
            carrier=event.get(EVENT_SUMMARY),
            description=event.get(EVENT_DESCRIPTION),
        )


class GuestWindowEvent(CalendarEvent):
    """A guest's window as a calendar event, valid by construction.

    Windows come from the core with aware datetimes and start < end, so the schema check that
    CalendarEvent runs on every event (about two thirds of a month's query across 200 guests) is skipped.
    """

    @override
    def __post_init__(self) -> None:
        """Nothing to check: see the class docstring."""


def guest_events(guests: list[Guest], start: datetime, end: datetime) -> list[CalendarEvent]:
    """Every window of every guest that is not revoked, overlapping the range, expanded on demand."""
    tz = dt_util.get_default_time_zone()
    events = [
        GuestWindowEvent(
            start=dt_util.as_local(window_start),
            end=dt_util.as_local(window_end),
            summary=guest.name,
            uid=f"{guest.pass_id}-{window_start:%Y%m%dT%H%M%SZ}",
        )
        for guest in guests
        if not guest.revoked
        for window_start, window_end in guest.windows(tz, start, end)
    ]
    return sorted(events, key=_order)


def _order(event: CalendarEvent) -> tuple[date, str]:
    return event.start, event.summary  # guest windows always start at a time (a datetime)


class GuestAccessCalendar(InHomeDeliveryEntity, CalendarEntity):
    """When each guest may come; add and remove guests with the actions."""

    _next: tuple[int, datetime, CalendarEvent | None] | None = None

    def __init__(self, *, coordinator: EntranceCoordinator, description: EntityDescription, passes: PassBook) -> None:
        """Read the entrance's guests."""
        super().__init__(coordinator=coordinator, description=description)
        self.passes = passes

    @property
    @override
    def event(self) -> CalendarEvent | None:
        """The guest window open now or next (within a week).

        Worked out again from every guest only when a guest changed or was removed, the window ended,
        or an hour passed (a window may have come within the week); a new guest is compared with the
        window kept. A visit step or a delivery does not expand every guest's schedule.
        """
        now = dt_util.utcnow()
        index = self.passes
        week = now + timedelta(days=7)
        if self._next is not None and now < self._next[1]:
            seen, until, cached = self._next
            if seen == index.guests_changed:
                return cached
            if (added := index.guests_added_since(seen)) is not None:
                # Only guests were added: the next window is the cached one or one of theirs.
                candidates = guest_events(added, now, week)[:1] + ([cached] if cached else [])
                return self._keep(index.guests_changed, until, min(candidates, key=_order, default=None))
        events = guest_events(self.passes.guests(now, week), now, week)
        return self._keep(index.guests_changed, now + timedelta(hours=1), events[0] if events else None)

    def _keep(self, changed: int, until: datetime, event: CalendarEvent | None) -> CalendarEvent | None:
        """Remember the next event until it ends, or the hour, whichever comes first."""
        if event is not None:
            until = min(until, dt_util.as_utc(event.end_datetime_local))
        self._next = (changed, until, event)
        return event

    @override
    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Every guest window in the range."""
        return guest_events(self.passes.guests(start_date, end_date), start_date, end_date)

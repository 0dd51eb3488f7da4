"""The doorbell: a press while a delivery is expected asks the owner's phones whether to let the courier in.

The speakers at the door tell the courier what happens: that the owner was asked, or (where the
doorbell asks nobody) how to open the door with their delivery page.

Phones get "Let in" / "Not now" buttons with one-time action ids (phone_actions.py), and the critical
alerts of a visit get "Lock now"; the answers come back as `mobile_app_notification_action` events,
so an old notification cannot act later.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from .const import CONF_DOORBELL
from .core.commands import Message, Spoken
from .core.door import Button, Purpose
from .data import InHomeDeliveryConfigEntry
from .entrance_parts import VisitDeniedError
from .phone_actions import LET_IN, LOCK_NOW, MOBILE_APP_ACTION_EVENT, NOT_NOW

QUESTION_VALID = timedelta(minutes=10)
BUTTON_PURPOSES = {LET_IN: Purpose.OPEN, LOCK_NOW: Purpose.LOCK}  # Not now does nothing


def is_press(event: Event[EventStateChangedData]) -> bool:
    """A doorbell press: an event entity's new event, or a binary sensor turning on."""
    old, new = event.data["old_state"], event.data["new_state"]
    if new is None or new.state in ("unavailable", "unknown"):
        return False
    if new.domain == "event":
        return old is not None and old.state != new.state
    return new.state == "on" and (old is None or old.state != "on")


@callback
def async_watch_doorbell(hass: HomeAssistant, entry: InHomeDeliveryConfigEntry) -> None:
    """Follow the doorbell, and the phones' answers."""
    controller = entry.runtime_data.controller
    doorbell = entry.data.get(CONF_DOORBELL)
    ask = controller.options.ask_on_doorbell
    if not doorbell or not (ask or controller.options.speaks(Spoken.ARRIVED)):
        return

    @callback
    def on_press(event: Event[EventStateChangedData]) -> None:
        if not is_press(event) or controller.visit_running:
            return
        delivery = controller.passes.open_window(dt_util.utcnow())
        if delivery is None:
            return
        controller.speakers.say(Spoken.ASKED if ask else Spoken.ARRIVED)
        if not ask:
            return
        let_in, not_now = controller.phone_actions.issue_pair(LET_IN, NOT_NOW, delivery.pass_id, QUESTION_VALID)
        controller.notify_owner(Message.DOORBELL, live_picture=True, who=delivery.label, actions=f"{let_in},{not_now}")

    entry.async_on_unload(async_track_state_change_event(hass, doorbell, on_press))


@callback
def async_watch_answers(hass: HomeAssistant, entry: InHomeDeliveryConfigEntry) -> None:
    """The owner's answers from the phones: Let in (the doorbell's question) and Lock now (an alert)."""
    controller = entry.runtime_data.controller

    async def on_answer(event: Event) -> None:
        # The first answer, from any phone, closes the question for every phone.
        answer = controller.phone_actions.redeem(str(event.data.get("action", "")))
        if answer is None or answer.prefix not in BUTTON_PURPOSES:
            return
        purpose = BUTTON_PURPOSES[answer.prefix]
        if purpose is Purpose.LOCK:
            button = Button(issued_for=purpose, visit_id=answer.payload)
            with suppress(ServiceValidationError):  # the visit is over already
                await controller.async_end_visit(button)
            return
        found = controller.passes.find_pass(answer.payload) if answer.payload else None
        try:
            await controller.async_admit(
                found, asker=Button(issued_for=purpose, pass_id=answer.payload), how="doorbell"
            )
        except VisitDeniedError:
            return  # the owner has been told why

    entry.async_on_unload(hass.bus.async_listen(MOBILE_APP_ACTION_EVENT, on_answer))

"""The doorbell: a press while a delivery is expected asks the owner's phones whether to let the courier in.

Phones get "Let in" / "Not now" buttons; the answer comes back as a `mobile_app_notification_action`
event carrying a one-time action id, so an old notification cannot open the door later.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import secrets

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from .const import CONF_ASK_ON_DOORBELL, CONF_DOORBELL
from .controller import InHomeDeliveryConfigEntry, VisitDeniedError
from .core.commands import Message

ACTION_PREFIX = "IN_HOME_DELIVERY_"
LET_IN = f"{ACTION_PREFIX}LET_IN_"
NOT_NOW = f"{ACTION_PREFIX}NOT_NOW_"
QUESTION_VALID = timedelta(minutes=10)
MOBILE_APP_ACTION_EVENT = "mobile_app_notification_action"


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
    controller = entry.runtime_data
    doorbell = entry.data.get(CONF_DOORBELL)
    if not doorbell or not entry.options.get(CONF_ASK_ON_DOORBELL):
        return
    questions: dict[str, tuple[str | None, datetime]] = {}

    @callback
    def on_press(event: Event[EventStateChangedData]) -> None:
        if not is_press(event) or controller.visit_running:
            return
        now = dt_util.utcnow()
        delivery = controller.passes.open_window(now)
        if delivery is None:
            return
        for stale in [nonce for nonce, (_, until) in questions.items() if until < now]:
            del questions[stale]
        nonce = secrets.token_hex(8)
        questions[nonce] = (delivery.pass_id, now + QUESTION_VALID)
        controller.notify_owner(
            Message.DOORBELL,
            live_picture=True,
            who=delivery.label,
            actions=f"{LET_IN}{nonce},{NOT_NOW}{nonce}",
        )

    async def on_answer(event: Event) -> None:
        action = str(event.data.get("action", ""))
        let_in = action.startswith(LET_IN)
        if not let_in and not action.startswith(NOT_NOW):
            return
        # The first answer, from any phone, closes the question for every phone.
        question = questions.pop(action.removeprefix(LET_IN if let_in else NOT_NOW), None)
        if not let_in or question is None or question[1] < dt_util.utcnow():
            return
        pass_id = question[0]
        found = controller.passes.passes.get(pass_id) if pass_id else None
        try:
            await controller.async_admit(found, how="doorbell")
        except VisitDeniedError:
            return  # the owner has been told why

    entry.async_on_unload(async_track_state_change_event(hass, doorbell, on_press))
    entry.async_on_unload(hass.bus.async_listen(MOBILE_APP_ACTION_EVENT, on_answer))

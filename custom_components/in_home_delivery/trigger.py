"""Purpose-specific triggers: the moments of an entrance that people automate, by their names.

Beside the device triggers (one per event type) and the bus event `in_home_delivery_event`, which stay
as they are: a visit started, someone let in (a courier unless chosen otherwise), a visit ended (with
its outcome), the door could not be locked, and a delivery expected (its window opens). Each targets
entrances: their device, their entities, or an area or label holding them (`targets.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, cast, override

import probatio

from homeassistant.const import CONF_OPTIONS, CONF_TARGET
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.trigger import Trigger, TriggerActionRunner, TriggerConfig, TriggerNotTriggeredReporter
from homeassistant.helpers.typing import ConfigType

from .const import EVENT_IN_HOME_DELIVERY
from .core.commands import EventType
from .core.moments import Visitor, outcome, visitor
from .core.visit import Outcome
from .delivery_watch import DeliveryWatch
from .targets import targeted_entrances

CONF_WHO = "who"
CONF_OUTCOME = "outcome"
EVERYONE = [who.value for who in Visitor]
EVERY_OUTCOME = [item.value for item in Outcome]
# What a visit trigger hands the automation from the bus event (`trigger.pass_label`, …), beside the event.
EVENT_FIELDS = (
    "config_entry_id",
    "device_id",
    "entity_id",
    "visit_id",
    "pass_id",
    "pass_kind",
    "pass_label",
    "admitted_by",
    "reason",
)


def _schema(options: Mapping[probatio.Marker, Any]) -> probatio.Schema:
    """A trigger's config: a target (required) and its options."""
    return probatio.Schema(
        {probatio.Required(CONF_TARGET): cv.TARGET_FIELDS, probatio.Required(CONF_OPTIONS, default={}): dict(options)}
    )


def _who(default: list[str]) -> dict[probatio.Marker, Any]:
    return {
        probatio.Required(CONF_WHO, default=default): probatio.All(
            probatio.EnsureList(), probatio.Length(min=1), [probatio.In(EVERYONE)]
        )
    }


class EntranceTrigger(Trigger):
    """A trigger of the targeted entrances."""

    schema: ClassVar[probatio.Schema] = _schema({})

    @override
    @classmethod
    async def async_validate_config(cls, hass: HomeAssistant, config: ConfigType) -> ConfigType:
        """Check the target and options."""
        return cast("ConfigType", cls.schema(config))

    def __init__(self, hass: HomeAssistant, config: TriggerConfig) -> None:
        """Keep the target and options."""
        super().__init__(hass, config)
        self._target: dict[str, Any] = config.target or {}
        self._options: dict[str, Any] = config.options or {}


class VisitTrigger(EntranceTrigger):
    """Fires on one type of the targeted entrances' bus events, where the visit matches the options."""

    event_type: ClassVar[EventType]
    moment: ClassVar[str]  # how the trigger's description names it

    def matches(self, data: Mapping[str, Any]) -> bool:
        """Whether this event's visit is one the automation asked for."""
        return True

    def payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The trigger's variables: the visit as the bus event names it, and who came."""
        who = visitor(str(data.get("pass_kind")), data.get("admitted_by"))
        return {key: data.get(key) for key in EVENT_FIELDS} | {CONF_WHO: who.value if who else None}

    @override
    async def async_attach_runner(
        self, run_action: TriggerActionRunner, did_not_trigger: TriggerNotTriggeredReporter | None = None
    ) -> CALLBACK_TYPE:
        """Listen for the entrances' bus events; the target is read anew for each, so a moved device counts."""

        @callback
        def on_event(event: Event[dict[str, Any]]) -> None:
            data = event.data
            if data.get("type") != self.event_type or not self.matches(data):
                return
            entry_id = data.get("config_entry_id")
            if entry_id not in targeted_entrances(self._hass, self._target):
                return
            entry = self._hass.config_entries.async_get_entry(str(entry_id))
            name = entry.title if entry else str(entry_id)
            run_action(self.payload(data) | {"event": event}, f"{self.moment} at {name}", event.context)

        return self._hass.bus.async_listen(EVENT_IN_HOME_DELIVERY, on_event)


class VisitorTrigger(VisitTrigger):
    """A moment of a visit someone was let in to (never of an unlock by hand), of the chosen visitors."""

    @override
    def matches(self, data: Mapping[str, Any]) -> bool:
        who = visitor(str(data.get("pass_kind")), data.get("admitted_by"))
        return who is not None and who in self._options[CONF_WHO]


class VisitStartedTrigger(VisitorTrigger):
    """A visit was admitted: the lights go on and the door unlocks next."""

    schema = _schema(_who(EVERYONE))
    event_type = EventType.ADMITTED
    moment = "visit started"


class LetInTrigger(VisitorTrigger):
    """The door (or garage door) was unlocked for a visit: by default a courier's."""

    schema = _schema(_who([Visitor.COURIER.value]))
    event_type = EventType.UNLOCKED
    moment = "let in"


class VisitEndedTrigger(VisitorTrigger):
    """A visit ended: the lock reported locked; its outcome says whether all went well."""

    schema = _schema(
        _who(EVERYONE)
        | {
            probatio.Required(CONF_OUTCOME, default=EVERY_OUTCOME): probatio.All(
                probatio.EnsureList(), probatio.Length(min=1), [probatio.In(EVERY_OUTCOME)]
            )
        }
    )
    event_type = EventType.COMPLETED
    moment = "visit ended"

    @override
    def matches(self, data: Mapping[str, Any]) -> bool:
        return super().matches(data) and outcome(data.get("reason")) in self._options[CONF_OUTCOME]

    @override
    def payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        ended = {CONF_OUTCOME: outcome(data.get("reason")).value, "duration": data.get("duration")}
        return super().payload(data) | ended


class RelockFailedTrigger(VisitTrigger):
    """The door could not be locked after a visit, or after an unlock by hand: it stands unlocked."""

    event_type = EventType.RELOCK_FAILED
    moment = "relock failed"


class DeliveryExpectedTrigger(EntranceTrigger):
    """A scheduled delivery's window opened (or a delivery was added with its window already open)."""

    @override
    async def async_attach_runner(
        self, run_action: TriggerActionRunner, did_not_trigger: TriggerNotTriggeredReporter | None = None
    ) -> CALLBACK_TYPE:
        """Watch the deliveries of each targeted entrance."""
        watches = [
            DeliveryWatch(self._hass, entry_id, run_action) for entry_id in targeted_entrances(self._hass, self._target)
        ]
        for watch in watches:
            watch.start()

        @callback
        def detach() -> None:
            for watch in watches:
                watch.stop()

        return detach


TRIGGERS: dict[str, type[Trigger]] = {
    "visit_started": VisitStartedTrigger,
    "let_in": LetInTrigger,
    "visit_ended": VisitEndedTrigger,
    "relock_failed": RelockFailedTrigger,
    "delivery_expected": DeliveryExpectedTrigger,
}


async def async_get_triggers(hass: HomeAssistant) -> dict[str, type[Trigger]]:
    """The entrance's purpose-specific triggers."""
    return TRIGGERS

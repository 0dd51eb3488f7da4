"""The purpose-specific condition: a visit is letting someone in at the entrance (or just did).

The question an alarm automation asks when a door opens: was it a delivery, or a break-in? It holds
while a visit In-Home Delivery let in runs at a targeted entrance, or (option `within`) when one ended
less than that long ago. The answer is the core's (`core/moments.py`), read from the snapshot each
entrance publishes; an entrance that is not running answers no.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Unpack, cast, override

import probatio

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_OPTIONS, CONF_TARGET
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.condition import Condition, ConditionCheckParams, ConditionConfig
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .core.moments import opened_by_a_visit
from .data import InHomeDeliveryConfigEntry
from .targets import targeted_entrances

CONF_WITHIN = "within"
MAX_WITHIN = timedelta(hours=1)

VISIT_RUNNING_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_TARGET): cv.TARGET_FIELDS,
        probatio.Required(CONF_OPTIONS, default={}): {
            probatio.Required(CONF_WITHIN, default=timedelta(0)): probatio.All(
                cv.time_period, probatio.Range(min=timedelta(0), max=MAX_WITHIN)
            ),
        },
    }
)


class VisitRunningCondition(Condition):
    """A visit is running at one of the targeted entrances, or one ended less than `within` ago."""

    @override
    @classmethod
    async def async_validate_config(cls, hass: HomeAssistant, config: ConfigType) -> ConfigType:
        """Check the target and the option."""
        return cast("ConfigType", VISIT_RUNNING_SCHEMA(config))

    def __init__(self, hass: HomeAssistant, config: ConditionConfig) -> None:
        """Keep the target and how long after a visit it still holds."""
        super().__init__(hass, config)
        self._target: dict[str, Any] = config.target or {}
        self._within: timedelta = (config.options or {}).get(CONF_WITHIN, timedelta(0))

    @override
    def _async_check(self, **kwargs: Unpack[ConditionCheckParams]) -> bool:
        now = dt_util.utcnow()
        for entry_id in targeted_entrances(self._hass, self._target):
            entry = self._hass.config_entries.async_get_entry(entry_id)
            if entry is None or entry.state is not ConfigEntryState.LOADED:
                continue
            snapshot = cast("InHomeDeliveryConfigEntry", entry).runtime_data.coordinator.data
            if snapshot is not None and opened_by_a_visit(snapshot.visit, snapshot.last_finished, now, self._within):
                return True
        return False


CONDITIONS: dict[str, type[Condition]] = {"visit_running": VisitRunningCondition}


async def async_get_conditions(hass: HomeAssistant) -> dict[str, type[Condition]]:
    """The entrance's purpose-specific condition."""
    return CONDITIONS

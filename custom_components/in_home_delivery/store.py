"""The entrance's persistent state: the running visit, what to put back after it, and the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .core.visit import Visit, visit_as_dict, visit_from_dict
from .house import Remembered

STORAGE_VERSION = 1
SAVE_DELAY = 1
HISTORY_LIMIT = 1000


@dataclass(kw_only=True)
class Stored:
    """What the store holds."""

    visit: Visit | None = None
    remembered: Remembered = field(default_factory=Remembered)
    history: list[dict[str, Any]] = field(default_factory=list)


def history_record(visit: Visit) -> dict[str, Any]:
    """A finished visit as the history keeps it."""
    return {
        "visit_id": visit.visit_id,
        "pass_id": visit.pass_id,
        "pass_kind": visit.pass_kind,
        "pass_label": visit.pass_label,
        "started": visit.started.isoformat(),
        "entered": visit.entered.isoformat() if visit.entered else None,
        "ended": visit.ended.isoformat() if visit.ended else None,
        "outcome": visit.outcome.value if visit.outcome else None,
    }


class EntranceStore:
    """A versioned Store per entrance, saved with a short delay and flushed on stop."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Create the store for one entrance."""
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")
        self._data: dict[str, Any] = {}

    async def async_load(self) -> Stored:
        """Read the entrance's state back."""
        data = await self._store.async_load() or {}
        self._data = data
        visit = data.get("visit")
        house = data.get("remembered") or {}
        return Stored(
            visit=visit_from_dict(visit) if visit else None,
            remembered=Remembered(
                lights_turned_on=list(house.get("lights_turned_on", [])), alarm_mode=house.get("alarm_mode")
            ),
            history=list(data.get("history", []))[-HISTORY_LIMIT:],
        )

    def _snapshot(self, visit: Visit | None, remembered: Remembered, history: list[dict[str, Any]]) -> dict[str, Any]:
        self._data = self._data | {
            "visit": visit_as_dict(visit) if visit is not None and visit.running else None,
            "remembered": {"lights_turned_on": remembered.lights_turned_on, "alarm_mode": remembered.alarm_mode},
            "history": history[-HISTORY_LIMIT:],
        }
        return self._data

    @callback
    def async_schedule_save(self, visit: Visit | None, remembered: Remembered, history: list[dict[str, Any]]) -> None:
        """Save soon; Home Assistant flushes pending saves when it stops."""
        data = self._snapshot(visit, remembered, history)
        self._store.async_delay_save(lambda: data, SAVE_DELAY)

    async def async_save_now(self, visit: Visit | None, remembered: Remembered, history: list[dict[str, Any]]) -> None:
        """Save at once, for the moments that must survive a crash."""
        await self._store.async_save(self._snapshot(visit, remembered, history))

    async def async_flush(self) -> None:
        """Write a pending save now (on unload)."""
        if self._data:
            await self._store.async_save(self._data)

    async def async_remove(self) -> None:
        """Delete the store when the entrance is removed."""
        await self._store.async_remove()

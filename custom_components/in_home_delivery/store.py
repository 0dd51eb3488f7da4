"""The entrance's persistent state: passes, the running visit, what to put back after it, the history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .core.visit import Visit, visit_as_dict

STORAGE_VERSION = 1
SAVE_DELAY = 1
HISTORY_LIMIT = 1000


HISTORY_KEYS = ("visit_id", "pass_id", "pass_kind", "pass_label", "started", "entered", "ended", "outcome")


def history_record(visit: Visit) -> dict[str, Any]:
    """A finished visit as the history keeps it."""
    data = visit_as_dict(visit)
    return {key: data[key] for key in HISTORY_KEYS}


class EntranceStore:
    """A versioned Store per entrance.

    Saved with a short delay, at once where a crash must not lose it, and flushed when HA stops.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str, data_fn: Callable[[], dict[str, Any]]) -> None:
        """Create the store; data_fn returns everything to save, read at the moment of writing."""
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")
        self._data_fn = data_fn

    async def async_load(self) -> dict[str, Any]:
        """Read the entrance's state back (empty on first start)."""
        return await self._store.async_load() or {}

    @callback
    def async_schedule_save(self) -> None:
        """Save soon."""
        self._store.async_delay_save(self._data_fn, SAVE_DELAY)

    async def async_save_now(self) -> None:
        """Save at once, for the moments that must survive a crash."""
        await self._store.async_save(self._data_fn())

    async def async_remove(self) -> None:
        """Delete the store when the entrance is removed."""
        await self._store.async_remove()

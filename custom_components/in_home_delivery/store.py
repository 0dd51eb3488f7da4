"""The entrance's persistent state, in three places sized for what each write must carry.

- The **visit store** (`in_home_delivery.<entry>.visit`, Home Assistant's Store) holds only the running
  visit and what to put back after it: the write before the lock is touched has a constant size.
- The **pass database** (`.storage/in_home_delivery.<entry>.passes.db`, SQLite in WAL mode, used from
  the executor) holds one row per pass: creating or changing a pass writes that row and is committed
  (synchronous FULL) before its token is answered, however many passes there are.
- The **entrance store** (`in_home_delivery.<entry>`, Home Assistant's Store) holds the webhook id, the
  history of visits and the last picture, written with a short delay.

Stores of the first release (everything in the entrance store) are moved over at setup: the passes
into the database first, the visit into its store, and only then the entrance store is rewritten
without them, so a crash during the move leaves it to be done again, never lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
import json
import logging
from pathlib import Path
import sqlite3
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .core.visit import Visit, visit_as_dict

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 2  # 1: passes and the visit were kept in the entrance store
SAVE_DELAY = 1
HISTORY_LIMIT = 1000


HISTORY_KEYS = ("visit_id", "pass_id", "pass_kind", "pass_label", "started", "entered", "ended", "outcome")


def history_record(visit: Visit) -> dict[str, Any]:
    """A finished visit as the history keeps it."""
    data = visit_as_dict(visit)
    return {key: data[key] for key in HISTORY_KEYS}


class EntranceStore:
    """A versioned Store, saved with a short delay, at once where a crash must not lose it, and at stop."""

    def __init__(self, hass: HomeAssistant, key: str, data_fn: Callable[[], dict[str, Any]]) -> None:
        """Create the store; data_fn returns everything to save, read at the moment of writing."""
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, key, minor_version=STORAGE_MINOR_VERSION, atomic_writes=True
        )
        self._data_fn = data_fn

    async def async_load(self) -> dict[str, Any]:
        """Read the state back (empty on first start)."""
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


def entrance_key(entry_id: str) -> str:
    """The Store key of the entrance's webhook id, history and last picture."""
    return f"{DOMAIN}.{entry_id}"


def visit_key(entry_id: str) -> str:
    """The Store key of the running visit."""
    return f"{DOMAIN}.{entry_id}.visit"


def passes_path(hass: HomeAssistant, entry_id: str) -> Path:
    """Where the entrance's pass database lives."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}.passes.db"))


class PassStore:
    """One row per pass in an SQLite file; every call runs in the executor, one at a time."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Belong to one entrance."""
        self.hass = hass
        self.path = passes_path(hass, entry_id)
        self._db: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")  # committed means on disk: a token is answered only then
        db.execute("CREATE TABLE IF NOT EXISTS passes (pass_id TEXT PRIMARY KEY, data TEXT NOT NULL)")
        return db

    def _load(self) -> list[dict[str, Any]]:
        self._db = self._db or self._open()
        return [json.loads(data) for (data,) in self._db.execute("SELECT data FROM passes")]

    def _write(self, items: list[dict[str, Any]], removed: list[str]) -> None:
        self._db = self._db or self._open()
        with self._db:  # one transaction
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO passes (pass_id, data) VALUES (?, ?)",
                [(item["pass_id"], json.dumps(item, separators=(",", ":"))) for item in items],
            )
            self._db.executemany("DELETE FROM passes WHERE pass_id = ?", [(pass_id,) for pass_id in removed])

    def _hold_still(self, hold: bool) -> None:
        """Before a backup: everything into the main file, and the main file left alone until after it.

        Writes go on during the backup; they are appended to the write-ahead log only, so the copied
        main file and log always read back as a consistent database.
        """
        self._db = self._db or self._open()
        if hold:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.execute(f"PRAGMA wal_autocheckpoint={0 if hold else 1000}")

    async def async_hold_for_backup(self, hold: bool) -> None:
        """Keep the main file unchanged while a backup copies it (hold), or go back to normal."""
        async with self._lock:
            await self.hass.async_add_executor_job(self._hold_still, hold)

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def async_load(self) -> list[dict[str, Any]]:
        """Every stored pass."""
        async with self._lock:
            return await self.hass.async_add_executor_job(self._load)

    async def async_write(self, items: Iterable[dict[str, Any]] = (), removed: Iterable[str] = ()) -> None:
        """Store passes (new or changed) and forget others, in one transaction, committed to disk."""
        items, removed = list(items), list(removed)
        if not items and not removed:
            return
        async with self._lock:
            await self.hass.async_add_executor_job(self._write, items, removed)

    async def async_close(self) -> None:
        """Close the database (the entrance unloads)."""
        async with self._lock:
            await self.hass.async_add_executor_job(self._close)

    async def async_remove(self) -> None:
        """Delete the database with the entrance."""
        await self.async_close()

        def remove() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

        await self.hass.async_add_executor_job(remove)

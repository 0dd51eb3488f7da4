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
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store, get_internal_store_manager

from .const import DOMAIN
from .core.visit import Visit, visit_as_dict

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 2  # 1: passes and the visit were kept in the entrance store
SAVE_DELAY = 1
HISTORY_LIMIT = 1000
BUSY_TIMEOUT = 2  # seconds a write waits for a database another process holds, then fails


class WriteFailedError(HomeAssistantError):
    """A write that an action depends on did not reach the disk: the action must not happen."""


HISTORY_KEYS = ("visit_id", "pass_id", "pass_kind", "pass_label", "started", "entered", "ended", "outcome")


def history_record(visit: Visit) -> dict[str, Any]:
    """A finished visit as the history keeps it."""
    data = visit_as_dict(visit)
    return {key: data[key] for key in HISTORY_KEYS}


class CheckedStore(Store[dict[str, Any]]):
    """Home Assistant's Store, with one write that reports failure instead of logging it."""

    async def async_save_checked(self, data: dict[str, Any]) -> None:
        """Write now, in the Store's own format and way (atomic), and raise if it did not happen.

        A delayed save still pending is dropped: this write carries the newer data.
        """
        async with self._write_lock:
            self._async_cleanup_delay_listener()
            self._async_cleanup_final_write_listener()
            self._data = None
            # The Store's preload cache (Home Assistant 2026.11 moved the Store's own reference to it).
            get_internal_store_manager(self.hass).async_invalidate(self.key)
            await self._async_write_data(
                {"version": self.version, "minor_version": self.minor_version, "key": self.key, "data": data}
            )


class EntranceStore:
    """A versioned Store, saved with a short delay, at once where a crash must not lose it, and at stop."""

    def __init__(
        self,
        hass: HomeAssistant,
        key: str,
        data_fn: Callable[[], dict[str, Any]],
        *,
        minor_version: int = STORAGE_MINOR_VERSION,
    ) -> None:
        """Create the store; data_fn returns everything to save, read at the moment of writing."""
        self._store = CheckedStore(hass, STORAGE_VERSION, key, minor_version=minor_version, atomic_writes=True)
        self._data_fn = data_fn

    async def async_load(self) -> dict[str, Any]:
        """Read the state back (empty on first start)."""
        return await self._store.async_load() or {}

    @callback
    def async_schedule_save(self) -> None:
        """Save soon."""
        self._store.async_delay_save(self._data_fn, SAVE_DELAY)

    async def async_save_now(self) -> None:
        """Save at once (at stop); a failure is logged by Home Assistant's Store and not reported."""
        await self._store.async_save(self._data_fn())

    async def async_save_checked(self) -> None:
        """Save at once and raise WriteFailedError unless the data is on disk.

        Home Assistant's Store logs a failed write and returns normally; a write that an action depends
        on (the running visit before the lock moves) must know.
        """
        try:
            await self._store.async_save_checked(self._data_fn())
        except (HomeAssistantError, OSError, TypeError, ValueError) as err:
            _LOGGER.error("%s could not be written: %s", self._store.key, err)
            raise WriteFailedError(str(err)) from err

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


class PassStoreUnreadableError(HomeAssistantError):
    """The pass database cannot be read (corrupt, not a database, or unreadable)."""


class PassStore:
    """One row per pass in an SQLite file; every call runs in the executor, one at a time.

    Each row carries a revision (`revision` in its data), higher for every change: what is replayed at
    start (a change that was not confirmed on disk, a first-release store) never overwrites a newer row.
    A database file deleted or replaced while running is noticed before the next write, and written
    again whole from memory (rows).
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Belong to one entrance."""
        self.hass = hass
        self.path = passes_path(hass, entry_id)
        self._db: sqlite3.Connection | None = None
        self._inode: int | None = None
        self._lock = asyncio.Lock()
        self.rows: Callable[[], list[dict[str, Any]]] = list

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # committed means on disk: a token is answered only then
            db.execute("CREATE TABLE IF NOT EXISTS passes (pass_id TEXT PRIMARY KEY, data TEXT NOT NULL)")
        except sqlite3.Error:
            db.close()
            raise
        self._inode = self.path.stat().st_ino
        return db

    def _connection(self) -> sqlite3.Connection:
        """The open database; one deleted or replaced under it is opened again and written whole."""
        if self._db is not None and not self._still_there():
            _LOGGER.error("%s was deleted or replaced; writing every pass to it again", self.path.name)
            self._db.close()
            self._db = None
            if not self.path.exists():  # a new file must not pick up the old one's write-ahead log
                for suffix in ("-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            db = self._open()
            self._upsert(db, self.rows(), [])
            self._db = db
        self._db = self._db or self._open()
        return self._db

    def _still_there(self) -> bool:
        try:
            return self.path.stat().st_ino == self._inode
        except OSError:
            return False

    def _load(self) -> list[dict[str, Any]]:
        try:
            self._db = self._db or self._open()
            rows = [json.loads(data) for (data,) in self._db.execute("SELECT data FROM passes")]
        except (sqlite3.DatabaseError, OSError, ValueError) as err:
            self._close()
            raise PassStoreUnreadableError(str(err)) from err
        if not all(isinstance(row, dict) and isinstance(row.get("pass_id"), str) for row in rows):
            self._close()
            raise PassStoreUnreadableError("a row is not a pass")
        return rows

    @staticmethod
    def _upsert(
        db: sqlite3.Connection, items: list[dict[str, Any]], removed: list[str], *, newer: bool = False
    ) -> None:
        """Write rows in one transaction; newer: only where the stored row is older (or missing)."""
        with db:
            db.execute("BEGIN")
            statement = "INSERT OR REPLACE INTO passes (pass_id, data) VALUES (?, ?)"
            if newer:
                statement = (
                    "INSERT INTO passes (pass_id, data) VALUES (?, ?) ON CONFLICT(pass_id) DO UPDATE SET "
                    "data = excluded.data WHERE coalesce(json_extract(excluded.data, '$.revision'), 0) > "
                    "coalesce(json_extract(passes.data, '$.revision'), 0)"
                )
            db.executemany(statement, [(item["pass_id"], json.dumps(item, separators=(",", ":"))) for item in items])
            db.executemany("DELETE FROM passes WHERE pass_id = ?", [(pass_id,) for pass_id in removed])

    def _write(self, items: list[dict[str, Any]], removed: list[str], newer: bool) -> None:
        self._upsert(self._connection(), items, removed, newer=newer)

    def _hold_still(self, hold: bool) -> None:
        """Before a backup: everything into the main file, and the main file left alone until after it.

        Writes go on during the backup; they are appended to the write-ahead log only, so the copied
        main file and log always read back as a consistent database.
        """
        self._db = self._connection()
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

    async def async_write(
        self, items: Iterable[dict[str, Any]] = (), removed: Iterable[str] = (), *, newer: bool = False
    ) -> None:
        """Store passes (new or changed) and forget others, in one transaction, committed to disk.

        Raises WriteFailedError unless the change is on disk. newer: replayed rows (a journal, an old
        store) are written only over older revisions.
        """
        items, removed = list(items), list(removed)
        if not items and not removed:
            return
        async with self._lock:
            try:
                await self.hass.async_add_executor_job(self._write, items, removed, newer)
            except (OSError, sqlite3.Error) as err:
                _LOGGER.error("%s could not be written: %s", self.path.name, err)
                raise WriteFailedError(str(err)) from err

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

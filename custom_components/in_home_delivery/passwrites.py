"""Writing passes to their database, so that memory never runs ahead of disk.

Every change gets the next revision. A change an owner makes is written before the owner is answered;
one a visit step decides (a delivery used up) is written right after the step's commands went out.
Either way, a pass whose latest change is not confirmed on disk opens nothing (`stored`): the change
is written again (5 s, then doubling to 5 min), and meanwhile kept in the journal, which the visit
store holds, so that a restart replays it over older rows, never over newer ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later

from .const import DOMAIN
from .core.passindex import Pass
from .store import PassStore, WriteFailedError

_LOGGER = logging.getLogger(__name__)

RETRY_FIRST = timedelta(seconds=5)
RETRY_MOST = timedelta(minutes=5)


class PassWrites:
    """The pass database of one entrance, and the changes not yet confirmed in it."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        name: str,
        every_pass: Callable[[], list[Pass]],
        save_journal: Callable[[], Awaitable[None]],
        journal_changed: Callable[[], None],
        settled: Callable[[], None],
        failed: Callable[[], None],
    ) -> None:
        """Write for one entrance; save_journal writes journal() where a restart finds it, or raises."""
        self.hass = hass
        self.entry = entry
        self.name = name
        self.store = PassStore(hass, entry.entry_id)
        self.store.rows = lambda: [self.row(item) for item in every_pass()]
        self._save_journal = save_journal
        self._journal_changed = journal_changed
        self._settled = settled
        self._failed = failed
        self._revision = 0
        self._revisions: dict[str, int] = {}
        self._unsettled: dict[str, dict[str, Any]] = {}  # by pass: such a pass opens nothing until written
        self._writing: dict[str, int] = {}  # passes whose change is being written now: closed meanwhile
        self._retry_delay = RETRY_FIRST
        self._unsub_retry: CALLBACK_TYPE | None = None
        self._settling = False
        self._journal_kept = False
        self._stopped = False  # the entrance unloaded: whatever it left is for the next start

    async def async_load(
        self, moved: list[dict[str, Any]] | None, journal: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Every pass's row: the database's, with the journal's changes where newer.

        A first release's passes (moved) go into the database first, never over a row written since.
        Raises PassStoreUnreadableError for a database that cannot be read.
        """
        if moved:
            await self.store.async_write(moved, newer=True)
            _LOGGER.info("%s: moved %s passes into their database", self.name, len(moved))
        rows = await self.store.async_load()
        self._revisions = {row["pass_id"]: int(row.get("revision") or 0) for row in rows}
        newer = [row for row in journal if int(row.get("revision") or 0) > self._revisions.get(row["pass_id"], -1)]
        self._revision = max([0, *self._revisions.values(), *(int(row.get("revision") or 0) for row in journal)])
        for row in newer:
            self._revisions[row["pass_id"]] = int(row["revision"])
            self._unsettled[row["pass_id"]] = row
        self.entry.async_on_unload(self._async_stop)
        if newer:
            _LOGGER.warning("%s: %s pass changes from before the restart are written now", self.name, len(newer))
            self._start_settling()
        return list(({row["pass_id"]: row for row in rows} | {row["pass_id"]: row for row in newer}).values())

    def row(self, item: Pass) -> dict[str, Any]:
        """A pass as its database row, with its revision."""
        return item.as_dict() | {"revision": self._revisions.get(item.pass_id, 0)}

    def _stamp(self, item: Pass) -> dict[str, Any]:
        """A changed pass's row, with the next revision."""
        self._revision += 1
        self._revisions[item.pass_id] = self._revision
        return item.as_dict() | {"revision": self._revision}

    def stored(self, *pass_ids: str) -> bool:
        """Whether the latest change of each pass is confirmed in the database (not pending, not in flight)."""
        return not any(pass_id in self._unsettled or pass_id in self._writing for pass_id in pass_ids)

    def journal(self) -> list[dict[str, Any]]:
        """The changes not yet confirmed in the database, for the visit store (a restart replays them)."""
        return list(self._unsettled.values())

    async def async_write_now(self, item: Pass, *, new: bool) -> None:
        """Write a change before answering; raise WriteFailedError unless it is on disk.

        A changed pass that could not be written stays closed, and its change is written again.
        """
        row = self._stamp(item)
        self._writing[item.pass_id] = self._writing.get(item.pass_id, 0) + 1
        try:
            await self.store.async_write([row])
        except WriteFailedError:
            if not new and self._revisions.get(item.pass_id) == row["revision"]:  # no later change meanwhile
                self._unsettled[item.pass_id] = row
                self._start_settling()
            raise
        finally:
            if (left := self._writing.pop(item.pass_id) - 1) > 0:
                self._writing[item.pass_id] = left

    @callback
    def keep(self, items: tuple[Pass, ...]) -> None:
        """Changes a visit step decided: closed until written, written once the loop is free."""
        for item in items:
            self._unsettled[item.pass_id] = self._stamp(item)
        if items:
            self._start_settling()

    @callback
    def forget(self, pass_ids: tuple[str, ...]) -> None:
        """Delete old passes on disk (closed ones: a failure only keeps them a day longer)."""
        for pass_id in pass_ids:
            self._revisions.pop(pass_id, None)
        self.entry.async_create_task(self.hass, self._async_forget(list(pass_ids)), f"{DOMAIN} passes removed")

    async def _async_forget(self, pass_ids: list[str]) -> None:
        try:
            await self.store.async_write(removed=pass_ids)
        except WriteFailedError:
            return

    async def _async_stop(self) -> None:
        """The entrance unloads: no more writes from here (a reload's new entrance owns the files now).

        A write still in flight ends first; a change still not on disk is kept in the journal, where the
        next start (the reload's) reads it. Writing on after that would put this entrance's stale visit
        over the running one of the next.
        """
        self._stopped = True
        self._cancel_retry()
        await self.store.async_close()  # after the write in flight, whose failure is in _unsettled by now
        if self._unsettled:
            try:
                await self._save_journal()
            except HomeAssistantError:
                _LOGGER.error("%s: pass changes not on disk are lost at unload; their passes may reopen", self.name)

    @callback
    def _start_settling(self) -> None:
        if not self._settling and not self._stopped:
            self._cancel_retry()
            self._settling = True
            self.entry.async_create_task(self.hass, self._async_settle(), f"{DOMAIN} passes", eager_start=False)

    async def _async_settle(self) -> None:
        """Write the unconfirmed changes; until they are on disk, keep them in the journal and try again."""
        try:
            while not self._stopped and (pending := list(self._unsettled.values())):
                try:
                    await self.store.async_write(pending)
                except WriteFailedError:
                    await self._async_keep_journal()
                    self._retry_later()
                    return
                for row in pending:
                    if self._unsettled.get(row["pass_id"]) is row:
                        del self._unsettled[row["pass_id"]]
                self._retry_delay = RETRY_FIRST
                if self._journal_kept and not self._unsettled:  # the visit store may forget them now
                    self._journal_kept = False
                    self._journal_changed()
                self._settled()
        finally:
            self._settling = False

    async def _async_keep_journal(self) -> None:
        """The changes the database refused go where a restart finds them (the visit store)."""
        try:
            await self._save_journal()
            self._journal_kept = True
        except HomeAssistantError:
            _LOGGER.error("%s: pass changes are kept in memory only; their passes stay closed", self.name)
            self._failed()

    @callback
    def _retry_later(self) -> None:
        if self._stopped:
            return
        _LOGGER.warning(
            "%s: %s pass changes are not on disk; their passes stay closed, trying again in %s",
            self.name,
            len(self._unsettled),
            self._retry_delay,
        )
        self._unsub_retry = async_call_later(self.hass, self._retry_delay, self._on_retry)
        self._retry_delay = min(self._retry_delay * 2, RETRY_MOST)

    @callback
    def _on_retry(self, _now: datetime) -> None:
        self._unsub_retry = None
        self._start_settling()

    @callback
    def _cancel_retry(self) -> None:
        if self._unsub_retry is not None:
            self._unsub_retry()
            self._unsub_retry = None

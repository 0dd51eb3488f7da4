"""The entrance's passes: scheduling, changing, cancelling, links, and a missed window.

Tokens are returned once, to the caller that created or renewed the pass, and kept only as hashes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_WEBHOOK_ID, EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import (
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .const import DOMAIN
from .core.carriers import Carrier
from .core.commands import Message
from .core.door import pass_denial
from .core.expected import Reading
from .core.guests import Guest
from .core.passes import (
    Delivery,
    DeliveryStatus,
    PassDenial,
)
from .core.passindex import Pass, PassIndex, pass_from_dict
from .core.sourcing import reading_changes
from .core.standing import PassStanding, standing
from .core.tokens import hash_token, lookup_hash, new_token
from .core.visit import Visit
from .entrance import Announcer
from .passchanges import OwnerChanges, validation_error
from .passtimers import CLOCK_CHECK, PassTimers
from .passwrites import PassWrites
from .store import WriteFailedError

_LOGGER = logging.getLogger(__name__)


class PassBook(OwnerChanges, PassTimers):
    """Holds an entrance's passes, indexed in memory and one row each in its pass database."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        entrance: Announcer,
        save_journal: Callable[[], Awaitable[None]],
        *,
        grace: timedelta,
    ) -> None:
        """Belong to one entrance; save_journal writes journal() where a restart finds it, or raises."""
        self.hass = hass
        self.entry = entry
        self.entrance = entrance
        self._index = PassIndex()
        self.webhook_id: str = entry.data[CONF_WEBHOOK_ID]
        self.grace = grace  # around delivery windows
        self._writes = PassWrites(
            hass,
            entry,
            name=entrance.name,
            every_pass=lambda: list(self._index.values()),
            save_journal=save_journal,
            journal_changed=entrance.journal_changed,
            settled=entrance.notify_listeners,
            failed=lambda: entrance.notify_owner_once("storage", Message.STORAGE_FAILED, who="", critical=True),
        )
        self.store = self._writes.store
        self._loaded = False
        self._journal_kept = False
        self._finished_before_load: list[Visit] = []
        self._unsub_missed: CALLBACK_TYPE | None = None
        self.sync_lock = asyncio.Lock()  # its subentries are brought in line one change at a time
        self.device_names: dict[str, str] = {}  # a subentry's title its device was last named for
        self.handing_over: set[str] = set()  # passes whose link a subentry flow is showing (no subentry yet)
        self.revision = 0  # moves with every change of a pass (for what is built from the passes)

    async def async_load(self, stored: dict[str, Any], journal: list[dict[str, Any]]) -> bool:
        """Read the passes back.

        Passes of the first release's store are moved into the pass database first, never over a row
        written since; returns whether the entrance store must now be written without them. The journal
        (changes not confirmed in the database before a restart) is taken where it is newer than the
        database, and written to it. Raises PassStoreUnreadableError for a database that cannot be read.
        """
        moved = stored.get("passes")
        rows = await self._writes.async_load(moved, journal)
        self._index = PassIndex(pass_from_dict(row) for row in rows)
        self.entry.async_on_unload(self._cancel_missed_timer)
        self.entry.async_on_unload(async_track_time_interval(self.hass, self._on_clock_check, CLOCK_CHECK))
        self.entry.async_on_unload(
            self.hass.bus.async_listen_once(EVENT_HOMEASSISTANT_FINAL_WRITE, self._async_close_at_stop)
        )
        self._loaded = True
        for visit in self._finished_before_load:
            self.visit_finished(visit)
        self._finished_before_load.clear()
        self._schedule_missed_check()
        return moved is not None or stored.get("webhook_id") != self.webhook_id  # kept there for older releases

    def stored(self, *pass_ids: str) -> bool:
        """Whether the latest change of each pass is confirmed in the database (else it opens nothing)."""
        return self._writes.stored(*pass_ids)

    def journal(self) -> list[dict[str, Any]]:
        """The changes not yet confirmed in the database, for the visit store (a restart replays them)."""
        return self._writes.journal()

    async def _async_close_at_stop(self, _event: Event) -> None:
        await self.store.async_close()

    async def async_hold_for_backup(self, hold: bool) -> None:
        """Keep the database file unchanged while a backup copies it (hold), or go back to normal."""
        await self.store.async_hold_for_backup(hold)

    def as_store_data(self) -> dict[str, Any]:
        """What the entrance store keeps of the passes: the link's webhook id (an older release reads it there)."""
        return {"webhook_id": self.webhook_id}

    def denial(self, item: Pass, now: datetime) -> PassDenial | None:
        """Why a pass's link does not open the door now, or None when it does (what the page shows).

        A carrier's link opens only while a delivery expected from that carrier has its window open.
        """
        carrier = self._index.carrier(item.pass_id)
        delivery = self._expected(carrier, now) if carrier is not None else None
        return pass_denial(item, now, self.grace, dt_util.get_default_time_zone(), delivery)

    def expected_for(self, carrier: Carrier, now: datetime) -> Delivery | None:
        """The delivery a carrier's link opens for now: the earliest expected one of that carrier."""
        return None if carrier.denial(now, dt_util.get_default_time_zone()) else self._expected(carrier, now)

    def _expected(self, carrier: Carrier, now: datetime) -> Delivery | None:
        """The earliest delivery of the carrier whose window (with grace) is open, whatever the link's hours."""
        return next((item for item in self._index.open_windows(now, self.grace) if carrier.matches(item.carrier)), None)

    def window(self, item: Pass, now: datetime) -> tuple[datetime, datetime] | None:
        """The window to show on the link's page: a delivery's, or a guest's current or next one."""
        return item.window_at(now, dt_util.get_default_time_zone())

    def guests(self, start: datetime, end: datetime) -> list[Guest]:
        """Guests not revoked that may have a window in [start, end)."""
        return self._index.guests_overlapping(start, end)

    def __len__(self) -> int:
        """How many passes there are."""
        return len(self._index)

    def all(self) -> Iterable[Pass]:
        """Every pass."""
        return self._index.values()

    def carriers(self) -> Iterable[Carrier]:
        """Every carrier's link."""
        return self._index.carriers()

    def find_pass(self, pass_id: str) -> Pass | None:
        """A pass by id, as it is now (None: there is none)."""
        return self._index.get(pass_id)

    def delivery(self, pass_id: str) -> Delivery | None:
        """A delivery by id (None: none, or a pass of another kind)."""
        return self._index.delivery(pass_id)

    def carrier(self, pass_id: str) -> Carrier | None:
        """A carrier's link by id (None: none, or a pass of another kind)."""
        return self._index.carrier(pass_id)

    def upcoming(self, now: datetime) -> Iterator[Delivery]:
        """Scheduled deliveries whose window ends after now, by window start."""
        return self._index.upcoming(now)

    @property
    def guests_changed(self) -> int:
        """A counter that moves whenever a guest changes (for caches of guest windows)."""
        return self._index.guests_changed

    def guests_added_since(self, seen: int) -> list[Guest] | None:
        """The guests added since the counter was seen, or None when others changed too."""
        return self._index.guests_added_since(seen)

    def get(self, pass_id: str) -> Pass:
        """Return a pass, or raise a translated error."""
        if (found := self._index.get(pass_id)) is None:
            raise validation_error("unknown_pass", pass_id=pass_id)
        return found

    def find(self, token: str) -> Pass | None:
        """The pass a link's token belongs to, by the token's SHA-256."""
        return None if (token_hash := lookup_hash(token)) is None else self._index.by_hash(token_hash)

    async def _async_store(self, item: Pass) -> None:
        """Take a new or changed pass and write it to disk before the caller answers (with its token).

        The change shows at once (a renewal stops the old link at once). A write that fails raises, so
        the caller never hands out a token that is not stored: a new pass is forgotten; a changed one
        keeps its change, closed until the change is on disk (it is written again and again), so a
        revoked or renewed link never opens again because a disk failed.
        """
        previous = self._index.get(item.pass_id)
        self._index.put(item)
        self.revision += 1
        try:
            await self._writes.async_write_now(item, new=previous is None)
        except WriteFailedError as err:
            if previous is None:  # never on disk, and closed while it was written: it never was
                self._index.remove(item.pass_id)
                raise HomeAssistantError(translation_domain=DOMAIN, translation_key="pass_not_stored") from err
            # Kept, closed, and written again: the owner is told it applies once the disk works.
            raise HomeAssistantError(translation_domain=DOMAIN, translation_key="change_not_stored") from err
        self._schedule_missed_check()
        self.entrance.notify_listeners()

    @callback
    def _keep(self, *items: Pass, removed: tuple[str, ...] = ()) -> None:
        """Change passes now (a visit step decided it); each opens nothing until its change is on disk."""
        self.revision += 1
        for item in items:
            self._index.put(item)
        for pass_id in removed:
            self._index.remove(pass_id)
        if removed:
            self._writes.forget(removed)
        self._writes.keep(items)

    @callback
    def expect(
        self,
        entity_id: str,
        reading: Reading,
        *,
        within: tuple[datetime, datetime] | None = None,
        cancelled: set[str] | None = None,
    ) -> None:
        """Bring the deliveries of one source entity in line with what one reading of it says.

        The changes are the core's (core/sourcing.py). A new delivery gets a token shown to nobody: the
        carrier's link, or a renewed link, lets the courier in. cancelled is the caller's set of the
        deliveries the sources cancelled themselves.
        """
        changed = reading_changes(
            self._index,
            entity_id,
            reading,
            dt_util.utcnow(),
            within=within,
            cancelled=set() if cancelled is None else cancelled,
            new_id=ulid_now,
            new_token_hash=lambda: hash_token(new_token()),
        )
        if changed:
            _LOGGER.debug(
                "%s: %s expects %s deliveries, %s changed",
                self.entrance.name,
                entity_id,
                len(reading.expected),
                len(changed),
            )
            self._keep(*changed)
            self._schedule_missed_check()
            self.entrance.notify_listeners()

    def expected_today(self, now: datetime) -> list[Delivery]:
        """The deliveries still expected today (local day): scheduled or under way, by window start."""
        local_now = dt_util.as_local(now)
        start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        end = start + timedelta(days=1)
        return [
            item
            for item in self._index.deliveries_overlapping(dt_util.as_utc(start), dt_util.as_utc(end))
            if item.status in (DeliveryStatus.SCHEDULED, DeliveryStatus.IN_PROGRESS)
        ]

    def next_delivery(self, now: datetime) -> Delivery | None:
        """The scheduled delivery whose window is open now or comes next."""
        return self._index.next_delivery(now)

    def deliveries(self, start: datetime, end: datetime) -> list[Delivery]:
        """Deliveries (any status) whose window overlaps [start, end), by window start."""
        return self._index.deliveries_overlapping(start, end)

    def open_window(self, now: datetime) -> Delivery | None:
        """A scheduled delivery whose window (with grace) is open now."""
        return self._index.open_window(now, self.grace)

    @callback
    def mark_in_progress(self, pass_id: str) -> None:
        """A visit of the pass started: only the status of the pass as it is now changes."""
        if (found := self._index.get(pass_id)) is not None and (started := found.started()) != found:
            self._keep(started)

    @callback
    def visit_finished(self, visit: Visit) -> None:
        """Update the pass of a finished visit.

        A visit resumed at start may end before the passes are read (it is locked first): its pass is
        updated as soon as they are.
        """
        if not self._loaded:
            self._finished_before_load.append(visit)
            return
        if visit.pass_id is None or (found := self._index.get(visit.pass_id)) is None:
            return
        # A visit resumed after a restart counts as used: nobody can tell whether someone went in.
        entered = visit.entered is not None or visit.resumed
        if (after := found.after_visit(entered=entered, unlock_failed=visit.unlock_failed)) != found:
            self._keep(after)
        self._schedule_missed_check()

    @callback
    def note_used(self, now: datetime, *pass_ids: str) -> None:
        """A visit of these passes began now (a carrier's link and its delivery): their last use."""
        for pass_id in pass_ids:
            if (found := self._index.get(pass_id)) is not None and (used := found.used(now)) != found:
                self._keep(used)

    def standing_passes(self) -> Iterator[Guest | Carrier]:
        """The guests and carrier links not revoked: each is a subentry and a device of the entrance."""
        yield from (item for item in self._index.guests() if not item.revoked)
        yield from (item for item in self._index.carriers() if not item.revoked)

    def standings(self, now: datetime) -> dict[str, PassStanding]:
        """Where each guest's and carrier's access stands now, by pass id (for their devices)."""
        tz = dt_util.get_default_time_zone()
        return {
            item.pass_id: PassStanding(
                state=standing(
                    item,
                    now,
                    self.grace,
                    tz,
                    self._expected(item, now) if isinstance(item, Carrier) else None,
                ),
                uses=item.uses,
                last_used=item.last_used,
                suspended=item.suspended,
            )
            for item in self.standing_passes()
        }

    @callback
    def mark_listed(self, pass_id: str) -> None:
        """The pass is a subentry of the entrance now: once gone from there, it is revoked."""
        found: Guest | Carrier | None = self._index.guest(pass_id) or self._index.carrier(pass_id)
        if found is not None and not found.listed:
            self._keep(replace(found, listed=True))

    @callback
    def revoke_delisted(self, pass_id: str) -> None:
        """The owner deleted the pass's subentry: it opens nothing from now on (written in the background)."""
        if (found := self._index.get(pass_id)) is not None and (closed := found.closed()) != found:
            _LOGGER.info(
                "%s: %s was removed from the entrance's page; its link is revoked", self.entrance.name, found.label
            )
            self._keep(closed)
            self.entrance.notify_listeners()

    def describe(self, item: Pass) -> dict[str, Any]:
        """A pass as list_passes answers it: everything but the token."""
        data = item.as_dict()
        del data["token_hash"]
        data.pop("listed", None)  # the pass book's own bookkeeping
        data["status"] = item.status_at(dt_util.utcnow())
        return data

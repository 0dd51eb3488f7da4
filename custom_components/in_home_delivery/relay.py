"""A street door opener that is a switch (a relay): pulsed on, and turned off until it reports `off`.

A relay left on holds the building's door open. So the pulse's end is written before the relay goes
on (write, or do not act), and a start that finds it written turns the relay off. At the pulse's end
the relay is turned off and confirmed from its state, again after a short backoff; one still on after
a few seconds (a welded contact, a relay that lost its radio) is a critical alert and a repair issue,
and it is tried slowly on until it reports `off`, at once when it reports again after being away.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
import logging

from homeassistant.const import STATE_OFF, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later, async_track_point_in_utc_time, async_track_state_change_event
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .access import StreetDoorOpener
from .const import DOMAIN
from .store import STORAGE_VERSION, CheckedStore

_LOGGER = logging.getLogger(__name__)

QUICK_RETRIES = (0.5, 1.0, 2.0, 4.0)  # seconds after each quick attempt: the alert comes after 7.5 s
SLOW_RETRY = timedelta(minutes=1)
AWAY = (None, STATE_UNAVAILABLE, STATE_UNKNOWN)

type Switch = Callable[[bool], Awaitable[bool]]
type StoreEnd = Callable[[datetime | None], Awaitable[bool]]


class StreetDoorRelay:
    """Pulses one street door relay and sees it off again."""

    def __init__(
        self,
        hass: HomeAssistant,
        entity_id: str,
        pulse: timedelta,
        *,
        switch: Switch,
        store_end: StoreEnd,
        alert: Callable[[str], None],
        raise_repair: Callable[[str], None],
        clear_repair: Callable[[], None],
    ) -> None:
        """Drive the relay through switch(on); store_end(end or None) says whether it is on disk."""
        self.hass = hass
        self.entity_id = entity_id
        self.pulse = pulse
        self._switch = switch
        self._store_end = store_end
        self._alert = alert
        self._raise_repair = raise_repair
        self._clear_repair = clear_repair
        self._writing = asyncio.Lock()
        self._active = False  # a pulse's end is on disk and the relay has not reported off since
        self._attempts = 0
        self._busy = False  # an attempt to turn it off is running
        self._alerted = False
        self._unsub_started: CALLBACK_TYPE | None = None
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._unsub_state: CALLBACK_TYPE | None = None

    @property
    def ending(self) -> bool:
        """Whether the relay is being turned off (the pulse is over, it has not reported off yet)."""
        return self._unsub_state is not None

    @callback
    def start(self, *, pending: bool) -> None:
        """Begin; with a pulse's end on disk (a restart during a pulse) turn the relay off once Home Assistant runs."""
        if pending:
            self._active = True
            self._unsub_started = async_at_started(self.hass, self._resume)

    @callback
    def stop(self) -> None:
        """The entrance unloads: no more attempts from here (what is on disk stays for the next start)."""
        if self._unsub_started is not None:
            self._unsub_started()
            self._unsub_started = None
        self._cancel_timer()
        self._stop_following()

    @callback
    def _resume(self, _hass: HomeAssistant) -> None:
        self._unsub_started = None
        _LOGGER.warning("%s was pulsed when Home Assistant stopped; turning it off", self.entity_id)
        self._end_pulse()

    async def async_pulse(self) -> bool:
        """Switch the relay on for the pulse; False where it was not (its end not stored, or the action failed)."""
        end = dt_util.utcnow() + self.pulse
        async with self._writing:
            if not await self._store_end(end):
                _LOGGER.error("%s: the pulse's end could not be stored; the relay stays off", self.entity_id)
                return False
            self._active = True
        self._cancel_timer()
        self._stop_following()  # a pulse while the last one ends: this one's end is what counts now
        # Its end is set before it goes on, and is no part of the request: a courier whose phone drops the
        # connection never leaves it on.
        self._unsub_timer = async_track_point_in_utc_time(self.hass, self._end_pulse, end)
        if not await self._switch(True):
            self._end_pulse()  # it may be on all the same
            return False
        return True

    @callback
    def _end_pulse(self, _now: datetime | None = None) -> None:
        """The pulse is over: turn the relay off until it reports off."""
        self._cancel_timer()
        if self._unsub_state is None:
            self._unsub_state = async_track_state_change_event(self.hass, [self.entity_id], self._on_state)
        self._attempts = 0
        self._attempt()

    @callback
    def _attempt(self) -> None:
        if self._busy:
            return  # the running attempt schedules the next
        self._cancel_timer()
        self._busy = True
        self.hass.async_create_task(self._async_turn_off(), f"{DOMAIN} street door relay off")

    async def _async_turn_off(self) -> None:
        self._attempts += 1
        try:
            await self._switch(False)
        finally:
            self._busy = False
        if not self.ending:
            return  # confirmed meanwhile, or stopped
        if (state := self.hass.states.get(self.entity_id)) is not None and state.state == STATE_OFF:
            self._confirmed()
            return
        quick = self._attempts <= len(QUICK_RETRIES)
        delay = QUICK_RETRIES[self._attempts - 1] if quick else SLOW_RETRY.total_seconds()
        self._unsub_timer = async_call_later(self.hass, delay, self._retry)

    @callback
    def _retry(self, _now: datetime) -> None:
        self._unsub_timer = None
        if self._attempts >= len(QUICK_RETRIES) and not self._alerted:
            self._alerted = True
            _LOGGER.error("%s is still on after %s attempts to turn it off", self.entity_id, self._attempts)
            self._alert(self.entity_id)
            self._raise_repair(self.entity_id)
        self._attempt()

    @callback
    def _on_state(self, event: Event[EventStateChangedData]) -> None:
        new_state, old_state = event.data["new_state"], event.data["old_state"]
        if new_state is not None and new_state.state == STATE_OFF:
            self._confirmed()
        elif new_state is not None and new_state.state not in AWAY and (old_state is None or old_state.state in AWAY):
            self._attempt()  # back after being away (or set up after us): at once

    @callback
    def _confirmed(self) -> None:
        """The relay reports off: the pulse is over, on disk too."""
        if not self.ending:
            return
        self._cancel_timer()
        self._stop_following()
        self._active = False
        if self._alerted:
            self._alerted = False
            _LOGGER.info("%s reports off again", self.entity_id)
            self._clear_repair()
        self.hass.async_create_task(self._async_forget_end(), f"{DOMAIN} street door relay off stored")

    async def _async_forget_end(self) -> None:
        async with self._writing:
            if not self._active:  # no new pulse began meanwhile
                await self._store_end(None)  # a failure only means the next start turns it off once more

    @callback
    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    @callback
    def _stop_following(self) -> None:
        if self._unsub_state is not None:
            self._unsub_state()
            self._unsub_state = None


def pulse_end_key(entry_id: str) -> str:
    """The Store key under which an entrance keeps the end of a running relay pulse."""
    return f"{DOMAIN}.{entry_id}.street_door_relay"


def pulse_end_store(hass: HomeAssistant, entry_id: str) -> CheckedStore:
    """The store of the pulse's end: written with a check, since the relay may go on only once it is."""
    return CheckedStore(hass, STORAGE_VERSION, pulse_end_key(entry_id), atomic_writes=True)


async def async_store_pulse_end(store: CheckedStore, end: datetime | None) -> bool:
    """Write the pulse's end (None: no pulse); True only once it is on disk."""
    try:
        await store.async_save_checked({"pulse_end": end.isoformat() if end else None})
    except (HomeAssistantError, OSError, TypeError, ValueError) as err:
        _LOGGER.error("The street door relay's pulse could not be stored: %s", err)
        return False
    return True


async def async_pulse_pending(store: CheckedStore) -> bool:
    """Whether a pulse's end is on disk; one that cannot be read counts as pending (turned off to be sure)."""
    try:
        data = await store.async_load()
    except (HomeAssistantError, OSError, ValueError) as err:
        _LOGGER.warning("The street door relay's pulse could not be read (%s); turning the relay off", err)
        return True
    return isinstance(data, dict) and data.get("pulse_end") is not None


async def async_street_door_relay(
    hass: HomeAssistant,
    entry_id: str,
    entrance: str,
    opener: StreetDoorOpener,
    *,
    switch: Switch,
    alert: Callable[[str], None],
) -> StreetDoorRelay:
    """The started relay of an entrance's street door: its pulse's end kept in a file, its repair issue."""
    issue_id = f"street_door_relay_{entry_id}"

    @callback
    def raise_repair(relay: str) -> None:
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.CRITICAL,
            translation_key="street_door_relay",
            translation_placeholders={"entrance": entrance, "relay": relay},
        )

    store = pulse_end_store(hass, entry_id)
    relay = StreetDoorRelay(
        hass,
        opener.entity_id,
        opener.pulse,
        switch=switch,
        store_end=lambda end: async_store_pulse_end(store, end),
        alert=alert,
        raise_repair=raise_repair,
        clear_repair=lambda: ir.async_delete_issue(hass, DOMAIN, issue_id),
    )
    relay.start(pending=await async_pulse_pending(store))
    return relay


async def async_remove_pulse_end(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the store with the entrance."""
    await pulse_end_store(hass, entry_id).async_remove()

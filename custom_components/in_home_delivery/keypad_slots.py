"""Keeping the lock's reserved slots in line with the codes, by Home Assistant's clock.

At start (every slot unknown), every RECONCILE_EVERY, when a pass changes and when the lock comes back,
every reserved slot is compared with what should be there (`core.codes.reconcile`) and written or
cleared, one run at a time. A slot the lock does not take is retried; one that holds (or may hold) a
code that must go for CLEAR_ALERT_AFTER is a critical alert and a repair issue, withdrawn once it is
empty. The digits are never logged: only the slot and what the lock's integration said.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .core.codes import EMPTY, ClearSlot, Code, Keypad, SetCode, Slots, WrongCodes, reconcile
from .core.commands import Message
from .entrance import Announcer
from .keypad_calls import async_call_quietly, clear_action, set_action

_LOGGER = logging.getLogger(__name__)

RECONCILE_EVERY = timedelta(seconds=10)
CALL_TIMEOUT = 30  # seconds a lock's write or clear may take before it counts as failed
UNAVAILABLE = ("unavailable", "unknown")


def came_back(event: Event[EventStateChangedData]) -> bool:
    """Whether an entity became reachable again (from unavailable, unknown or absent)."""
    old, new = event.data["old_state"], event.data["new_state"]
    return (old is None or old.state in UNAVAILABLE) and new is not None and new.state not in UNAVAILABLE


def code_issue_id(entry_id: str) -> str:
    """The repair of a code that cannot be cleared from the lock."""
    return f"code_not_cleared_{entry_id}"


class SlotKeeper:
    """Brings the lock's reserved slots in line with the codes; the part of KeypadCodes that talks to the lock."""

    hass: HomeAssistant
    entry: ConfigEntry
    keypad: Keypad
    lock: str
    codes: dict[str, Code]
    slots: Slots
    wrong: WrongCodes
    _opens: Callable[[str, datetime], bool | None]
    _label_of: Callable[[str], str | None]
    _announcer: Announcer
    _alerted: set[int]
    _running: asyncio.Lock
    _again: bool
    _stopped: bool
    retiring: bool

    def code_in(self, slot: int) -> Code | None:
        """The current code that holds the slot."""
        return next((code for code in self.codes.values() if code.slot == slot and not code.retired), None)

    async def _async_settled(self) -> None:
        """The slots were brought in line (KeypadCodes forgets a retired keypad's codes here)."""

    def retire(self, pass_id: str) -> None:
        """The pass closed: its code comes off the lock for good (KeypadCodes keeps the book)."""
        raise NotImplementedError

    @callback
    def request(self) -> None:
        """Bring the slots in line soon (a pass changed, the lock came back, a code was used)."""
        if self._stopped or self.hass.is_stopping:
            return
        self.entry.async_create_background_task(self.hass, self.async_reconcile(), f"{DOMAIN} keypad codes")

    def wanted(self, now: datetime) -> dict[int, Code]:
        """The code each reserved slot should hold now (none while wrong codes turned them off)."""
        for code in list(self.codes.values()):
            if not code.retired and self._opens(code.pass_id, now) is None:
                self.retire(code.pass_id)
            elif code.retired and self.slots.on_lock.get(code.slot) == EMPTY and self._label_of(code.pass_id) is None:
                del self.codes[code.pass_id]  # off the lock, and its pass forgotten: nothing left to show
        if self.wrong.off(now) or self.retiring:
            return {}
        reserved = set(self.keypad.slots)
        return {
            code.slot: code
            for code in self.codes.values()
            if code.slot in reserved and code.wanted(bool(self._opens(code.pass_id, now)))
        }

    def slots_kept(self) -> list[int]:
        """The reserved slots, and any a code still names (slots no longer reserved are cleared, never written)."""
        return sorted({*self.keypad.slots, *(code.slot for code in self.codes.values())})

    async def async_reconcile_now(self) -> None:
        """Bring the slots in line, and return once that is done (after a run already under way)."""
        while self._running.locked():
            async with self._running:
                pass
        await self.async_reconcile()

    async def async_reconcile(self) -> None:
        """Write what is missing and clear what must go, one run at a time (a request meanwhile runs again)."""
        if self._running.locked():
            self._again = True
            return
        async with self._running:
            self._again = True
            while self._again:
                self._again = False
                tried: set[SetCode | ClearSlot] = set()
                # Planned again after every command: a pass that changed while the lock was slow is seen at
                # once, and a clear never waits behind writes planned before it had to go.
                while command := next(
                    (
                        each
                        for each in reconcile(self.slots_kept(), self.wanted(dt_util.utcnow()), self.slots.on_lock)
                        if each not in tried
                    ),
                    None,
                ):
                    tried.add(command)
                    await self._async_carry_out(command)
                self._check_failing(dt_util.utcnow())
            await self._async_settled()

    async def _async_carry_out(self, command: SetCode | ClearSlot) -> None:
        slot = command.slot
        if isinstance(command, SetCode):
            action = set_action(self.keypad, self.lock, slot, command.code.secret)
        else:
            action = clear_action(self.keypad, self.lock, slot)
        asked = dt_util.utcnow()
        try:
            state = self.hass.states.get(self.lock)
            if state is None or state.state in UNAVAILABLE:
                raise HomeAssistantError("the lock is unavailable")
            async with asyncio.timeout(CALL_TIMEOUT):
                await async_call_quietly(self.hass, action)
        except (HomeAssistantError, TimeoutError, ValueError) as err:
            # The digits are never logged: only the slot and what the lock's integration said.
            _LOGGER.warning(
                "%s: keypad slot %s could not be %s: %s",
                self._announcer.name,
                slot,
                "written" if isinstance(command, SetCode) else "cleared",
                type(err).__name__,
            )
            self.slots.refused(command, asked)
            return
        self.slots.took(command)

    def _check_failing(self, now: datetime) -> None:
        """A slot that cannot be cleared for a minute: a critical alert and a repair; withdrawn once it is."""
        overdue = self.slots.overdue(now)
        for slot in overdue - self._alerted:
            self._alerted.add(slot)
            code = self.code_in(slot)
            who = (self._label_of(code.pass_id) or "") if code is not None else ""
            if self._must_go(slot, now):
                self._announcer.notify_owner(Message.CODE_NOT_CLEARED, critical=True, who=who, slot=str(slot))
            else:
                self._announcer.notify_owner(Message.CODE_NOT_WRITTEN, who=who, slot=str(slot))
        self._alerted &= set(self.slots.failing)
        stuck = sorted(slot for slot in self._alerted if self._must_go(slot, now))
        if stuck:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                code_issue_id(self.entry.entry_id),
                is_fixable=False,
                is_persistent=True,
                severity=ir.IssueSeverity.CRITICAL,
                translation_key="code_not_cleared",
                translation_placeholders={"entrance": self._announcer.name, "slots": ", ".join(map(str, stuck))},
            )
        else:
            ir.async_delete_issue(self.hass, DOMAIN, code_issue_id(self.entry.entry_id))

    def _must_go(self, slot: int, now: datetime) -> bool:
        """Whether the slot holds, or may hold, a code that must not be on the lock now."""
        code = self.code_in(slot)
        wanted = (
            code
            if code is not None and not self.wrong.off(now) and code.wanted(bool(self._opens(code.pass_id, now)))
            else None
        )
        return self.slots.must_clear(slot, wanted)

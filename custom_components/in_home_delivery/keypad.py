"""An entrance's keypad codes: issued once, kept on disk, and on the lock only while they may open it.

Home Assistant owns expiry, not the lock. At start (every slot unknown), every RECONCILE_EVERY, when a
pass changes and when the lock comes back, every reserved slot is compared with what should be there
(`core.codes.reconcile`) and written or cleared. A clear the lock does not take is retried; one that
fails for CLEAR_ALERT_AFTER is a critical alert and a repair issue, withdrawn once the slot is empty.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .core.codes import (
    DEFAULT_CODE_LENGTH,
    EMPTY,
    ClearSlot,
    Code,
    CodeState,
    CodesUsedUpError,
    Keypad,
    SetCode,
    Slots,
    WrongCodes,
    code_from_dict,
    code_hash,
    code_state,
    code_typed,
    free_slot,
    new_secret,
    reconcile,
    retire,
    used,
)
from .core.commands import Message
from .entrance import Announcer
from .keypad_calls import async_call_quietly, clear_action, set_action
from .passchanges import validation_error
from .store import CheckedStore, WriteFailedError

_LOGGER = logging.getLogger(__name__)

RECONCILE_EVERY = timedelta(seconds=10)
CALL_TIMEOUT = 30  # seconds a lock's write or clear may take before it counts as failed
STORAGE_VERSION = 1
UNAVAILABLE = ("unavailable", "unknown")


CONF_KEYPAD = "keypad"


def keypad_settings(data: Mapping[str, Any]) -> Keypad | None:
    """The entrance's keypad from its entry data (`keypad`), or None where it has none."""
    keypad = data.get(CONF_KEYPAD)
    if not keypad or not keypad.get("provider") or not keypad.get("slots"):
        return None
    return Keypad(
        provider=str(keypad["provider"]),
        slots=tuple(int(slot) for slot in keypad["slots"]),
        code_length=int(keypad.get("code_length") or DEFAULT_CODE_LENGTH),
        set_script=keypad.get("set_script"),
        clear_script=keypad.get("clear_script"),
    )


def came_back(event: Event[EventStateChangedData]) -> bool:
    """Whether an entity became reachable again (from unavailable, unknown or absent)."""
    old, new = event.data["old_state"], event.data["new_state"]
    return (old is None or old.state in UNAVAILABLE) and new is not None and new.state not in UNAVAILABLE


def codes_key(entry_id: str) -> str:
    """The Store key of an entrance's keypad codes."""
    return f"{DOMAIN}.{entry_id}.codes"


def code_issue_id(entry_id: str) -> str:
    """The repair of a code that cannot be cleared from the lock."""
    return f"code_not_cleared_{entry_id}"


class KeypadCodes:
    """The codes of one entrance's keypad, and the reserved slots of its lock."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        keypad: Keypad,
        *,
        lock: str,
        opens: Callable[[str, datetime], bool | None],
        label: Callable[[str], str | None],
        announcer: Announcer,
    ) -> None:
        """Keep the codes of the entrance's keypad.

        opens(pass_id, now): whether the pass would let its holder in now (its link's own rule), None
        when it never will again (revoked, cancelled, used up, gone); label(pass_id): how the owner knows it
        (None: the pass is gone from the pass book, forgotten after its time).
        """
        self.hass = hass
        self.entry = entry
        self.keypad = keypad
        self.lock = lock
        self._opens = opens
        self._label_of = label
        self._announcer = announcer
        self._store = CheckedStore(hass, STORAGE_VERSION, codes_key(entry.entry_id), atomic_writes=True)
        self.codes: dict[str, Code] = {}  # by pass id
        self.slots = Slots()  # what the lock took, slot by slot, and which slots keep failing
        self._issued: set[str] = set()
        self.wrong = WrongCodes()
        self._alerted: set[int] = set()
        self._running = asyncio.Lock()
        self._again = False
        self._stopped = False
        self.revision = -1  # the pass book's revision the slots were last brought in line for

    async def async_start(self) -> None:
        """Read the codes back; every slot is unknown until reconciled."""
        data = await self._store.async_load() or {}
        self.codes = {code.pass_id: code for code in map(code_from_dict, data.get("codes", []))}
        self._issued = set(data.get("issued", []))
        if off_until := data.get("off_until"):
            self.wrong.off_until = datetime.fromisoformat(off_until)
        self.entry.async_on_unload(async_track_time_interval(self.hass, self._on_tick, RECONCILE_EVERY))
        self.entry.async_on_unload(self._stop)

    @callback
    def _stop(self) -> None:
        self._stopped = True

    def _data(self) -> dict[str, Any]:
        return {
            "codes": [code.as_dict() for code in self.codes.values()],
            "issued": sorted(self._issued),
            "off_until": self.wrong.off_until.isoformat() if self.wrong.off_until else None,
        }

    async def _async_write(self) -> None:
        """Write the codes now, or raise WriteFailedError."""
        try:
            await self._store.async_save_checked(self._data())
        except (HomeAssistantError, OSError, TypeError, ValueError) as err:
            _LOGGER.error("%s: the keypad codes could not be written: %s", self._announcer.name, err)
            raise WriteFailedError(str(err)) from err

    def code_of(self, pass_id: str) -> Code | None:
        """The pass's current code, if it has one."""
        code = self.codes.get(pass_id)
        return code if code is not None and not code.retired else None

    def code_in(self, slot: int) -> Code | None:
        """The current code that holds the slot."""
        return next((code for code in self.codes.values() if code.slot == slot and not code.retired), None)

    def has_free_slot(self) -> bool:
        """Whether one more code can be given a slot."""
        return self._free_slot() is not None

    def _free_slot(self) -> int | None:
        current = [
            code for code in self.codes.values() if not code.retired or self.slots.on_lock.get(code.slot) != EMPTY
        ]
        return free_slot(self.keypad.slots, current, self.slots.on_lock)

    def may_be_on_lock(self) -> bool:
        """Whether some current code is on the lock, or may be (its slot not known empty)."""
        return any(not code.retired and self.slots.on_lock.get(code.slot) != EMPTY for code in self.codes.values())

    def typed(self, slot: int | None) -> Code | None:
        """The code a reported use was (slot None: the lock does not say): only one the lock is known to hold."""
        return code_typed(slot, self.codes.values(), self.slots, self.keypad.slots)

    def maybe_on_lock(self) -> list[Code]:
        """The codes (current or closed) the lock holds or may hold: a use nobody can attribute uses them up."""
        return [code for code in self.codes.values() if self.slots.on_lock.get(code.slot) != EMPTY]

    def on_lock_now(self) -> list[Code]:
        """The codes the lock took and holds now."""
        return [
            code for code in self.codes.values() if self.slots.on_lock.get(code.slot) == code.mark and not code.retired
        ]

    def describe(self, pass_id: str) -> dict[str, Any]:
        """What list_passes and diagnostics show of the pass's code: its slot and state, never the digits."""
        code = self.codes.get(pass_id)
        if code is None:
            return {}
        return {"code_slot": code.slot, "code_state": code_state(code, self.slots.on_lock, self.slots.failing).value}

    async def async_issue(self, pass_id: str, *, one_time: bool) -> Code:
        """Give the pass a new code in a free reserved slot, on disk before it is answered."""
        if self.code_of(pass_id) is not None:
            return await self.async_renew(pass_id)
        slot = self._free_slot()
        if slot is None:
            raise validation_error("no_code_slot", entrance=self._announcer.name)
        code = Code(pass_id=pass_id, slot=slot, secret=self._new_secret(), one_time=one_time)
        before = dict(self.codes)
        self.codes = {key: item for key, item in self.codes.items() if item.slot != slot} | {pass_id: code}
        return await self._async_keep(code, before)

    async def async_renew(self, pass_id: str) -> Code:
        """Replace the pass's code with a new one in the same slot; the old one leaves the lock at once."""
        old = self.code_of(pass_id)
        if old is None:
            raise validation_error("no_code", entrance=self._announcer.name)
        code = replace(old, secret=self._new_secret(), used_at=None)
        before = dict(self.codes)
        self.codes[pass_id] = code
        return await self._async_keep(code, before)

    def _new_secret(self) -> str:
        """A fresh code, or a translated error once nearly every code of the length was given."""
        taken = (code.secret for code in self.codes.values())
        try:
            return new_secret(self.keypad.code_length, taken=taken, issued=self._issued)
        except CodesUsedUpError:
            raise validation_error("codes_used_up", entrance=self._announcer.name) from None

    async def _async_keep(self, code: Code, before: dict[str, Code]) -> Code:
        self._issued.add(code_hash(code.secret))
        try:
            await self._async_write()
        except WriteFailedError:
            self.codes = before
            raise validation_error("code_not_stored", entrance=self._announcer.name) from None
        self.request()
        return code

    def used(self, code: Code, now: datetime) -> None:
        """The code opened the lock: a one-time code comes off it now, and never goes back.

        Only the code as it is now: one renewed meanwhile is already off the lock, and its new code stays.
        """
        current = self.codes.get(code.pass_id)
        if current is None or current.secret != code.secret:
            return
        self.codes[code.pass_id] = used(current, now)
        self.entry.async_create_task(self.hass, self._async_keep_quietly(), f"{DOMAIN} code used")
        self.request()

    def retire(self, pass_id: str) -> None:
        """The pass closed (revoked, cancelled, used up, removed): its code comes off the lock for good."""
        if (code := self.code_of(pass_id)) is not None:
            self.codes[pass_id] = retire(code)
            self.entry.async_create_task(self.hass, self._async_keep_quietly(), f"{DOMAIN} code retired")

    def wrong_code(self, now: datetime) -> bool:
        """A wrong code was typed; True when this one takes the managed codes off for a while."""
        tripped = self.wrong.add(now)
        if tripped:
            self.entry.async_create_task(self.hass, self._async_keep_quietly(), f"{DOMAIN} codes off")
            self.request()
        return tripped

    async def _async_keep_quietly(self) -> None:
        """Write what changed; a disk that refuses is told to the owner (the lock is cleared all the same)."""
        try:
            await self._async_write()
        except WriteFailedError:
            self._announcer.notify_owner_once("storage", Message.STORAGE_FAILED, who="", critical=True)

    @callback
    def request(self) -> None:
        """Bring the slots in line soon (a pass changed, the lock came back, a code was used)."""
        if self._stopped or self.hass.is_stopping:
            return
        self.entry.async_create_background_task(self.hass, self.async_reconcile(), f"{DOMAIN} keypad codes")

    @callback
    def _on_tick(self, _now: datetime) -> None:
        self.request()

    def wanted(self, now: datetime) -> dict[int, Code]:
        """The code each reserved slot should hold now (none while wrong codes turned them off)."""
        for code in list(self.codes.values()):
            if not code.retired and self._opens(code.pass_id, now) is None:
                self.retire(code.pass_id)
            elif code.retired and self.slots.on_lock.get(code.slot) == EMPTY and self._label_of(code.pass_id) is None:
                del self.codes[code.pass_id]  # off the lock, and its pass forgotten: nothing left to show
        if self.wrong.off(now):
            return {}
        reserved = set(self.keypad.slots)
        return {
            code.slot: code
            for code in self.codes.values()
            if code.slot in reserved and code.wanted(bool(self._opens(code.pass_id, now)))
        }

    def _slots_kept(self) -> list[int]:
        """The reserved slots, and any a code still names (slots no longer reserved are cleared, never written)."""
        return sorted({*self.keypad.slots, *(code.slot for code in self.codes.values())})

    async def async_reconcile(self) -> None:
        """Write what is missing and clear what must go, one run at a time (a request meanwhile runs again)."""
        if self._running.locked():
            self._again = True
            return
        async with self._running:
            self._again = True
            while self._again:
                self._again = False
                now = dt_util.utcnow()
                for command in reconcile(self._slots_kept(), self.wanted(now), self.slots.on_lock):
                    await self._async_carry_out(command)
                self._check_failing(dt_util.utcnow())

    async def _async_carry_out(self, command: SetCode | ClearSlot) -> None:
        slot = command.slot
        if isinstance(command, SetCode):
            action = set_action(self.keypad, self.lock, slot, command.code.secret)
        else:
            action = clear_action(self.keypad, self.lock, slot)
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
            self.slots.refused(command, dt_util.utcnow())
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
                is_persistent=False,
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

    def diagnostics(self) -> dict[str, Any]:
        """The keypad for diagnostics: its provider and slots, each code's slot and state; never the digits."""
        now = dt_util.utcnow()
        return {
            "provider": self.keypad.provider,
            "slots": list(self.keypad.slots),
            "code_length": self.keypad.code_length,
            "codes": [{"pass_id": pass_id, **self.describe(pass_id)} for pass_id in self.codes],
            "failing_slots": sorted(self.slots.failing),
            "codes_off_until": self.wrong.off_until.isoformat()
            if self.wrong.off(now) and self.wrong.off_until
            else None,
        }

    def state_of(self, pass_id: str) -> CodeState | None:
        """The pass's code state, if it has a code."""
        code = self.codes.get(pass_id)
        return None if code is None else code_state(code, self.slots.on_lock, self.slots.failing)

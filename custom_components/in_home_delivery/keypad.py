"""An entrance's keypad codes: issued once, kept on disk, and on the lock only while they may open it.

Home Assistant owns expiry, not the lock: keypad_slots.py brings the lock's reserved slots in line with
the codes kept here. A code is on disk before it is answered; its use and its retirement are written
after (the lock is cleared whether or not the disk takes it, and the owner is told where it does not).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import asdict, replace
from datetime import datetime
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .core.codes import (
    DEFAULT_CODE_LENGTH,
    EMPTY,
    Code,
    CodesUsedUpError,
    Keypad,
    Slots,
    WrongCodes,
    code_from_dict,
    code_hash,
    code_state,
    code_typed,
    free_slot,
    new_secret,
    retire,
    used,
)
from .core.commands import Message
from .entrance import Announcer
from .keypad_slots import RECONCILE_EVERY, SlotKeeper
from .passchanges import validation_error
from .store import EntranceStore, WriteFailedError

_LOGGER = logging.getLogger(__name__)

CODES_MINOR_VERSION = 1  # the codes store is versioned apart from the entrance stores
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


async def async_leftover_keypad(hass: HomeAssistant, entry_id: str) -> Keypad | None:
    """A keypad taken off the entrance that may still have codes on the lock (its slots must be emptied)."""
    data = await EntranceStore(hass, codes_key(entry_id), dict, minor_version=CODES_MINOR_VERSION).async_load()
    return keypad_settings(data) if data.get("codes") else None


def codes_key(entry_id: str) -> str:
    """The Store key of an entrance's keypad codes."""
    return f"{DOMAIN}.{entry_id}.codes"


class KeypadCodes(SlotKeeper):
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
        retiring: bool = False,
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
        self._store = EntranceStore(hass, codes_key(entry.entry_id), self._data, minor_version=CODES_MINOR_VERSION)
        self.codes: dict[str, Code] = {}  # by pass id
        self.slots = Slots()  # what the lock took, slot by slot, and which slots keep failing
        self._issued: set[str] = set()
        self.wrong = WrongCodes()
        self._alerted: set[int] = set()
        self._running = asyncio.Lock()
        self._again = False
        self._stopped = False
        self.revision = -1  # the pass book's revision the slots were last brought in line for
        self.unsaved = False  # a use or retirement the disk refused: written again at every tick
        self.retiring = retiring  # the keypad was taken off the entrance: its slots are emptied, then forgotten

    async def async_start(self) -> None:
        """Read the codes back; every slot is unknown until reconciled."""
        data = await self._store.async_load()
        self.codes = {code.pass_id: code for code in map(code_from_dict, data.get("codes", []))}
        self._issued = set(data.get("issued", []))
        if off_until := data.get("off_until"):
            self.wrong.off_until = datetime.fromisoformat(off_until)
        self.entry.async_on_unload(async_track_time_interval(self.hass, self._on_tick, RECONCILE_EVERY))
        self.entry.async_on_unload(self._stop)
        self.entry.async_on_unload(self._async_write_unsaved)

    async def _async_write_unsaved(self) -> None:
        """At unload: a use or retirement the disk refused is tried once more, so a restart keeps it."""
        if self.unsaved:
            await self._async_keep_quietly()

    @callback
    def _stop(self) -> None:
        self._stopped = True

    def _data(self) -> dict[str, Any]:
        return {
            "codes": [code.as_dict() for code in self.codes.values()],
            "issued": sorted(self._issued),
            "off_until": self.wrong.off_until.isoformat() if self.wrong.off_until else None,
            # Where the codes are, so that a keypad taken off the entrance still gets its slots emptied.
            "keypad": asdict(self.keypad) | {"slots": list(self.keypad.slots)},
        }

    async def _async_settled(self) -> None:
        """A keypad being retired whose slots are all empty: its codes are forgotten."""
        if self.retiring and all(self.slots.on_lock.get(slot) == EMPTY for slot in self.slots_kept()):
            self.codes = {}
            await self._store.async_remove()

    def code_of(self, pass_id: str) -> Code | None:
        """The pass's current code, if it has one."""
        code = self.codes.get(pass_id)
        return code if code is not None and not code.retired else None

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
        return any(not code.retired for code in self.maybe_on_lock())

    def typed(self, slot: int | None) -> Code | None:
        """The code a reported use was (slot None: the lock does not say): only one the lock is known to hold."""
        return code_typed(slot, self.codes.values(), self.slots, self.keypad.slots)

    def maybe_on_lock(self) -> list[Code]:
        """The codes (current or closed) the lock holds or may hold: a use nobody can attribute uses them up."""
        return [code for code in self.codes.values() if self.slots.on_lock.get(code.slot) != EMPTY]

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
        displaced = {key: item for key, item in self.codes.items() if item.slot == slot}  # retired, off the lock
        self.codes = {key: item for key, item in self.codes.items() if key not in displaced} | {pass_id: code}

        def undo() -> None:
            if self.codes.get(pass_id) == code:
                del self.codes[pass_id]
                self.codes |= {key: item for key, item in displaced.items() if key not in self.codes}

        return await self._async_keep(code, undo)

    async def async_renew(self, pass_id: str) -> Code:
        """Replace the pass's code with a new one in the same slot; the old one leaves the lock at once."""
        old = self.code_of(pass_id)
        if old is None:
            raise validation_error("no_code", entrance=self._announcer.name)
        code = replace(old, secret=self._new_secret(), used_at=None)
        self.codes[pass_id] = code

        def undo() -> None:
            if self.codes.get(pass_id) == code:
                self.codes[pass_id] = old

        return await self._async_keep(code, undo)

    def _new_secret(self) -> str:
        """A fresh code, or a translated error once nearly every code of the length was given."""
        taken = (code.secret for code in self.codes.values())
        try:
            return new_secret(self.keypad.code_length, taken=taken, issued=self._issued)
        except CodesUsedUpError:
            raise validation_error("codes_used_up", entrance=self._announcer.name) from None

    async def _async_keep(self, code: Code, undo: Callable[[], None]) -> Code:
        """The new code on disk before it is answered; where the disk refuses, only this change is undone."""
        self._issued.add(code_hash(code.secret))
        try:
            await self._store.async_save_checked()
        except WriteFailedError:
            undo()
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
        """Write what changed; a disk that refuses is told to the owner and tried again at every tick.

        The lock is cleared all the same; a used code must not come back after a restart.
        """
        try:
            await self._store.async_save_checked()
        except WriteFailedError:
            self.unsaved = True
            self._announcer.notify_owner_once("storage", Message.STORAGE_FAILED, who="", critical=True)
        else:
            self.unsaved = False

    @callback
    def _on_tick(self, _now: datetime) -> None:
        if self.unsaved:
            self.entry.async_create_task(self.hass, self._async_keep_quietly(), f"{DOMAIN} codes written again")
        self.request()

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

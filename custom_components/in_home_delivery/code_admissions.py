"""A keypad code typed at the lock: the lock has opened already; the core decides what it was.

A code in its time starts the same visit as its pass's link (`admitted_by: code`): camera, lights, the
owner told who came, relocking confirmed. Anything else (a code outside its time that a lock kept, a
slot no code holds, a second use of a one-time code, the entrance not accepting) is locked again at
once by the visit's rules, and the owner is alerted. A one-time code is used up either way.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import logging

from homeassistant.core import CALLBACK_TYPE, State, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .admissions import Admissions
from .const import DOMAIN
from .core.admission import DenyReason
from .core.codes import Code
from .core.commands import EventType, Message
from .core.door import CodeTyped
from .core.visit import begin_auto_lock
from .entrance_parts import VisitDeniedError
from .keypad import KeypadCodes
from .keypad_reports import NO_SLOT, KeypadReport, unlock_is_code

_LOGGER = logging.getLogger(__name__)

CODE = "code"  # admitted_by of a visit a keypad code let in
REPORT_SETTLE = timedelta(seconds=3)  # an unlock waits this long for the keypad's report of it, and back
REPEATED_REPORT = timedelta(minutes=1)  # a one-time code's use reported again within this is the same use


class CodeAdmissions(Admissions):
    """Keypad codes as a way in; a part of EntranceController."""

    keypad: KeypadCodes | None
    _unsub_settle: CALLBACK_TYPE | None
    _pending_report: tuple[int, datetime] | None  # a keypad report that came before the lock's unlock

    def _code_opens(self, pass_id: str, now: datetime) -> bool | None:
        """Whether the pass's code belongs on the lock now; None when its pass is closed for good."""
        item = self.passes.find_pass(pass_id)
        if item is None or not item.open_at(now):
            return None
        return self.accepting and self.passes.stored(pass_id) and self.passes.denial(item, now) is None

    @callback
    def keypad_report(self, report: KeypadReport) -> None:
        """The lock's family reported its keypad: a wrong code, or a code used in a slot."""
        if self.keypad is None:
            return
        if report.wrong:
            if self.keypad.wrong_code(dt_util.utcnow()):
                self.notify_owner(Message.WRONG_CODES, critical=True)
            return
        if report.slot not in self.keypad.slots_kept():  # neither reserved nor held by a managed code
            return
        self._cancel_settle()
        if self.lock_state == "unlocked":
            self.entry.async_create_task(self.hass, self.async_code_used(report.slot), f"{DOMAIN} code used")
        else:  # the lock's state may follow its report: the use counts if it opens within REPORT_SETTLE
            self._pending_report = (report.slot, dt_util.utcnow())

    @callback
    def unlocked_outside_visit(self, new_state: State | None) -> bool:
        """An unlock outside a visit: True when the keypad takes it (a code's use, or waiting for its report)."""
        keypad = self.keypad
        if keypad is None:
            return False
        report, self._pending_report = self._pending_report, None
        if report is not None and dt_util.utcnow() - report[1] <= REPORT_SETTLE:
            self._cancel_settle()
            self.entry.async_create_task(self.hass, self.async_code_used(report[0]), f"{DOMAIN} code used")
            return True
        if not keypad.may_be_on_lock():
            return False
        if unlock_is_code(keypad.keypad.provider, new_state):
            self._cancel_settle()
            self.entry.async_create_task(self.hass, self.async_code_used(NO_SLOT), f"{DOMAIN} code used")
            return True
        if self._unsub_settle is None:  # the keypad's report may follow the lock's state: wait for it
            self._unsub_settle = async_call_later(self.hass, REPORT_SETTLE, self._on_settled)
        return True

    @callback
    def _on_settled(self, _now: datetime) -> None:
        self._unsub_settle = None
        if self.lock_state == "unlocked" and not self.visit_running and not self._admitting:
            self._auto_lock()

    @callback
    def _cancel_settle(self) -> None:
        if self._unsub_settle is not None:
            self._unsub_settle()
            self._unsub_settle = None

    async def async_code_used(self, slot: int) -> None:
        """A code opened the lock (slot NO_SLOT: the lock does not say which): a visit, or locked again."""
        keypad = self.keypad
        if keypad is None:
            return
        if self.lock_state != "unlocked":
            _LOGGER.info("%s: the keypad reported slot %s, but the lock did not open: no visit", self.name, slot)
            return  # a late or repeated report: the lock is not opened for it
        now = dt_util.utcnow()
        used = keypad.code_in(slot) if slot != NO_SLOT else None
        if used is not None and used.used_at is not None and now - used.used_at < REPEATED_REPORT:
            return  # the same use of a one-time code, reported again (it may be off the lock already)
        code = keypad.typed(None if slot == NO_SLOT else slot)
        if code is None:
            # Whose code it was is not known for sure (the lock does not say, and more than one may be on it;
            # or the slot may still hold a code it replaced): no visit, and every one-time code it may have
            # been is used up.
            for each in keypad.maybe_on_lock():
                if slot in (NO_SLOT, each.slot):
                    keypad.used(each, now)
            label = self.messages.text("label_keypad_code")
            self.emit(EventType.CODE_USED, None, pass_id=None, pass_kind=CODE, pass_label=label)
            self._code_refused(None, DenyReason.CODE_UNKNOWN)
            return
        slot = code.slot
        label, kind = self._code_holder(code)
        self.emit(EventType.CODE_USED, None, pass_id=code.pass_id if code else None, pass_kind=kind, pass_label=label)
        carrier = self.passes.carrier(code.pass_id) if code else None
        delivery = self.passes.expected_for(carrier, now) if carrier is not None else None
        item = delivery if carrier is not None else (self.passes.find_pass(code.pass_id) if code else None)
        try:
            await self.async_admit(item, asker=CodeTyped(slot=slot), via=carrier, how=CODE)
        except VisitDeniedError as err:
            if err.reason != DenyReason.VISIT_RUNNING:
                self._code_refused(code, err.reason)
            elif self._admitting:  # another admission was being decided: what it ends in decides
                self._after_admission.append(lambda: self._unless_admitted(code))
        finally:
            if code is not None and code.one_time:
                keypad.used(code, now)

    @callback
    def _unless_admitted(self, code: Code | None) -> None:
        """The admission decided while the code was used has ended: what the code opened is locked again.

        Only where that admission began no visit (a visit that runs locks the door itself).
        """
        if not self.visit_running and self.lock_state == "unlocked":
            self._code_refused(code, DenyReason.VISIT_RUNNING)

    def _code_holder(self, code: Code | None) -> tuple[str, str]:
        """How the owner knows the code's pass, and its kind."""
        item = self.passes.find_pass(code.pass_id) if code is not None else None
        if item is None:
            return self.messages.text("label_keypad_code"), CODE
        return item.label, item.kind

    @callback
    def _code_refused(self, code: Code | None, reason: str) -> None:
        """A code opened the lock when none should: alert the owner, and lock again by the visit's rules."""
        label, _kind = self._code_holder(code)
        _LOGGER.warning("%s: a keypad code opened the lock when none should (%s); locking again", self.name, reason)
        self.notify_owner(Message.CODE_REFUSED, critical=True, who=label, reason=str(reason))
        if self.visit_running or self._admitting:
            return
        door_open = self.door_open() if self.door_sensor else False
        self._commit(
            *begin_auto_lock(
                visit_id=ulid_now(), label=label, now=dt_util.utcnow(), settings=self.settings, door_open=door_open
            )
        )

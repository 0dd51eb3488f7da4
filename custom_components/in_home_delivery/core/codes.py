"""Keypad codes: which code belongs on which reserved slot of the lock, now, by Home Assistant's clock.

A code is on the lock only while its pass would let its holder in (the same rule as the pass's link,
`door.pass_denial`), and a delivery's code only until its first use. Locks are not trusted to expire
anything: `reconcile` compares every reserved slot with what should be there and says what to write
and what to clear; the shell carries that out and records what the lock took.

Codes are random digits, never trivial, never the same as another managed code, never issued twice.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
import hashlib
from itertools import pairwise
import secrets

PROVIDERS = ("zwave_js", "matter", "zha", "script")
DEFAULT_CODE_LENGTH = 6
MIN_CODE_LENGTH = 4
MAX_CODE_LENGTH = 10
MAX_SLOTS = 50
CLEAR_ALERT_AFTER = timedelta(minutes=1)  # a slot that cannot be cleared for this long: alert and repair
WRONG_CODE_WINDOW = timedelta(minutes=10)
WRONG_CODE_LIMIT = 5
CODES_OFF_FOR = timedelta(minutes=15)
EMPTY = ""  # what an empty slot holds in `on_lock`


class CodeState(StrEnum):
    """Where a pass's code stands (list_passes, diagnostics)."""

    PENDING = "pending"  # waiting for its time, or being written
    ACTIVE = "active"  # on the lock now
    CLEARED = "cleared"  # retired and confirmed off the lock: it never opens again
    FAILED = "failed"  # the lock did not take the last write or clear of its slot (retried)


@dataclass(frozen=True, kw_only=True)
class Keypad:
    """An entrance's keypad: who writes codes to the lock, the slots reserved for us, the code length."""

    provider: str
    slots: tuple[int, ...]
    code_length: int = DEFAULT_CODE_LENGTH
    set_script: str | None = None
    clear_script: str | None = None


@dataclass(frozen=True, kw_only=True)
class Code:
    """A pass's keypad code in its slot. `one_time`: a delivery's, off the lock for good after its first use."""

    pass_id: str
    slot: int
    secret: str
    one_time: bool
    used_at: datetime | None = None
    retired: bool = False  # renewed, or its pass closed: it is cleared and never written again

    @property
    def mark(self) -> str:
        """What `on_lock` holds for this code: a fingerprint, never the digits."""
        return fingerprint(self.pass_id, self.secret)

    def wanted(self, pass_opens: bool) -> bool:
        """Whether it belongs on the lock now: its pass opens now, and a one-time code is unused."""
        return pass_opens and not self.retired and not (self.one_time and self.used_at is not None)

    def as_dict(self) -> dict[str, object]:
        """As the code store keeps it."""
        return {
            "pass_id": self.pass_id,
            "slot": self.slot,
            "secret": self.secret,
            "one_time": self.one_time,
            "used_at": self.used_at.isoformat() if self.used_at else None,
            "retired": self.retired,
        }


def code_from_dict(data: Mapping[str, object]) -> Code:
    """Read a code back from the store."""
    used = data.get("used_at")
    return Code(
        pass_id=str(data["pass_id"]),
        slot=int(str(data["slot"])),
        secret=str(data["secret"]),
        one_time=bool(data.get("one_time")),
        used_at=datetime.fromisoformat(str(used)) if used else None,
        retired=bool(data.get("retired")),
    )


def fingerprint(pass_id: str, secret: str) -> str:
    """A code as the slot record names it: no digits in a file or diagnostics that only track slots."""
    return hashlib.sha256(f"{pass_id}:{secret}".encode()).hexdigest()[:16]


def code_hash(secret: str) -> str:
    """How an issued code is remembered, so that it is never issued again."""
    return hashlib.sha256(secret.encode()).hexdigest()


def trivial(secret: str) -> bool:
    """A code anyone would try first: one digit repeated, a run up or down, or a short pattern repeated."""
    digits = [int(char) for char in secret]
    steps = {(b - a) % 10 for a, b in pairwise(digits)}
    if len(steps) == 1 and steps <= {0, 1, 9}:
        return True
    return any(len(secret) % size == 0 and secret == secret[:size] * (len(secret) // size) for size in (1, 2, 3))


MAX_DRAWS = 10_000  # random draws before the rest of a short length is searched through
ENUMERATED_LENGTH = 5


class CodesUsedUpError(Exception):
    """No fresh code of the length is left to give: a longer code length is needed."""


def new_secret(
    length: int, *, taken: Iterable[str], issued: set[str], draw: Callable[[int], int] = secrets.randbelow
) -> str:
    """Random digits of the length: not trivial, unlike every managed code, and never issued before.

    After MAX_DRAWS random misses, a short length (up to ENUMERATED_LENGTH digits) is searched through
    from a random start, so the last fresh code is found; none left raises CodesUsedUpError (4 digits
    allow 9,880 codes in all). Longer codes (a million and more) do not run out in any home's lifetime.
    """
    taken = set(taken)

    def fresh(secret: str) -> bool:
        return not trivial(secret) and secret not in taken and code_hash(secret) not in issued

    for _ in range(MAX_DRAWS):
        if fresh(secret := "".join(str(draw(10)) for _ in range(length))):
            return secret
    if length <= ENUMERATED_LENGTH:
        count = 10**length
        start = draw(count)
        for step in range(count):
            if fresh(secret := f"{(start + step) % count:0{length}d}"):
                return secret
    raise CodesUsedUpError


def free_slot(slots: Iterable[int], codes: Iterable[Code], on_lock: Mapping[int, str]) -> int | None:
    """A reserved slot no code holds, and that is known empty or unknown (never one whose clear failed)."""
    held = {code.slot for code in codes}
    return next((slot for slot in slots if slot not in held and on_lock.get(slot, EMPTY) == EMPTY), None)


def code_typed(slot: int | None, codes: Iterable[Code], slots: Slots, reserved: Iterable[int]) -> Code | None:
    """The code a use the lock reported was: its slot's current code, only while the lock is known to hold it.

    Where the slot is not known to hold it (its write failed or its answer was lost, after a restart), the
    digits typed may be the code it replaced: renewed, used up or closed. Where the lock does not say the
    slot (None: Matter, script), it is the one code on the lock, only while no other slot may hold one (a
    closed code whose clear failed, a slot not known). Otherwise the use is no code's.
    """
    codes = list(codes)
    if slot is None:
        maybe = [each for each in {*reserved, *(code.slot for code in codes)} if slots.on_lock.get(each) != EMPTY]
        if len(maybe) != 1:
            return None
        slot = maybe[0]
    held = slots.on_lock.get(slot)
    return next((code for code in codes if code.slot == slot and not code.retired and held == code.mark), None)


@dataclass(frozen=True, kw_only=True)
class SetCode:
    """Write the code to its slot."""

    slot: int
    code: Code


@dataclass(frozen=True, kw_only=True)
class ClearSlot:
    """Empty the slot."""

    slot: int


type SlotCommand = SetCode | ClearSlot


def reconcile(slots: Iterable[int], wanted: Mapping[int, Code], on_lock: Mapping[int, str]) -> list[SlotCommand]:
    """What to write and clear so that every reserved slot holds what should be there now.

    `on_lock` is what the lock took last (a code's mark, or EMPTY); a slot missing from it is unknown
    (at start, or after a write whose outcome is not known) and is written or cleared again.
    Clears come first: a code that must go never waits behind one being written, and a slot that holds
    another code is emptied before its new code is written.
    """
    clears: list[SlotCommand] = []
    writes: list[SlotCommand] = []
    for slot in slots:
        code = wanted.get(slot)
        held = on_lock.get(slot)
        if code is None and held != EMPTY:
            clears.append(ClearSlot(slot=slot))
        elif code is not None and held != code.mark:
            if held not in (EMPTY, None):  # another code is there (renewed, a slot reused): it goes first,
                clears.append(ClearSlot(slot=slot))  # even where the lock will not take the new one
            writes.append(SetCode(slot=slot, code=code))
    return clears + writes


@dataclass
class Slots:
    """What Home Assistant knows of the reserved slots: what each took last, and which keep failing since when.

    A slot missing from `on_lock` is unknown (at start; after a write whose outcome is not known): it is
    written or cleared again. A clear that failed leaves the slot as it was (the code may still be there).
    A write that failed leaves it holding what it held or what was written: `unsure` keeps both.
    """

    on_lock: dict[int, str] = field(default_factory=dict)
    failing: dict[int, datetime] = field(default_factory=dict)
    unsure: dict[int, frozenset[str]] = field(default_factory=dict)

    def took(self, command: SlotCommand) -> None:
        """The lock took the command."""
        self.failing.pop(command.slot, None)
        self.unsure.pop(command.slot, None)
        self.on_lock[command.slot] = command.code.mark if isinstance(command, SetCode) else EMPTY

    def refused(self, command: SlotCommand, now: datetime) -> None:
        """The lock did not take it (an error, a timeout, unreachable)."""
        self.failing.setdefault(command.slot, now)
        slot = command.slot
        if isinstance(command, SetCode) and (slot in self.on_lock or slot in self.unsure):
            # Half written, perhaps: unknown, holding what it held or what was written.
            held = {self.on_lock.pop(slot)} if slot in self.on_lock else self.unsure[slot]
            self.unsure[slot] = frozenset({*held, command.code.mark})

    def forget(self) -> None:
        """A restart: nothing is known of the lock until it is reconciled."""
        self.on_lock.clear()
        self.failing.clear()
        self.unsure.clear()

    def overdue(self, now: datetime) -> set[int]:
        """Slots failing for CLEAR_ALERT_AFTER or longer."""
        return {slot for slot, since in self.failing.items() if now - since >= CLEAR_ALERT_AFTER}

    def must_clear(self, slot: int, wanted: Code | None) -> bool:
        """Whether the slot holds, or may hold, a code other than the one wanted there now (None: none is).

        A write that keeps failing over another code may leave that code on the lock, and one that landed
        unheard its own: that slot is as stuck as one whose clear keeps failing. A slot not known at all
        may hold anything.
        """
        held = {self.on_lock[slot]} if slot in self.on_lock else self.unsure.get(slot)
        return held is None or not held <= {EMPTY, wanted.mark if wanted is not None else EMPTY}


def code_state(code: Code, on_lock: Mapping[int, str], failing: Iterable[int]) -> CodeState:
    """Where the code stands: on the lock, failing, retired and gone, or waiting."""
    held = on_lock.get(code.slot)
    if code.slot in set(failing):
        return CodeState.FAILED
    if held == code.mark:
        return CodeState.ACTIVE
    if code.retired or (code.one_time and code.used_at is not None):
        return CodeState.CLEARED if held == EMPTY else CodeState.PENDING
    return CodeState.PENDING


@dataclass
class WrongCodes:
    """Wrong codes typed at the keypad: five within ten minutes take the managed codes off for a quarter hour."""

    recent: deque[datetime] = field(default_factory=lambda: deque(maxlen=WRONG_CODE_LIMIT))
    off_until: datetime | None = None

    def add(self, now: datetime) -> bool:
        """Count one; True when this one turns the codes off."""
        self.recent.append(now)
        if len(self.recent) == WRONG_CODE_LIMIT and now - self.recent[0] <= WRONG_CODE_WINDOW and not self.off(now):
            self.off_until = now + CODES_OFF_FOR
            self.recent.clear()
            return True
        return False

    def off(self, now: datetime) -> bool:
        """Whether the managed codes are off now."""
        return self.off_until is not None and now < self.off_until


def retire(code: Code) -> Code:
    """Renewed, or its pass closed: it comes off the lock and is never written again."""
    return replace(code, retired=True)


def used(code: Code, now: datetime) -> Code:
    """It opened the lock: a one-time code comes off now (and is never written again)."""
    return code if code.used_at is not None else replace(code, used_at=now)

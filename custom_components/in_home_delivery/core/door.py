"""The one decision: whether a request may act on the entrance now.

Every way in asks `decide`: a courier's, guest's or carrier's link, the street door, the doorbell's
*Let in*, any button on the owner's phone, a keypad code typed at the lock, the owner's `admit` and
`end_visit`. The shell gathers the
facts (the pass as it is now, whether that is on disk, the entrance's state) and carries out the
answer; it never decides itself. The rules, in one place:

- Nothing opens without a pass inside its window, except an administrator's explicit act. Locking
  (ending the running visit) is never refused for want of rights.
- A link acts only with the token its pass has now, only while the pass's latest change is on disk.
- A phone button acts only for what it was issued for (its purpose, its visit or pass): a *Lock now*
  button never opens, a *Let in* button opens only for its own pass while that pass may open.
- A carrier's link opens only for a delivery of that carrier whose window is open.
- A keypad code has already opened the lock when it is reported: it is a visit only while its pass
  would let its holder in (a one-time code only once); otherwise the lock is locked again.

Each rule is a property test (tests/test_door_properties.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from .admission import Conditions, DenyReason, admission_denial
from .carriers import Carrier
from .codes import Code
from .guests import Guest
from .passes import Delivery, PassDenial
from .passindex import Pass

MAX_STREET_DOOR_OPENINGS = 3  # per pass and window

type Denial = DenyReason | PassDenial


class Purpose(StrEnum):
    """What a request asks for."""

    ARRIVE = "arrive"  # "I am at the door": tells the owner, moves nothing
    OPEN = "open"  # unlock (or open) the entrance for a visit
    STREET_DOOR = "street_door"  # open the building's street door
    LOCK = "lock"  # end the running visit now


@dataclass(frozen=True, kw_only=True)
class Link:
    """A courier's, guest's or carrier's link, with the hash of the token it came with."""

    token_hash: str


@dataclass(frozen=True, kw_only=True)
class Owner:
    """The owner through an action; only an administrator may act without a pass's window."""

    admin: bool


@dataclass(frozen=True, kw_only=True)
class Button:
    """A button on the owner's phone, as it was issued: for what, and for which visit or pass."""

    issued_for: Purpose
    visit_id: str | None = None
    pass_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class CodeTyped:
    """A managed keypad code the lock reports as used, by its slot (the lock has already opened)."""

    slot: int


type Asker = Link | Owner | Button | CodeTyped


@dataclass(frozen=True, kw_only=True)
class RunningVisit:
    """The visit running now: its id and the pass it was admitted for."""

    visit_id: str
    pass_id: str | None


@dataclass(frozen=True, kw_only=True)
class StreetDoor:
    """The building's street door opener: whether it answers, and how often this pass's window used it."""

    available: bool
    openings: int = 0


@dataclass(frozen=True, kw_only=True)
class Facts:
    """Everything the decision reads, gathered by the shell at the moment of asking.

    `pass_` is the pass asked for as it is now (None: there is none); for a carrier's link, `delivery`
    is the delivery of that carrier whose window is open now (None: nothing expected); for a keypad
    code, `code` is the managed code in the reported slot now (None: none). `stored` says
    whether the latest change of every pass involved is confirmed on disk. `entrance` is needed to
    open (None refuses): a first check, before a camera picture is awaited, gathers it with `camera_ok`.
    """

    now: datetime
    grace: timedelta
    tz: tzinfo
    pass_: Pass | None = None
    delivery: Delivery | None = None
    stored: bool = True
    running: RunningVisit | None = None
    door_open: bool | None = None
    entrance: Conditions | None = None
    street_door: StreetDoor | None = None
    code: Code | None = None
    codes_off: bool = False  # wrong codes turned the managed codes off for a while


def pass_denial(
    item: Pass, now: datetime, grace: timedelta, tz: tzinfo, delivery: Delivery | None
) -> PassDenial | None:
    """Why a pass does not let its holder in now, or None when it does (inside its window)."""
    match item:
        case Delivery():
            return item.denial(now, grace)
        case Guest():
            return item.denial(now, tz)
        case Carrier():
            if denial := item.denial(now, tz):
                return denial
            if delivery is None or not item.matches(delivery.carrier):
                return PassDenial.NO_DELIVERY_EXPECTED
            return delivery.denial(now, grace)  # the delivery's own: used once it was let in


def visit_pass_id(item: Pass, delivery: Delivery | None) -> str:
    """The pass a visit of this request belongs to: a carrier's link lets the delivery's visit in."""
    return delivery.pass_id if isinstance(item, Carrier) and delivery is not None else item.pass_id


def decide(asker: Asker, purpose: Purpose, facts: Facts) -> Denial | None:
    """Allow (None), or the reason the request is refused; the first reason that applies is given."""
    match asker:
        case Owner():
            return _owner(asker, purpose, facts)
        case Button():
            return _button(asker, purpose, facts)
        case Link():
            return _link(asker, purpose, facts)
        case CodeTyped():
            return _code(asker, purpose, facts)


def _owner(asker: Owner, purpose: Purpose, facts: Facts) -> Denial | None:
    if purpose is Purpose.LOCK:  # locking is never refused for want of rights
        return None if facts.running is not None else DenyReason.NO_VISIT
    if not asker.admin:
        return DenyReason.NOT_ADMIN
    if facts.pass_ is not None:
        if not facts.stored:
            return DenyReason.NOT_STORED
        if not facts.pass_.open_at(facts.now):  # the owner's rule: no window binds
            return PassDenial.USED
    return _entrance(purpose, facts, owner=True)


def _button(asker: Button, purpose: Purpose, facts: Facts) -> Denial | None:
    if purpose is not asker.issued_for:
        return DenyReason.NOT_ISSUED_FOR
    if purpose is Purpose.LOCK:
        running = facts.running
        return None if running is not None and running.visit_id == asker.visit_id else DenyReason.NO_VISIT
    if purpose is not Purpose.OPEN or asker.pass_id is None:
        return DenyReason.NOT_ISSUED_FOR
    item = facts.pass_
    if item is None or item.pass_id != asker.pass_id:
        return DenyReason.NOT_ISSUED_FOR
    if denial := _pass(item, facts):
        return denial
    # The owner answered the question: their word stands for "deliveries allowed" and "nobody home".
    return _entrance(purpose, facts, owner=True)


def _link(asker: Link, purpose: Purpose, facts: Facts) -> Denial | None:
    item = facts.pass_
    if item is None or item.token_hash != asker.token_hash:
        return PassDenial.REVOKED
    if purpose is Purpose.LOCK:
        running = facts.running
        if running is None or running.pass_id != visit_pass_id(item, facts.delivery):
            return DenyReason.NO_VISIT
        return DenyReason.DOOR_OPEN if facts.door_open else None
    if denial := _pass(item, facts):
        return denial
    if purpose is Purpose.ARRIVE:
        return None
    return _entrance(purpose, facts, owner=False)


def _code(asker: CodeTyped, purpose: Purpose, facts: Facts) -> Denial | None:
    """A code typed at the lock: a visit while its pass lets in and it is unused; never a second visit."""
    item, code = facts.pass_, facts.code
    if purpose is not Purpose.OPEN:
        return DenyReason.NOT_ISSUED_FOR
    if item is None or code is None or code.slot != asker.slot or code.pass_id != item.pass_id or code.retired:
        return PassDenial.REVOKED
    if code.one_time and code.used_at is not None:
        return PassDenial.USED
    if facts.codes_off:
        return DenyReason.NOT_ACCEPTING
    if denial := _pass(item, facts):
        return denial
    entrance = facts.entrance
    if entrance is None or not entrance.accepting:
        return DenyReason.NOT_ACCEPTING
    if entrance.visit_running:
        return DenyReason.VISIT_RUNNING
    if entrance.camera_required and not entrance.camera_ok:
        return DenyReason.CAMERA_UNAVAILABLE
    if entrance.lock_state != "unlocked":
        return DenyReason.NOT_ISSUED_FOR  # a report the lock did not open for: no visit opens it
    return None  # the lock is open already: its state and the door's are the visit's to follow


def _pass(item: Pass, facts: Facts) -> Denial | None:
    """The pass's own rules: its window now, and its latest change on disk."""
    if denial := pass_denial(item, facts.now, facts.grace, facts.tz, facts.delivery):
        return denial
    return None if facts.stored else DenyReason.NOT_STORED


def _entrance(purpose: Purpose, facts: Facts, *, owner: bool) -> Denial | None:
    """What the entrance itself allows: a visit's admission, or the street door."""
    entrance = facts.entrance
    if purpose is Purpose.STREET_DOOR:
        street_door = facts.street_door
        if street_door is None:
            return DenyReason.NO_STREET_DOOR
        if not owner:
            if entrance is None or not entrance.accepting:
                return DenyReason.NOT_ACCEPTING
            if street_door.openings >= MAX_STREET_DOOR_OPENINGS:
                return DenyReason.STREET_DOOR_LIMIT
        return None if street_door.available else DenyReason.STREET_DOOR_UNAVAILABLE
    if purpose is not Purpose.OPEN:
        return None
    if entrance is None:
        return DenyReason.NOT_ACCEPTING  # nothing opens on facts nobody gathered
    return admission_denial(entrance, owner=owner)

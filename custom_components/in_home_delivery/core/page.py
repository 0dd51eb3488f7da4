"""What the link's page says for a pass right now: a pure function of the facts, for HTML and JSON alike.

The page tells the truth about the door: it says "locked" only while the lock reports `locked` after
the pass's own visit, and it names the lock's state only to the pass whose visit it is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .admission import DenyReason
from .carriers import Carrier
from .door import MAX_STREET_DOOR_OPENINGS
from .passes import Delivery
from .passindex import Pass
from .visit import CARRIER_LINK, IDLE, RELOCK_FAILED, Outcome, Phase, Timer, Visit

# How long after its visit a pass's page still shows how that visit ended.
SHOW_OUTCOME_FOR = timedelta(minutes=10)
DONE = "done"
INSIDE_PHASES = (Phase.WAITING_FOR_ENTRY, Phase.INSIDE, Phase.CLOSING)
# The variants of the page's texts (`<key>_garage`, `<key>_guest`, `<key>_garage_guest`), where a
# language has them: a garage door opens and closes rather than unlocks and locks; a guest may be
# addressed otherwise than a courier (German: du, not Sie).
GARAGE = "_garage"
GUEST = "_guest"
# After the street door: what to do at the apartment door (or the garage).
UNLOCK_NEXT = "page_then_unlock"
# Refusals of the street door alone: the apartment door can still be unlocked.
STREET_DOOR_SHUT = (
    DenyReason.STREET_DOOR_LIMIT,
    DenyReason.NO_STREET_DOOR,
    DenyReason.STREET_DOOR_FAILED,
    DenyReason.STREET_DOOR_UNAVAILABLE,
)
# The deadlines at which a garage door closes by itself, whichever comes first.
CLOSING_TIMERS = (Timer.ENTRY, Timer.RELOCK, Timer.MAX_VISIT)
# A garage door's page warns this long before it closes by itself.
CLOSING_WARNING = timedelta(minutes=1)


class Tone(StrEnum):
    """How the message reads."""

    INFO = "info"
    WAITING = "waiting"
    PROBLEM = "problem"
    SUCCESS = "success"


@dataclass(frozen=True, kw_only=True)
class LinkView:
    """What the page shows: texts as translation keys, names exactly as typed."""

    title: str
    detail: str | None = None
    window: tuple[datetime, datetime] | None = None
    window_key: str = "page_window"
    message_key: str
    then: str | None = None  # a second text: the next step
    tone: Tone = Tone.INFO
    button: str | None = None  # "street_door", "unlock" or "done"
    also: str | None = None  # a second, lesser button: "street_door" (again)
    poll: bool = False
    phase: str = IDLE
    lock: str | None = None
    visit_id: str | None = None
    minutes_left: int | None = None  # whole minutes until a garage door closes by itself, rounded down
    variants: tuple[str, ...] = ()  # GARAGE, GUEST: the variants of its texts to read where they exist


def own_visit(running: Visit | None, last_finished: Visit | None, pass_id: str, now: datetime) -> Visit | None:
    """The pass's running visit, or its visit that ended a moment ago; None otherwise."""
    if running is not None and running.running and running.pass_id == pass_id:
        return running
    last = last_finished
    if last is not None and last.pass_id == pass_id and last.ended and now - last.ended < SHOW_OUTCOME_FOR:
        return last
    return None


def carrier_serves(
    carrier: Carrier,
    *,
    let_in: Delivery | None,
    running: Visit | None,
    last_finished: Visit | None,
    expected: Delivery | None,
    now: datetime,
) -> Delivery | None:
    """Which delivery a carrier's link stands for now.

    The visit it let in (let_in) while that runs; else the delivery expected from the carrier now;
    else, for a while, the visit it let in last (so the driver sees the door locked, and a second tap
    is refused as used).
    """
    if let_in is None or not carrier.open_for_use or not carrier.matches(let_in.carrier):
        return expected
    if (visit := own_visit(running, last_finished, let_in.pass_id, now)) is None:
        return expected
    return let_in if visit.running else expected or let_in


def let_in_by_a_carrier_link(running: Visit | None, last_finished: Visit | None) -> str | None:
    """The delivery of the running (else the last) visit, where a carrier's link let it in.

    A restart forgets which link let whom in; the visit itself still says how it was let in.
    """
    visit = running if running is not None and running.running else last_finished
    if visit is None or visit.admitted_by != CARRIER_LINK:
        return None
    return visit.pass_id


@dataclass(frozen=True, kw_only=True)
class PageFacts:
    """What the page of one pass reads, gathered by the shell at one moment."""

    entrance: str  # the entrance's name: the title of a delivery's page
    own_door: bool  # a garage door: the steps read as opening and closing
    accepting: bool  # the "deliveries allowed" switch
    visit: Visit | None  # the pass's own visit (own_visit)
    lock: str | None  # the access point's state as reported (a garage door's in the lock's words)
    denial: str | None  # why the pass opens nothing now (None: it may)
    window: tuple[datetime, datetime] | None  # the window the page shows
    street_door: bool  # the entrance has a street door opener
    street_door_openings: int  # how often the pass opened it in its window
    lock_when_camera_lost: bool


def page_view(
    facts: PageFacts, pass_: Pass, now: datetime, *, reason: str | None = None, result: str | None = None
) -> LinkView:
    """The page of a pass, after a request that ended in `result` or was refused for `reason`.

    At a garage door the steps read as opening and closing, not unlocking and locking; a guest's page
    speaks to the guest (core/wording.py picks the variants).
    """
    view = _door_view(facts, pass_, now, reason=reason, result=result)
    variants = ((GARAGE,) if facts.own_door else ()) + ((GUEST,) if pass_.recurring else ())
    return replace(view, variants=variants)


def _door_view(facts: PageFacts, pass_: Pass, now: datetime, *, reason: str | None, result: str | None) -> LinkView:
    guest = pass_.recurring
    base = LinkView(
        title=pass_.label if guest else facts.entrance,
        detail=pass_.detail,
        window=facts.window,
        window_key="page_guest_window" if guest else "page_window",
        message_key="page_guest_ready" if guest else "page_ready",
        button="unlock",
    )
    visit = facts.visit
    if visit is None:
        # A street door that stays shut leaves the apartment door to be unlocked, if the pass may.
        street_door_shut = reason in STREET_DOOR_SHUT
        blocked = (None if street_door_shut else reason) or facts.denial
        if blocked is None and not facts.accepting:
            blocked = DenyReason.NOT_ACCEPTING
        if blocked is not None:
            return replace(base, message_key=f"page_{blocked}", tone=Tone.PROBLEM, button=None)
        if street_door_shut:
            return replace(base, message_key=f"page_{reason}", tone=Tone.PROBLEM, then=UNLOCK_NEXT)
        if facts.street_door:
            if openings := facts.street_door_openings:
                # The buzzer may have sounded while the courier was at the van: it can be opened again.
                again = "street_door" if openings < MAX_STREET_DOOR_OPENINGS else None
                return replace(
                    base, message_key="page_street_door_opened", tone=Tone.SUCCESS, also=again, then=UNLOCK_NEXT
                )
            # First the building's street door, then the apartment door.
            return replace(base, message_key="page_street_door", button="street_door", then=UNLOCK_NEXT)
        return replace(base, message_key="page_arrived") if result == "arrived" else base
    lock = facts.lock
    base = replace(base, button=None, lock=lock, visit_id=visit.visit_id, poll=visit.running)
    if not visit.running:
        return _finished(base, visit, lock)
    if visit.stuck:
        return replace(base, message_key="page_relock_failed", tone=Tone.PROBLEM, phase=RELOCK_FAILED)
    base = replace(base, phase=visit.phase.value)
    if visit.phase is Phase.UNLOCKING:
        return replace(base, message_key="page_unlocking", tone=Tone.WAITING)
    if visit.phase in INSIDE_PHASES:
        if visit.camera_lost and facts.lock_when_camera_lost:
            return replace(base, message_key="page_ending", tone=Tone.PROBLEM, button="done")
        if reason == DenyReason.DOOR_OPEN:
            return replace(base, message_key="page_door_open", tone=Tone.PROBLEM, button="done")
        inside = replace(base, message_key="page_guest_inside" if guest else "page_inside", button="done")
        return _time_left(inside, visit, now) if facts.own_door else inside
    return replace(base, message_key="page_locking", tone=Tone.WAITING)


def _time_left(view: LinkView, visit: Visit, now: datetime) -> LinkView:
    """At a garage door: how long until it closes by itself, and a warning in its last minute.

    The minutes are rounded down: the page never promises more time than is left.
    """
    closes = min((visit.deadlines[timer] for timer in CLOSING_TIMERS if timer in visit.deadlines), default=None)
    if closes is None:
        return view
    left = closes - now
    if left < CLOSING_WARNING:
        return replace(view, message_key="page_closing_soon", tone=Tone.PROBLEM)
    return replace(view, minutes_left=left // timedelta(minutes=1))


def _finished(base: LinkView, visit: Visit, lock: str | None) -> LinkView:
    """How the pass's visit ended; "locked" only while the lock says so."""
    if visit.outcome is Outcome.UNLOCK_FAILED:
        return replace(base, message_key="page_unlock_failed", tone=Tone.PROBLEM, phase=DONE)
    if lock == "locked":
        return replace(base, message_key="page_locked", tone=Tone.SUCCESS, phase=DONE)
    return replace(base, message_key="page_finished", phase=DONE)

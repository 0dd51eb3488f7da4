"""The moments people automate: who a visit let in, how it ended, and whether a visit explains an open door.

The purpose-specific triggers and the condition of the shell (`trigger.py`, `condition.py`) ask these
questions; the answers live here, with the visit they are about.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from .visit import AUTO_LOCK, Outcome, Visit


class Visitor(StrEnum):
    """Who a visit let in, as the triggers' `who` option names them."""

    COURIER = "courier"  # a delivery's link, a carrier link or the delivery's code
    GUEST = "guest"  # a guest's link
    OWNER = "owner"  # someone the owner let in: the `admit` action, a doorbell approval


def visitor(pass_kind: str, admitted_by: str | None) -> Visitor | None:
    """Who came in: None for an unlock by hand that the entrance only locks again (nobody was let in)."""
    if admitted_by == AUTO_LOCK:
        return None
    if pass_kind == "delivery":
        return Visitor.COURIER
    if pass_kind == "guest":
        return Visitor.GUEST
    return Visitor.OWNER


def outcome(reason: str | None) -> Outcome:
    """How a visit ended, from its `completed` event's reason (none: the door is locked)."""
    return Outcome(reason) if reason else Outcome.LOCKED


def opened_by_a_visit(running: Visit | None, last_finished: Visit | None, now: datetime, within: timedelta) -> bool:
    """Whether a visit explains the entrance being open now: one runs, or one ended less than `within` ago.

    Only visits In-Home Delivery let in count: an unlock by hand (a key, a keypad, a picked lock) is
    followed to lock again, but it lets nobody in, so it explains nothing. Nor does a visit whose door
    could not be locked: from that moment a door opening is not the visitor's, whoever it is.
    """
    if running is not None and running.running and _vouches_for(running):
        return True
    return (
        last_finished is not None
        and last_finished.ended is not None
        and _vouches_for(last_finished)
        and now < last_finished.ended + within
    )


def _vouches_for(visit: Visit) -> bool:
    return visit.admitted_by != AUTO_LOCK and not visit.relock_failed
